/**
 * Project progress: where each project's list stands (leads per status; dialled at least once,
 * untouched, exhausted), dials per day over the period (agent_day_stats), and the day the
 * untouched leads run out at the current pace.
 *
 * Pace = leads dialled at least once ÷ days the project has had dials (all time, from the
 * rollups): leads taken from the list per calling day. ETA = today + ⌈untouched ÷ pace⌉ calling
 * days counted as calendar days. No dials yet → no pace, no ETA.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { addDays, type Day } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectInScope, type ReportScope } from './scope';

export const LEAD_STATUSES = ['new', 'callback', 'in_progress', 'done', 'exhausted', 'dnc'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export interface ProjectProgress {
	projectId: string;
	name: string;
	leads: number;
	byStatus: Record<LeadStatus, number>;
	dialled: number;
	untouched: number;
	exhausted: number;
	callingDays: number;
	/** leads per calling day, null before any dial */
	pace: number | null;
	eta: Day | null;
	/** dials per day in the period (days with dials only) */
	daily: Array<{ day: Day; dials: number }>;
}

export async function projectProgress(db: DbOrTx, scope: ReportScope, today: Day): Promise<ProjectProgress[]> {
	const f = scope.filters;
	const inScope = projectInScope(scope, sql`p.id`, sql`p.team_id`);
	const [lists, days, daily] = await Promise.all([
		queryRows<{ projectId: string; name: string; status: LeadStatus; n: number; dialled: number }>(
			db,
			sql`select p.id as "projectId", p.name, pl.status, count(*)::integer as n,
					(count(*) filter (where pl.attempts > 0))::integer as dialled
				from projects p
				join project_leads pl on pl.project_id = p.id
				where ${inScope} and p.archived_at is null
				group by p.id, p.name, pl.status`
		),
		queryRows<{ projectId: string; days: number }>(
			db,
			sql`select s.project_id as "projectId", count(distinct s.day)::integer as days
				from agent_day_stats s join projects p on p.id = s.project_id
				where ${inScope} and s.dials > 0
				group by s.project_id`
		),
		queryRows<{ projectId: string; day: string; dials: number }>(
			db,
			sql`select s.project_id as "projectId", s.day::text as day, sum(s.dials)::integer as dials
				from agent_day_stats s join projects p on p.id = s.project_id
				where ${inScope} and s.day >= ${f.from}::date and s.day < ${addDays(f.to, 1)}::date
					and ${agentIn(scope, sql`s.agent_id`)}
				group by 1, 2
				order by 2`
		)
	]);
	const out = new Map<string, ProjectProgress>();
	for (const r of lists) {
		let p = out.get(r.projectId);
		if (!p) {
			const byStatus = Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>;
			out.set(
				r.projectId,
				(p = { projectId: r.projectId, name: r.name, leads: 0, byStatus, dialled: 0, untouched: 0, exhausted: 0, callingDays: 0, pace: null, eta: null, daily: [] })
			);
		}
		p.leads += r.n;
		p.byStatus[r.status] = r.n;
		p.dialled += r.dialled;
		if (r.status === 'new') p.untouched += r.n - r.dialled;
		if (r.status === 'exhausted') p.exhausted += r.n;
	}
	for (const d of days) {
		const p = out.get(d.projectId);
		if (!p) continue;
		p.callingDays = d.days;
		p.pace = d.days > 0 && p.dialled > 0 ? p.dialled / d.days : null;
		p.eta = p.pace ? addDays(today, Math.ceil(p.untouched / p.pace)) : null;
	}
	for (const d of daily) out.get(d.projectId)?.daily.push({ day: d.day, dials: d.dials });
	return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function progressTable(rows: readonly ProjectProgress[]): ReportTable {
	return {
		columns: [
			{ key: 'project', kind: 'text' },
			{ key: 'leads', kind: 'int' },
			...LEAD_STATUSES.map((s) => ({ key: `status_${s}`, kind: 'int' as const })),
			{ key: 'dialled', kind: 'int' },
			{ key: 'untouched', kind: 'int' },
			{ key: 'pace', kind: 'int' },
			{ key: 'eta', kind: 'day' }
		],
		rows: rows.map((p) => [
			p.name,
			p.leads,
			...LEAD_STATUSES.map((s) => p.byStatus[s]),
			p.dialled,
			p.untouched,
			p.pace === null ? null : Math.round(p.pace * 10) / 10,
			p.eta
		])
	};
}
