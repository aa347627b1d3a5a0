/**
 * Database side of the floor colours and charts: teams' thresholds (read by the leader, edited by
 * supervisors and managers, audited), and the few aggregate reads the leader makes once for
 * every viewer (lead counts per project and status, call targets, today's calls at start-up).
 */
import { and, asc, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import type { ProjectLeadStatus, ProjectTodayView, TeamThresholdsView } from '$lib/protocol';
import type { SessionUser } from '../auth/types';
import type { Db } from '../db';
import { calls, projectAgents, projectLeads, projects, teams } from '../db/schema';
import { audit } from '../audit';
import { queryRows } from '../db/rows';
import {
	parseTeamThresholds,
	stepsProblem,
	type StepsProblem,
	THRESHOLD_STATES,
	type TeamThresholds,
	type ThresholdState
} from '$lib/components/floor/thresholds';

export interface TeamThresholdsRow {
	id: string;
	name: string;
	thresholds: TeamThresholds;
}

/** Managers and admins edit every team's colours; supervisors their own teams'. */
export function canEditTeam(user: Pick<SessionUser, 'role' | 'teamIds'>, teamId: string): boolean {
	if (user.role === 'admin' || user.role === 'manager') return true;
	return user.role === 'supervisor' && user.teamIds.includes(teamId);
}

/** The teams whose colours `user` may edit, with what they store. */
export async function editableTeams(db: Db, user: Pick<SessionUser, 'role' | 'teamIds'>): Promise<TeamThresholdsRow[]> {
	const seesAll = user.role === 'admin' || user.role === 'manager';
	if (!seesAll && (user.role !== 'supervisor' || user.teamIds.length === 0)) return [];
	const q = db.select({ id: teams.id, name: teams.name, thresholds: teams.thresholds }).from(teams);
	const rows = await (seesAll ? q : q.where(inArray(teams.id, user.teamIds))).orderBy(asc(teams.name));
	return rows.map((r) => ({ id: r.id, name: r.name, thresholds: parseTeamThresholds(r.thresholds) }));
}

/** Every team's stored overrides (for the leader to publish). */
export async function allTeamThresholds(db: Db): Promise<Record<string, TeamThresholdsView>> {
	const rows = await db.select({ id: teams.id, thresholds: teams.thresholds }).from(teams).where(isNotNull(teams.thresholds));
	const out: Record<string, TeamThresholdsView> = {};
	for (const r of rows) {
		const t = parseTeamThresholds(r.thresholds);
		const view: TeamThresholdsView = {};
		for (const s of THRESHOLD_STATES) {
			const steps = t[s];
			if (steps) view[s] = [steps[0], steps[1], steps[2]];
		}
		if (Object.keys(view).length) out[r.id] = view;
	}
	return out;
}

export type FormProblem = StepsProblem | 'incomplete';

/**
 * Reads the form: for each state either three fields `<state>.yellow|orange|red` (all filled) or
 * none (the state keeps the default). Returns the overrides, or the first problem and its state.
 */
export function readThresholdsForm(
	form: FormData
): { ok: true; thresholds: TeamThresholds } | { ok: false; state: ThresholdState; problem: FormProblem } {
	const out: Partial<Record<ThresholdState, readonly [number, number, number]>> = {};
	for (const s of THRESHOLD_STATES) {
		const values = ['yellow', 'orange', 'red'].map((k) => String(form.get(`${s}.${k}`) ?? '').trim());
		if (values.every((v) => v === '')) continue;
		if (values.some((v) => v === '')) return { ok: false, state: s, problem: 'incomplete' };
		const steps = values.map((v) => (/^-?\d+$/.test(v) ? Number(v) : Number.NaN));
		const problem = stepsProblem(steps);
		if (problem) return { ok: false, state: s, problem };
		out[s] = [steps[0]!, steps[1]!, steps[2]!];
	}
	return { ok: true, thresholds: out };
}

/** Stores a team's overrides (an empty object resets the team to the defaults) and audits the change. */
export async function saveTeamThresholds(
	db: Db,
	actor: Pick<SessionUser, 'id' | 'role' | 'teamIds'>,
	teamId: string,
	thresholds: TeamThresholds,
	ip?: string
): Promise<'ok' | 'forbidden' | 'not_found'> {
	if (!canEditTeam(actor, teamId)) return 'forbidden';
	return db.transaction(async (tx) => {
		const [before] = await tx.select({ thresholds: teams.thresholds }).from(teams).where(eq(teams.id, teamId));
		if (!before) return 'not_found';
		const stored: Record<string, [number, number, number]> = {};
		for (const [s, v] of Object.entries(thresholds)) if (v) stored[s] = [v[0], v[1], v[2]];
		const value = Object.keys(stored).length ? stored : null;
		await tx.update(teams).set({ thresholds: value }).where(eq(teams.id, teamId));
		await audit(tx, {
			actorId: actor.id,
			action: 'team.thresholds_changed',
			target: `team:${teamId}`,
			details: { before: before.thresholds ?? null, after: value },
			ip
		});
		return 'ok';
	});
}

export interface ProjectCountsRow {
	projectId: string;
	name: string;
	teamId: string | null;
	counts: Record<ProjectLeadStatus, number>;
}

/** Leads per status of every active project: one grouped read for all viewers. */
export async function activeProjectCounts(db: Db): Promise<ProjectCountsRow[]> {
	const active = await db
		.select({ id: projects.id, name: projects.name, teamId: projects.teamId })
		.from(projects)
		.where(eq(projects.status, 'active'))
		.orderBy(asc(projects.name));
	if (!active.length) return [];
	const rows = await db
		.select({ projectId: projectLeads.projectId, status: projectLeads.status, n: sql<number>`count(*)::int` })
		.from(projectLeads)
		.where(inArray(projectLeads.projectId, active.map((p) => p.id)))
		.groupBy(projectLeads.projectId, projectLeads.status);
	const byProject = new Map(
		active.map((p) => [
			p.id,
			{ projectId: p.id, name: p.name, teamId: p.teamId, counts: { new: 0, callback: 0, in_progress: 0, done: 0, exhausted: 0, dnc: 0 } }
		])
	);
	for (const r of rows) {
		const p = byProject.get(r.projectId);
		if (p) p.counts[r.status] = Number(r.n);
	}
	return [...byProject.values()];
}

/** Per agent, the highest daily call target among their active projects. */
export async function agentCallTargets(db: Db): Promise<Map<string, number>> {
	const rows = await db
		.select({ userId: projectAgents.userId, target: sql<number>`max(${projects.targetCalls})::int` })
		.from(projectAgents)
		.innerJoin(projects, eq(projects.id, projectAgents.projectId))
		.where(eq(projects.status, 'active'))
		.groupBy(projectAgents.userId);
	return new Map(rows.map((r) => [r.userId, Number(r.target)]));
}

/** Today's outbound calls so far, to seed the leader's counters when it starts. */
export async function outboundCallsSince(
	db: Db,
	since: Date
): Promise<{ agentId: string; pbx: string; linkedid: string; startedAt: Date }[]> {
	const rows = await db
		.select({ agentId: calls.agentId, pbx: calls.pbx, linkedid: calls.linkedid, startedAt: calls.startedAt })
		.from(calls)
		.where(and(gte(calls.startedAt, since), eq(calls.direction, 'out'), isNotNull(calls.agentId)));
	return rows.flatMap((r) => (r.agentId ? [{ agentId: r.agentId, pbx: r.pbx, linkedid: r.linkedid, startedAt: r.startedAt }] : []));
}

/**
 * Each listed project's day so far (since `since`): outbound dials, of them answered, meetings
 * booked, and its targets (per-agent daily targets × performers). One read for all viewers, on the
 * indexes calls (project_id, started_at) and meetings (project_id, …).
 */
export async function projectsToday(db: Db, projectIds: readonly string[], since: Date): Promise<Map<string, ProjectTodayView>> {
	if (!projectIds.length) return new Map();
	const rows = await queryRows<{ id: string } & ProjectTodayView>(
		db,
		sql`select p.id,
			coalesce(c.dials, 0)::int as dials, coalesce(c.connects, 0)::int as connects,
			(select count(*) from meetings m where m.project_id = p.id and m.created_at >= ${since.toISOString()}::timestamptz)::int as meetings,
			(p.target_calls * pa.n)::int as "dialTarget", (p.target_meetings * pa.n)::int as "meetingTarget"
		from projects p
		cross join lateral (select count(*) as n from project_agents a where a.project_id = p.id) pa
		left join lateral (
			select count(*) as dials, count(*) filter (where answered_at is not null) as connects
			from calls where project_id = p.id and direction = 'out' and started_at >= ${since.toISOString()}::timestamptz
		) c on true
		where p.id in (${sql.join(projectIds.map((id) => sql`${id}::uuid`), sql`, `)})`
	);
	return new Map(rows.map(({ id, ...today }) => [id, { ...today }]));
}
