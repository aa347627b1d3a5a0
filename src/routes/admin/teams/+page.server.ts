import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors } from '$lib/server/forms';
import { createTeam, deleteTeam, listTeams, renameTeam, TeamConflictError } from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'admin');
	const { database } = await getServices();
	return { teams: await listTeams(database.db) };
};

async function guarded(run: () => Promise<unknown>) {
	try {
		await run();
		return { saved: true };
	} catch (e) {
		if (e instanceof ZodError) return fail(400, { errors: fieldErrors(e) });
		if (e instanceof TeamConflictError) return fail(409, { errors: { name: e.message } });
		throw e;
	}
}

export const actions: Actions = {
	create: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		const name = String((await event.request.formData()).get('name') ?? '');
		return guarded(() => createTeam(database.db, name, { id: actor.id, ip: clientIp(event) }));
	},
	rename: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		const data = await event.request.formData();
		return guarded(() => renameTeam(database.db, String(data.get('id')), String(data.get('name') ?? ''), { id: actor.id, ip: clientIp(event) }));
	},
	delete: async (event) => {
		const actor = requireUser(event, 'admin');
		const { database } = await getServices();
		const id = String((await event.request.formData()).get('id'));
		return guarded(() => deleteTeam(database.db, id, { id: actor.id, ip: clientIp(event) }));
	}
};
