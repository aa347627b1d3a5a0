import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	return { me: { id: user.id, name: user.name, role: user.role, teamIds: user.teamIds } };
};
