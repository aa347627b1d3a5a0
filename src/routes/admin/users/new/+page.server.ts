import { fail, redirect } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors, formObject } from '$lib/server/forms';
import { createUser, listTeams, UserConflictError } from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'admin');
	const { database } = await getServices();
	return { teams: await listTeams(database.db) };
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		const values = formObject(await event.request.formData(), ['teamIds']);
		const { password: _password, ...echo } = values;
		try {
			await createUser(database.db, values, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { values: echo, errors: fieldErrors(e) });
			if (e instanceof UserConflictError) return fail(409, { values: echo, errors: { [e.field]: e.message } });
			throw e;
		}
		redirect(303, '/admin/users?created=1');
	}
};
