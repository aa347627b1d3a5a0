import { fail, redirect } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors, formObject } from '$lib/server/forms';
import { createProject, listProjects } from '$lib/server/projects';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	const archived = event.url.searchParams.has('archived');
	return { projects: await listProjects(database.db, { archived }), archived };
};

export const actions: Actions = {
	create: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const values = formObject(await event.request.formData());
		let id: string;
		try {
			id = await createProject(database.db, values, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { values, errors: fieldErrors(e) });
			throw e;
		}
		redirect(303, `/projects/${id}`);
	}
};
