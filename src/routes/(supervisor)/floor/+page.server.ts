import { asc, inArray } from 'drizzle-orm';
import type { PageServerLoad } from './$types';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { teams } from '$lib/server/db/schema';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	// Team names for the filter: every team for managers and admins, their own for supervisors.
	const seesAll = user.role === 'manager' || user.role === 'admin';
	const query = database.db.select({ id: teams.id, name: teams.name }).from(teams);
	const visibleTeams = seesAll
		? await query.orderBy(asc(teams.name))
		: user.teamIds.length
			? await query.where(inArray(teams.id, user.teamIds)).orderBy(asc(teams.name))
			: [];
	return {
		me: { id: user.id, name: user.name, role: user.role, teamIds: user.teamIds },
		teams: visibleTeams
	};
};
