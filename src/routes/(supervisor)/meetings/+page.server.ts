import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { roleAtLeast } from '$lib/server/auth/types';
import { fieldErrors, formObject } from '$lib/server/forms';
import { listMeetings, OutcomeError, recordOutcome } from '$lib/server/meetings';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	const now = new Date();
	const [upcoming, past] = await Promise.all([listMeetings(database.db, user, 'upcoming', now), listMeetings(database.db, user, 'past', now)]);
	const row = (r: (typeof upcoming)[number]) => ({ ...r, startsAt: r.startsAt.toISOString(), endsAt: r.endsAt.toISOString() });
	return { all: roleAtLeast(user.role, 'manager'), upcoming: upcoming.map(row), past: past.map(row) };
};

export const actions: Actions = {
	outcome: async (event) => {
		const user = requireUser(event, 'supervisor');
		const form = formObject(await event.request.formData());
		const { database } = await getServices();
		try {
			await recordOutcome(
				database.db,
				user,
				{ meetingId: String(form.meetingId ?? ''), status: form.status as 'held', deal: form.deal as 'won', amount: String(form.amount ?? '') },
				clientIp(event)
			);
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { meetingId: form.meetingId, errors: fieldErrors(e) });
			if (e instanceof OutcomeError) return fail(e.code === 'forbidden' ? 403 : 404, { meetingId: form.meetingId, errors: { form: e.code } });
			throw e;
		}
		return { meetingId: form.meetingId, saved: true };
	}
};
