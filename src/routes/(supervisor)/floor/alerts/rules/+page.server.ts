import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { coachNoticeSchema, ruleSchema, saveTeamSettings, teamSettings } from '$lib/server/cockpit/settings';
import { ALERT_KINDS } from '$lib/cockpit/alert-rules';
import type { SessionUser } from '$lib/server/auth/types';
import type { Actions, PageServerLoad } from './$types';

/** A team's rules are edited by its supervisors, and by managers and admins for every team. */
function editableTeams(user: SessionUser): string[] | undefined {
	return user.role === 'manager' || user.role === 'admin' ? undefined : user.teamIds;
}

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	return { teams: await teamSettings(database.db, editableTeams(user)) };
};

export const actions: Actions = {
	save: async (event) => {
		const user = requireUser(event, 'supervisor');
		const form = await event.request.formData();
		const teamId = z.string().uuid().safeParse(form.get('teamId'));
		if (!teamId.success) return fail(400, { teamId: null, errors: { form: 'Choose a team.' } });
		const allowed = editableTeams(user);
		if (allowed && !allowed.includes(teamId.data))
			error(403, { message: 'You do not supervise this team.', code: 'forbidden' });
		const errors: Record<string, string> = {};
		const rules = ALERT_KINDS.flatMap((kind) => {
			const raw = String(form.get(`threshold_${kind}`) ?? '').replace(',', '.');
			const parsed = ruleSchema.safeParse({
				kind,
				enabled: form.get(`enabled_${kind}`) === 'on',
				threshold: raw === '' ? NaN : Number(raw)
			});
			if (parsed.success) return [parsed.data];
			errors[kind] =
				parsed.error.issues[0]?.message === 'Invalid input: expected number, received NaN'
					? 'a number is required'
					: (parsed.error.issues[0]?.message ?? 'invalid');
			return [];
		});
		const notice = coachNoticeSchema.safeParse(String(form.get('coachNotice') ?? ''));
		if (!notice.success) errors.coachNotice = notice.error.issues[0]?.message ?? 'invalid';
		if (Object.keys(errors).length || !notice.success) return fail(400, { teamId: teamId.data, errors });
		const { database } = await getServices();
		await saveTeamSettings(database.db, user.id, teamId.data, { rules, coachNotice: notice.data || null });
		return { teamId: teamId.data, saved: true };
	}
};
