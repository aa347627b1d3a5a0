/**
 * Failure diagram: why dials did not turn into conversations, as a Pareto (most frequent first,
 * with the cumulative share). A reason is the disposition the agent chose when its kind is
 * refusal or failure, or final without a meeting (not interested, wrong number), or — for an unanswered call with no disposition — the dial status the PBX
 * gave (BUSY, NOANSWER, CHANUNAVAIL…), keyed `dial:<STATUS>`. Raw calls, through the
 * (project, started_at) / (agent, started_at) indexes; the period is in UTC days.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { addDays } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectIs, type ReportScope } from './scope';
import { filterParams } from './filters';

export interface FailureReason {
	/** disposition code, or dial:<STATUS> */
	reason: string;
	/** the disposition's label, or the dial status */
	label: string;
	calls: number;
}

/** Every call that is a failure or refusal, with its reason key. Shared with the drill-down. */
const FAILED_DISPOSITION = sql`(d.kind in ('refusal', 'failure') or (d.kind = 'final' and not d.is_meeting))`;
export const REASON_KEY = sql`case when ${FAILED_DISPOSITION} then d.code
	else 'dial:' || coalesce(nullif(c.dial_status, ''), 'UNKNOWN') end`;
export const IS_FAILURE = sql`(${FAILED_DISPOSITION} or (c.disposition_id is null and c.answered_at is null))`;

export function periodOf(scope: ReportScope, column: SQL): SQL {
	return sql`${column} >= ${scope.filters.from}::timestamp at time zone 'UTC'
		and ${column} < ${addDays(scope.filters.to, 1)}::timestamp at time zone 'UTC'`;
}

export async function failureReasons(db: DbOrTx, scope: ReportScope): Promise<FailureReason[]> {
	return queryRows<FailureReason>(
		db,
		sql`select ${REASON_KEY} as reason,
				coalesce(min(d.label) filter (where ${FAILED_DISPOSITION}), coalesce(nullif(min(c.dial_status), ''), 'UNKNOWN')) as label,
				count(*)::integer as calls
			from calls c
			left join dispositions d on d.id = c.disposition_id
			where ${periodOf(scope, sql`c.started_at`)} and c.direction = 'out'
				and ${projectIs(scope, sql`c.project_id`)} and ${agentIn(scope, sql`c.agent_id`)}
				and ${IS_FAILURE}
			group by 1
			order by 3 desc, 1`
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
