import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { canEditTeam, editableTeams, readThresholdsForm, saveTeamThresholds } from '$lib/server/floorcharts';
import { DEFAULT_THRESHOLDS } from '$lib/components/floor/thresholds';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	return { teams: await editableTeams(database.db, user), defaults: DEFAULT_THRESHOLDS };
};

const teamId = z.string().uuid('no such team');

export const actions: Actions = {
	save: async (event) => {
		const user = requireUser(event, 'supervisor');
		const form = await event.request.formData();
		const id = teamId.safeParse(form.get('teamId'));
		if (!id.success) return fail(400, { teamId: null, state: null, problem: 'no_team' as const });
		if (!canEditTeam(user, id.data)) error(403, { message: 'You can only change the colours of your own teams.', code: 'forbidden' });
		const parsed = form.get('reset') === '1' ? { ok: true as const, thresholds: {} } : readThresholdsForm(form);
		if (!parsed.ok) return fail(400, { teamId: id.data, state: parsed.state, problem: parsed.problem });
		const { database } = await getServices();
		const r = await saveTeamThresholds(database.db, user, id.data, parsed.thresholds, clientIp(event));
		if (r === 'not_found') return fail(404, { teamId: id.data, state: null, problem: 'no_team' as const });
		if (r === 'forbidden') error(403, { message: 'You can only change the colours of your own teams.', code: 'forbidden' });
		return { savedTeam: id.data };
	}
};
