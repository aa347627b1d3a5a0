import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';

export const load: PageServerLoad = (event) => {
	requireUser(event, 'supervisor');
	return {};
};
