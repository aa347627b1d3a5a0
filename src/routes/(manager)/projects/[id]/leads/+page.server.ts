import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { listImports } from '$lib/server/leads/imports';
import { deleteFilter, filterRecord, LEAD_STATUSES, listProjectLeads, listSavedFilters, parseLeadFilter, saveFilter } from '$lib/server/leads/lead-list';
import { managerContext, requireProject } from '$lib/server/leads/manager-context';
import { addLeadManually, ManualLeadError } from '$lib/server/leads/manual';
import { listDispositions } from '$lib/server/projects';
import type { Actions, PageServerLoad } from './$types';

const PAGE = 100;

export const load: PageServerLoad = async (event) => {
	const { db } = await managerContext(event);
	const projectId = event.params.id;
	const filter = parseLeadFilter(event.url.searchParams);
	const page = Math.max(0, Number.parseInt(event.url.searchParams.get('page') ?? '0', 10) || 0);
	const [list, saved, importRows, dispositionRows] = await Promise.all([
		listProjectLeads(db, projectId, filter, { limit: PAGE, offset: page * PAGE }),
		listSavedFilters(db, projectId),
		listImports(db, projectId),
		listDispositions(db, projectId)
	]);
	return {
		filter: filterRecord(filter),
		page,
		pages: Math.max(1, Math.ceil(list.total / PAGE)),
		total: list.total,
		rows: list.rows.map((r) => ({ ...r, nextCallAt: r.nextCallAt?.toISOString() ?? null })),
		saved: saved.map((s) => ({ id: s.id, name: s.name, query: new URLSearchParams(s.filter).toString() })),
		imports: importRows.map((i) => ({ id: i.id, fileName: i.fileName })),
		dispositions: dispositionRows.map((d) => ({ id: d.id, label: d.label })),
		statuses: LEAD_STATUSES
	};
};

export const actions: Actions = {
	add: async (event) => {
		const { db, actor } = await managerContext(event);
		await requireProject(db, event.params.id);
		const values = Object.fromEntries([...(await event.request.formData()).entries()].map(([k, v]) => [k, String(v)]));
		try {
			const result = await addLeadManually(db, event.params.id, values, actor);
			return { action: 'add' as const, result };
		} catch (e) {
			if (e instanceof ManualLeadError) return fail(400, { action: 'add' as const, errors: e.fields, values });
			throw e;
		}
	},
	saveFilter: async (event) => {
		const { db, actor } = await managerContext(event);
		await requireProject(db, event.params.id);
		const data = await event.request.formData();
		const filter = parseLeadFilter(Object.fromEntries([...data.entries()].map(([k, v]) => [k, String(v)])));
		try {
			await saveFilter(db, event.params.id, String(data.get('name') ?? ''), filter, actor);
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { action: 'saveFilter' as const, error: e.issues[0]?.message ?? 'Invalid name.' });
			throw e;
		}
		return { action: 'saveFilter' as const };
	},
	deleteFilter: async (event) => {
		const { db, actor } = await managerContext(event);
		await requireProject(db, event.params.id);
		await deleteFilter(db, event.params.id, String((await event.request.formData()).get('filter') ?? ''), actor);
		return { action: 'deleteFilter' as const };
	}
};
