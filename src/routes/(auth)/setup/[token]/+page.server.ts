import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp } from '$lib/server/auth/guard';
import { MIN_PASSWORD_LENGTH } from '$lib/server/auth/password';
import { completeSetup, isSetupTokenValid, SetupError } from '$lib/server/auth/setup';
import type { Actions, PageServerLoad } from './$types';

const setupSchema = z.object({
	name: z.string().trim().min(1, 'required').max(120),
	email: z.string().trim().toLowerCase().email('not a valid e-mail address'),
	password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(256)
});

export const load: PageServerLoad = async ({ params }) => {
	const { database } = await getServices();
	return { valid: await isSetupTokenValid(database.db, params.token) };
};

export const actions: Actions = {
	default: async (event) => {
		const { database } = await getServices();
		const form = Object.fromEntries(await event.request.formData());
		const parsed = setupSchema.safeParse(form);
		if (!parsed.success) {
			return fail(400, {
				values: { name: String(form.name ?? ''), email: String(form.email ?? '') },
				errors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]))
			});
		}
		try {
			await completeSetup(database.db, event.params.token, parsed.data, clientIp(event));
		} catch (e) {
			if (e instanceof SetupError) return fail(410, { values: { name: parsed.data.name, email: parsed.data.email }, errors: { form: e.message } });
			throw e;
		}
		redirect(303, '/login');
	}
};
