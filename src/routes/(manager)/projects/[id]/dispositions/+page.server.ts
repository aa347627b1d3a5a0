import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors, formObject } from '$lib/server/forms';
import { DispositionTableError, dispositionRowsFromForm, listDispositions, saveDispositions } from '$lib/server/projects';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	const rows = await listDispositions(database.db, event.params.id);
	return {
		dispositions: rows.map((d) => ({
			id: d.id,
			code: d.code,
			label: d.label,
			hotkey: d.hotkey == null ? '' : String(d.hotkey),
			kind: d.kind,
			retryMinutes: d.retryAfter == null ? '' : String(Math.round(d.retryAfter / 60)),
			maxAttempts: d.maxAttempts == null ? '' : String(d.maxAttempts),
			isContact: d.isContact,
			isMeeting: d.isMeeting,
			marksPhoneBad: d.marksPhoneBad
		}))
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const form = formObject(await event.request.formData());
		const rows = dispositionRowsFromForm(form);
		try {
			await saveDispositions(database.db, event.params.id, rows, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			const echo = rows.map((r) => r.input);
			if (e instanceof DispositionTableError) return fail(400, { rows: echo, errors: e.errors });
			if (e instanceof ZodError) return fail(400, { rows: echo, errors: fieldErrors(e) });
			throw e;
		}
		return { saved: true };
	}
};
