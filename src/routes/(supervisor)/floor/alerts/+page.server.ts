import { asc, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { alertHistory } from '$lib/server/cockpit/alerts';
import { teams } from '$lib/server/db/schema';
import { ALERT_KINDS } from '$lib/cockpit/alert-rules';
import type { AlertKind } from '$lib/protocol';
import type { PageServerLoad } from './$types';

const day = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/)
	.optional()
	.catch(undefined);
const filterSchema = z.object({
	kind: z
		.enum(ALERT_KINDS as [AlertKind, ...AlertKind[]])
		.optional()
		.catch(undefined),
	team: z.string().uuid().optional().catch(undefined),
	status: z.enum(['open', 'claimed', 'resolved']).optional().catch(undefined),
	from: day,
	to: day
});

/** Alert history of the user's teams (every team for managers and admins), filtered by the query string. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	const db = database.db;
	const seesAll = user.role === 'manager' || user.role === 'admin';
	const scope = seesAll ? null : user.teamIds;
	const filter = filterSchema.parse(Object.fromEntries(event.url.searchParams));
	const teamRows = seesAll
		? await db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(asc(teams.name))
		: user.teamIds.length
			? await db
					.select({ id: teams.id, name: teams.name })
					.from(teams)
					.where(inArray(teams.id, user.teamIds))
					.orderBy(asc(teams.name))
			: [];
	const alerts = await alertHistory(db, scope, {
		kind: filter.kind,
		teamId: filter.team,
		status: filter.status,
		from: filter.from ? new Date(`${filter.from}T00:00:00Z`) : undefined,
		to: filter.to ? new Date(`${filter.to}T23:59:59.999Z`) : undefined
	});
	return { alerts, teams: teamRows, filter };
};
