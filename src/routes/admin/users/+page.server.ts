import { getServices } from '$lib/server/app';
import { listTeams, listUsers } from '$lib/server/users';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { database } = await getServices();
	const [users, teams] = await Promise.all([listUsers(database.db), listTeams(database.db)]);
	return { users, teams };
};
