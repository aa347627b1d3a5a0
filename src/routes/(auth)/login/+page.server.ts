import { fail, redirect } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { clientIp } from '$lib/server/auth/guard';
import { attemptLogin } from '$lib/server/auth/login';
import { createSession, SESSION_COOKIE } from '$lib/server/auth/session';
import { homeFor, roleAtLeast } from '$lib/server/auth/types';
import { loadSessionUser } from '$lib/server/auth/session';
import { minutesCeil } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.user) redirect(303, homeFor(locals.user.role));
	return {};
};

/** Only local paths: `next` must never send a user to another site. */
function safeNext(next: string | null): string | null {
	return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export const actions: Actions = {
	default: async (event) => {
		const { database, config } = await getServices();
		const form = await event.request.formData();
		const email = String(form.get('email') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!email || !password) return fail(400, { email, error: 'missing' as const });
		const ip = clientIp(event);
		const result = await attemptLogin(database.db, email, password, ip);
		if (!result.ok) {
			if (result.reason === 'throttled')
				return fail(429, { email, error: result.scope === 'ip' ? ('throttled_ip' as const) : ('throttled_account' as const), minutes: minutesCeil(result.retryAfterMs) });
			return fail(result.reason === 'disabled' ? 403 : 400, { email, error: result.reason });
		}
		const user = await loadSessionUser(database.db, result.userId);
		const needsTotp = result.needsTotp && !!user && roleAtLeast(user.role, 'manager');
		const session = await createSession(database.db, result.userId, {
			days: config.SB_SESSION_DAYS,
			verified: !needsTotp,
			ip,
			userAgent: event.request.headers.get('user-agent')
		});
		event.cookies.set(SESSION_COOKIE, session.token, {
			path: '/',
			httpOnly: true,
			sameSite: 'lax',
			secure: event.url.protocol === 'https:',
			expires: session.expiresAt
		});
		const next = safeNext(event.url.searchParams.get('next'));
		if (needsTotp) redirect(303, next ? `/login/totp?next=${encodeURIComponent(next)}` : '/login/totp');
		redirect(303, next ?? homeFor(user?.role ?? 'agent'));
	}
};
