import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors, formObject } from '$lib/server/forms';
import { updateLetter } from '$lib/server/projects';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const values = formObject(await event.request.formData());
		try {
			await updateLetter(database.db, event.params.id, values, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { values, errors: fieldErrors(e) });
			throw e;
		}
		return { saved: true };
	}
};
