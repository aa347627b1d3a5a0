import { fail, redirect } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp } from '$lib/server/auth/guard';
import { loginLimits } from '$lib/server/auth/rate-limit';
import { markSessionVerified, SESSION_COOKIE } from '$lib/server/auth/session';
import { tokenDigest } from '$lib/server/auth/tokens';
import { verifyTotp } from '$lib/server/auth/totp';
import { homeFor } from '$lib/server/auth/types';
import { sessions, users } from '$lib/server/db/schema';
import { minutesCeil } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';

async function pendingSession(token: string | undefined) {
	if (!token) return null;
	const { database } = await getServices();
	const [row] = await database.db
		.select({ id: sessions.id, verified: sessions.verified, userId: sessions.userId, totpSecret: users.totpSecret, role: users.role, email: users.email })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, tokenDigest(token)));
	return row && !row.verified && row.totpSecret ? row : null;
}

export const load: PageServerLoad = async ({ cookies, locals }) => {
	if (locals.user) redirect(303, homeFor(locals.user.role));
	if (!(await pendingSession(cookies.get(SESSION_COOKIE)))) redirect(303, '/login');
	return {};
};

export const actions: Actions = {
	default: async (event) => {
		const session = await pendingSession(event.cookies.get(SESSION_COOKIE));
		if (!session) redirect(303, '/login');
		const { database } = await getServices();
		const ip = clientIp(event);
		const key = `totp:${session.userId}`;
		const wait = loginLimits.perAccount.retryAfter(key);
		if (wait > 0) return fail(429, { error: 'throttled' as const, minutes: minutesCeil(wait) });
		const code = String((await event.request.formData()).get('code') ?? '');
		if (!verifyTotp(session.totpSecret!, code)) {
			loginLimits.perAccount.fail(key);
			await audit(database.db, { actorId: session.userId, action: 'login.totp_failed', target: session.email, ip });
			return fail(400, { error: 'invalid' as const });
		}
		loginLimits.perAccount.reset(key);
		await markSessionVerified(database.db, session.id);
		await audit(database.db, { actorId: session.userId, action: 'login.ok', target: session.email, details: { totp: true }, ip });
		const next = event.url.searchParams.get('next');
		redirect(303, next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(session.role));
	}
};
