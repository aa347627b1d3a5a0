/**
 * Per-team cockpit settings (`cockpit_team_settings`): alert rules and the agent's coaching notice.
 * Who may edit a team's settings: its supervisors, and managers/admins for every team.
 */
import { eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { AlertKind, AlertRule } from '$lib/protocol';
import { ALERT_KINDS, completeRules } from '../../cockpit/alert-rules';
import type { DbOrTx } from '../db';
import { cockpitTeamSettings, teams } from '../db/schema';
import { audit } from '../audit';

export const ruleSchema = z.object({
	kind: z.enum(ALERT_KINDS as [AlertKind, ...AlertKind[]]),
	enabled: z.boolean(),
	// minutes may be fractional (0.05 min = 3 s) so a drill can trip a rule at once
	threshold: z.number().positive('must be above zero').max(100_000, 'too large')
});
export const coachNoticeSchema = z.string().trim().max(200, 'at most 200 characters');

export interface TeamSettings {
	teamId: string;
	teamName: string;
	rules: AlertRule[];
	coachNotice: string | null;
}

/** Every team (or the given ones) with its rules completed with the defaults. */
export async function teamSettings(db: DbOrTx, teamIds?: readonly string[]): Promise<TeamSettings[]> {
	const query = db
		.select({
			teamId: teams.id,
			teamName: teams.name,
			rules: cockpitTeamSettings.alertRules,
			coachNotice: cockpitTeamSettings.coachNotice
		})
		.from(teams)
		.leftJoin(cockpitTeamSettings, eq(cockpitTeamSettings.teamId, teams.id))
		.orderBy(teams.name);
	const rows = teamIds
		? teamIds.length
			? await query.where(inArray(teams.id, [...teamIds]))
			: []
		: await query;
	return rows.map((r) => ({
		teamId: r.teamId,
		teamName: r.teamName,
		rules: completeRules(
			(r.rules ?? []).map((x) => ruleSchema.safeParse(x)).flatMap((p) => (p.success ? [p.data] : []))
		),
		coachNotice: r.coachNotice ?? null
	}));
}

export async function saveTeamSettings(
	db: DbOrTx,
	actorId: string,
	teamId: string,
	settings: { rules: AlertRule[]; coachNotice: string | null }
): Promise<void> {
	const values = {
		alertRules: settings.rules,
		coachNotice: settings.coachNotice || null,
		updatedAt: new Date()
	};
	await db
		.insert(cockpitTeamSettings)
		.values({ teamId, ...values })
		.onConflictDoUpdate({ target: cockpitTeamSettings.teamId, set: values });
	await audit(db, {
		actorId,
		action: 'alert.rules_changed',
		target: teamId,
		details: { rules: settings.rules, coachNotice: settings.coachNotice }
	});
}
