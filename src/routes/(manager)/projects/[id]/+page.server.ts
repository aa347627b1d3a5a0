import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors, formObject } from '$lib/server/forms';
import { directorCandidates, isDirectorCandidate } from '$lib/server/meetings';
import { setProjectStatus, TransitionError, updateProjectSettings, workingHoursFromForm, type ProjectStatus } from '$lib/server/projects';
import { listTeams } from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	return { teams: await listTeams(database.db), directors: await directorCandidates(database.db) };
};

const STATUSES: ProjectStatus[] = ['draft', 'active', 'paused', 'done'];

export const actions: Actions = {
	save: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const form = formObject(await event.request.formData());
		const input = {
			name: form.name,
			teamId: form.teamId,
			callerId: form.callerId,
			timezone: form.timezone,
			defaultRegion: form.defaultRegion,
			targetCalls: form.targetCalls,
			targetTalkMinutes: form.targetTalkMinutes,
			targetMeetings: form.targetMeetings,
			salesDirectorId: form.salesDirectorId,
			workingHours: workingHoursFromForm(form)
		};
		if (typeof form.salesDirectorId === 'string' && form.salesDirectorId && !(await isDirectorCandidate(database.db, form.salesDirectorId)))
			return fail(400, { values: form, errors: { salesDirectorId: 'not a director' } });
		try {
			await updateProjectSettings(database.db, event.params.id, input, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof ZodError) return fail(400, { values: form, errors: fieldErrors(e) });
			throw e;
		}
		return { saved: true };
	},
	status: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const status = String((await event.request.formData()).get('status') ?? '') as ProjectStatus;
		if (!STATUSES.includes(status)) return fail(400, { errors: { status: 'unknown status' } });
		try {
			await setProjectStatus(database.db, event.params.id, status, { id: actor.id, ip: clientIp(event) });
		} catch (e) {
			if (e instanceof TransitionError) return fail(409, { errors: { status: e.message } });
			throw e;
		}
		return { saved: true };
	}
};
