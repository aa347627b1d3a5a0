/**
 * Failure diagram: why dials did not turn into conversations, as a Pareto (most frequent first,
 * with the cumulative share). Reasons are defined in reasons.ts; the counts come from
 * agent_day_stats.failures (per agent, project and the agent's local day), so the period is in
 * local days like every rollup report; the drill-down reads the raw calls behind a bar.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { addDays } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectIs, type ReportScope } from './scope';
import { filterParams } from './filters';
import { DIAL_REASON_PREFIX } from './reasons';


export interface FailureReason {
	/** disposition code, or dial:<STATUS> */
	reason: string;
	/** the disposition's label, or the dial status */
	label: string;
	calls: number;
}

export async function failureReasons(db: DbOrTx, scope: ReportScope): Promise<FailureReason[]> {
	const f = scope.filters;
	return queryRows<FailureReason>(
		db,
		sql`with counted as (
				select r.key as reason, sum(r.value::integer)::integer as calls
				from agent_day_stats s
				cross join lateral jsonb_each_text(s.failures) as r(key, value)
				where s.day >= ${f.from}::date and s.day < ${addDays(f.to, 1)}::date
					and s.failures <> '{}'::jsonb
					and ${projectIs(scope, sql`s.project_id`)} and ${agentIn(scope, sql`s.agent_id`)}
				group by 1
			)
			select c.reason,
				case when starts_with(c.reason, ${DIAL_REASON_PREFIX}) then substr(c.reason, ${DIAL_REASON_PREFIX.length + 1})
					else coalesce((select min(d.label) from dispositions d
						where d.code = c.reason and ${projectIs(scope, sql`d.project_id`)}), c.reason) end as label,
				c.calls
			from counted c
			order by c.calls desc, c.reason`
	);
}

export function failureTable(rows: readonly FailureReason[], scope: ReportScope): ReportTable {
	const total = rows.reduce((n, r) => n + r.calls, 0);
	let running = 0;
	const base = filterParams(scope.filters);
	return {
		columns: [
			{ key: 'reason', kind: 'text' },
			{ key: 'calls', kind: 'int' },
			{ key: 'share', kind: 'pct' },
			{ key: 'cumulative', kind: 'pct' }
		],
		rows: rows.map((r) => {
			running += r.calls;
			return [r.label, r.calls, total ? r.calls / total : null, total ? running / total : null];
		}),
		drill: rows.map((r) => {
			const p = new URLSearchParams(base);
			p.set('reason', r.reason);
			return [null, p.toString(), null, null];
		})
	};
}
