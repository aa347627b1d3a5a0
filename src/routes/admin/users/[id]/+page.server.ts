import { error, fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { passwordProblem } from '$lib/server/auth/password';
import { fieldErrors, formObject } from '$lib/server/forms';
import { getUser, listTeams, resetPassword, setUserDisabled, updateUser, UserConflictError } from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'admin');
	const { params } = event;
	const { database } = await getServices();
	const user = await getUser(database.db, params.id);
	if (!user) error(404, { message: 'No such user.' });
	return { user, teams: await listTeams(database.db) };
};

export const actions: Actions = {
	update: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		const values = formObject(await event.request.formData(), ['teamIds']);
		try {
			await updateUser(database.db, event.params.id, values, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { values, errors: fieldErrors(e) });
			if (e instanceof UserConflictError) return fail(409, { values, errors: { [e.field]: e.message } });
			throw e;
		}
		return { saved: true };
	},
	disable: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		try {
			await setUserDisabled(database.db, event.params.id, true, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			return fail(400, { errors: { form: (e as Error).message } });
		}
		return { saved: true };
	},
	enable: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		await setUserDisabled(database.db, event.params.id, false, { id: actor.id, ip: clientIp(event) });
		return { saved: true };
	},
	password: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		const password = String((await event.request.formData()).get('password') ?? '');
		const problem = passwordProblem(password);
		if (problem) return fail(400, { errors: { newPassword: problem } });
		await resetPassword(database.db, event.params.id, password, { id: actor.id, ip: clientIp(event) });
		return { saved: true };
	}
};
