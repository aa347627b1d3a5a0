import { fail } from '@sveltejs/kit';
import { addToDnc, DncInputError, importDnc, MAX_DNC_FILE_BYTES, removeFromDnc, searchDnc } from '$lib/server/leads/dnc';
import { managerContext, usualRegion } from '$lib/server/leads/manager-context';
import type { Actions, PageServerLoad } from './$types';

const PAGE = 100;

export const load: PageServerLoad = async (event) => {
	const { db } = await managerContext(event);
	const q = event.url.searchParams.get('q')?.slice(0, 40) ?? '';
	const page = Math.max(0, Number.parseInt(event.url.searchParams.get('page') ?? '0', 10) || 0);
	const region = (event.url.searchParams.get('region') ?? (await usualRegion(db))).toUpperCase().slice(0, 2);
	const { rows, total } = await searchDnc(db, q, { region, limit: PAGE, offset: page * PAGE });
	return {
		q,
		region,
		page,
		pages: Math.max(1, Math.ceil(total / PAGE)),
		total,
		rows: rows.map((r) => ({ e164: r.e164, reason: r.reason, createdAt: r.createdAt.toISOString() }))
	};
};

const text = (data: FormData, key: string) => String(data.get(key) ?? '');

export const actions: Actions = {
	add: async (event) => {
		const { db, actor } = await managerContext(event);
		const data = await event.request.formData();
		try {
			const r = await addToDnc(db, { phone: text(data, 'phone'), region: text(data, 'region'), reason: text(data, 'reason') }, actor);
			return { action: 'add' as const, e164: r.e164, added: r.added };
		} catch (e) {
			if (e instanceof DncInputError) return fail(400, { action: 'add' as const, error: e.message, phone: text(data, 'phone') });
			throw e;
		}
	},
	remove: async (event) => {
		const { db, actor } = await managerContext(event);
		const e164 = text(await event.request.formData(), 'e164');
		const removed = await removeFromDnc(db, e164, actor);
		return { action: 'remove' as const, e164, removed };
	},
	import: async (event) => {
		const { db, actor } = await managerContext(event);
		const data = await event.request.formData();
		const file = data.get('file');
		if (!(file instanceof File) || file.name === '') return fail(400, { action: 'import' as const, error: 'Choose a file of numbers.' });
		if (file.size > MAX_DNC_FILE_BYTES) return fail(413, { action: 'import' as const, error: `The file is larger than ${MAX_DNC_FILE_BYTES / 1048576} MB: split it.` });
		try {
			const result = await importDnc(
				db,
				{ bytes: new Uint8Array(await file.arrayBuffer()), region: text(data, 'region'), reason: text(data, 'reason'), fileName: file.name },
				actor
			);
			return { action: 'import' as const, result };
		} catch (e) {
			if (e instanceof DncInputError) return fail(400, { action: 'import' as const, error: e.message });
			throw e;
		}
	}
};
