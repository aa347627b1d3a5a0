import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors } from '$lib/server/forms';
import { listPerformers, setPerformers } from '$lib/server/projects';
import { listUsers } from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	const [agents, performers] = await Promise.all([listUsers(database.db, { role: 'agent' }), listPerformers(database.db, event.params.id)]);
	return {
		agents: agents.filter((a) => !a.disabled).map((a) => ({ id: a.id, name: a.name, email: a.email, endpoint: a.endpoint })),
		performers
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const ids = (await event.request.formData()).getAll('userIds').map(String);
		try {
			await setPerformers(database.db, event.params.id, ids, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { errors: fieldErrors(e) });
			throw e;
		}
		return { saved: true };
	}
};
