import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { LetterError, queueInfoLetter } from '$lib/server/mail/letters';
import type { RequestHandler } from './$types';

const body = z.object({ projectLeadId: z.string().uuid() });

/** Queues the project's info letter to the lead the agent holds (form post: SvelteKit's origin check applies). */
export const POST: RequestHandler = async (event) => {
	const user = requireUser(event, 'agent');
	const parsed = body.safeParse(Object.fromEntries(await event.request.formData()));
	if (!parsed.success) error(400, { message: 'projectLeadId must be a lead id', code: 'bad_request' });
	const { database, outbox } = await getServices();
	try {
		const { id, to } = await queueInfoLetter(database.db, { agentId: user.id, projectLeadId: parsed.data.projectLeadId });
		outbox?.wake();
		return json({ ok: true, id, to });
	} catch (err) {
		if (err instanceof LetterError) return json({ ok: false, code: err.code, message: err.message }, { status: err.code === 'not_yours' ? 409 : 422 });
		throw err;
	}
};
