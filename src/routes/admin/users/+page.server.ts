import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { listTeams, listUsers } from '$lib/server/users';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'admin');
	const { database } = await getServices();
	const [users, teams] = await Promise.all([listUsers(database.db), listTeams(database.db)]);
	return { users, teams };
};
