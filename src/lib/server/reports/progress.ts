/**
 * Project progress: where each project's list stands (leads per status; dialled at least once,
 * untouched, exhausted), dials per day over the period (agent_day_stats), and the day the
 * untouched leads run out at the current pace. The list counts come from the latest
 * project_progress_days snapshot (at most SNAPSHOT_MS old; `asOf` says when it was taken).
 *
 * Pace = leads dialled at least once ÷ days the project has had dials (all time, from the
 * rollups): leads taken from the list per calling day. ETA = today + ⌈untouched ÷ pace⌉ calling
 * days counted as calendar days. No dials yet → no pace, no ETA.
 *
 * Leads by status over time: the project_progress_days rows of the period, one per day the
 * refresher ran (each the list as it stood at the end of that day).
 *
 * Days: the list's days (snapshots, "today" of the ETA) are the project's local days; the dials
 * per day are the agents' local days of the rollups (the same days as the agent reports, whose
 * totals they must match). See src/lib/reports/dates.ts.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { addDays, type Day } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectInScope, type ReportScope } from './scope';
import { projectToday, snapshotProgress } from './progress-snapshots';

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
	/** leads per status at the end of each day of the period that has a snapshot, by day */
	history: Array<{ day: Day; byStatus: Record<LeadStatus, number> }>;
	/** when the list counts were taken (ISO) */
	asOf: string | null;
}

interface Snapshot {
	projectId: string;
	name: string;
	/** the project's local day now */
	today: Day;
	byStatus: Record<string, [number, number]> | null;
	callingDays: number | null;
	asOf: string | null;
}

function statusCounts(byStatus: Record<string, [number, number]> | null): Record<LeadStatus, number> {
	return Object.fromEntries(LEAD_STATUSES.map((s) => [s, byStatus?.[s]?.[0] ?? 0])) as Record<LeadStatus, number>;
}

/**
 * `now`: the instant (each project's local day is its "today"), or one calendar day taken as
 * today for every project.
 */
export async function projectProgress(db: DbOrTx, scope: ReportScope, now: Date | Day): Promise<ProjectProgress[]> {
	const f = scope.filters;
	const inScope = projectInScope(scope, sql`p.id`, sql`p.team_id`);
	const today = projectToday(now);
	const snapshots = () =>
		queryRows<Snapshot>(
			db,
			sql`select p.id as "projectId", p.name, ${today}::text as today, x.by_status as "byStatus", x.calling_days as "callingDays",
					to_json(x.updated_at) #>> '{}' as "asOf"
				from projects p
				left join lateral (select * from project_progress_days d where d.project_id = p.id
					order by d.day desc limit 1) x on true
				where ${inScope} and p.archived_at is null`
		);
	const [first, daily, history] = await Promise.all([
		snapshots(),
		queryRows<{ projectId: string; day: string; dials: number }>(
			db,
			sql`select s.project_id as "projectId", s.day::text as day, sum(s.dials)::integer as dials
				from agent_day_stats s join projects p on p.id = s.project_id
				where ${inScope} and s.day >= ${f.from}::date and s.day < ${addDays(f.to, 1)}::date
					and ${agentIn(scope, sql`s.agent_id`)}
				group by 1, 2
				order by 2`
		),
		queryRows<{ projectId: string; day: string; byStatus: Record<string, [number, number]> }>(
			db,
			sql`select d.project_id as "projectId", d.day::text as day, d.by_status as "byStatus"
				from project_progress_days d join projects p on p.id = d.project_id
				where ${inScope} and d.day >= ${f.from}::date and d.day <= ${f.to}::date
				order by d.day`
		)
	]);
	// a project the refresher has not seen yet (just created): count now
	let lists = first;
	if (lists.some((l) => l.byStatus === null)) {
		await snapshotProgress(db, now);
		lists = await snapshots();
	}
	const out = new Map<string, ProjectProgress>();
	for (const r of lists) {
		const byStatus = statusCounts(r.byStatus);
		const p: ProjectProgress = { projectId: r.projectId, name: r.name, leads: 0, byStatus, dialled: 0, untouched: 0, exhausted: 0, callingDays: r.callingDays ?? 0, pace: null, eta: null, daily: [], history: [], asOf: r.asOf === null ? null : new Date(r.asOf).toISOString() };
		for (const status of LEAD_STATUSES) {
			const [n, dialled] = r.byStatus?.[status] ?? [0, 0];
			p.leads += n;
			p.dialled += dialled;
			if (status === 'new') p.untouched += n - dialled;
			if (status === 'exhausted') p.exhausted += n;
		}
		p.pace = p.callingDays > 0 && p.dialled > 0 ? p.dialled / p.callingDays : null;
		p.eta = p.pace ? addDays(r.today, Math.ceil(p.untouched / p.pace)) : null;
		out.set(r.projectId, p);
	}
	for (const d of daily) out.get(d.projectId)?.daily.push({ day: d.day, dials: d.dials });
	for (const h of history) out.get(h.projectId)?.history.push({ day: h.day, byStatus: statusCounts(h.byStatus) });
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
