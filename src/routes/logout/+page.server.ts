import { redirect } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp } from '$lib/server/auth/guard';
import { invalidateSession, SESSION_COOKIE } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async (event) => {
		const { database } = await getServices();
		if (event.locals.sessionId) {
			await invalidateSession(database.db, event.locals.sessionId);
			await audit(database.db, { actorId: event.locals.user?.id ?? null, action: 'logout', ip: clientIp(event) });
		}
		event.cookies.delete(SESSION_COOKIE, { path: '/' });
		redirect(303, '/login');
	}
};
