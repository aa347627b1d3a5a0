import { fail, type RequestEvent } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '../app';
import { clientIp, requireUser } from '../auth/guard';
import type { Db } from '../db';
import { fieldErrors, formObject } from '../forms';

type Save = (db: Db, projectId: string, values: Record<string, string | string[]>, actor: { id: string; ip: string }) => Promise<unknown>;

/**
 * The form action of a project page that saves one section (script, letter): manager role,
 * field errors re-rendered next to their inputs, the values echoed back.
 */
export function saveProjectSection(save: Save) {
	return async (event: RequestEvent<{ id: string }>) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const values = formObject(await event.request.formData());
		try {
			await save(database.db, event.params.id, values, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { values, errors: fieldErrors(e) });
			throw e;
		}
		return { saved: true };
	};
}
