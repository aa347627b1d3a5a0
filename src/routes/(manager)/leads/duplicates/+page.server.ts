import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { findDuplicateGroups } from '$lib/server/leads/duplicates';
import { managerContext } from '$lib/server/leads/manager-context';
import { keepApart, MERGE_FIELDS, mergeLeads, MergeError, type MergeField } from '$lib/server/leads/merge';
import { getProject } from '$lib/server/projects';
import type { Actions, PageServerLoad } from './$types';

const uuid = z.string().uuid();

export const load: PageServerLoad = async (event) => {
	const { db } = await managerContext(event);
	const projectParam = event.url.searchParams.get('project') ?? '';
	const project = uuid.safeParse(projectParam).success ? await getProject(db, projectParam) : null;
	const groups = await findDuplicateGroups(db, { projectId: project?.id ?? null });
	return { project: project ? { id: project.id, name: project.name } : null, groups, fields: MERGE_FIELDS };
};

function leadIds(data: FormData): string[] | null {
	const ids = data.getAll('lead').map(String);
	return ids.length >= 2 && ids.every((id) => uuid.safeParse(id).success) ? ids : null;
}

export const actions: Actions = {
	merge: async (event) => {
		const { db, actor } = await managerContext(event);
		const data = await event.request.formData();
		const ids = leadIds(data);
		const survivorId = String(data.get('survivor') ?? '');
		if (!ids || !ids.includes(survivorId)) return fail(400, { error: 'Choose which record to keep among the group.' });
		const choose: Partial<Record<MergeField, string>> = {};
		for (const field of MERGE_FIELDS) {
			const from = data.get(`f_${field}`);
			if (typeof from === 'string' && ids.includes(from)) choose[field] = from;
		}
		try {
			const r = await mergeLeads(db, { leadIds: ids, survivorId, choose }, actor);
			return { merged: r.merged.length + 1, survivorId: r.survivorId };
		} catch (e) {
			if (e instanceof MergeError) return fail(409, { error: e.message });
			throw e;
		}
	},
	keepApart: async (event) => {
		const { db, actor } = await managerContext(event);
		const ids = leadIds(await event.request.formData());
		if (!ids) return fail(400, { error: 'Choose at least two leads.' });
		try {
			await keepApart(db, ids, actor);
		} catch (e) {
			if (e instanceof MergeError) return fail(409, { error: e.message });
			throw e;
		}
		return { keptApart: ids.length };
	}
};
