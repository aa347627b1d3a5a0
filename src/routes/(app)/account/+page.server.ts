import { fail } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { newTotpSecret, totpUri, verifyTotp } from '$lib/server/auth/totp';
import { roleAtLeast } from '$lib/server/auth/types';
import { users } from '$lib/server/db/schema';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return {
		locale: user.locale ?? event.locals.locale,
		hasTotp: user.hasTotp,
		totpAllowed: roleAtLeast(user.role, 'manager')
	};
};

export const actions: Actions = {
	language: async (event) => {
		const user = requireUser(event);
		const { database } = await getServices();
		const locale = String((await event.request.formData()).get('locale'));
		if (locale !== 'en' && locale !== 'fr') return fail(400, { error: 'unknown language' });
		await database.db.update(users).set({ locale }).where(eq(users.id, user.id));
		event.cookies.set('PARAGLIDE_LOCALE', locale, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: 34_560_000 });
		return { saved: true };
	},
	totpStart: async (event) => {
		const user = requireUser(event, 'manager');
		const secret = newTotpSecret();
		return { enrolling: { secret, uri: totpUri(secret, user.email) } };
	},
	totpEnable: async (event) => {
		const user = requireUser(event, 'manager');
		const { database } = await getServices();
		const form = await event.request.formData();
		const secret = String(form.get('secret') ?? '');
		const code = String(form.get('code') ?? '');
		if (!/^[A-Z2-7]{16,}$/.test(secret) || !verifyTotp(secret, code))
			return fail(400, { enrolling: { secret, uri: totpUri(secret, user.email) }, error: 'invalid code' });
		await database.db.update(users).set({ totpSecret: secret }).where(eq(users.id, user.id));
		await audit(database.db, { actorId: user.id, action: 'user.totp_enabled', target: user.id, ip: clientIp(event) });
		return { saved: true };
	},
	totpDisable: async (event) => {
		const user = requireUser(event, 'manager');
		const { database } = await getServices();
		await database.db.update(users).set({ totpSecret: null }).where(eq(users.id, user.id));
		await audit(database.db, { actorId: user.id, action: 'user.totp_disabled', target: user.id, ip: clientIp(event) });
		return { saved: true };
	}
};
