import { error } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { countProjectLeads, getProject } from '$lib/server/projects';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	const project = await getProject(database.db, event.params.id);
	if (!project) error(404, { message: 'No such project.' });
	return { project, leadCount: await countProjectLeads(database.db, project.id) };
};
