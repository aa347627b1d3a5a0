/**
 * What a failed dial is and which reason it counts under, as SQL over `calls c` left-joined to
 * `dispositions d`. One definition for the rollup (agent_day_stats.failures), the failure diagram
 * and its drill-down, so a bar and the calls behind it always agree.
 *
 * A reason is the disposition the agent chose when its kind is refusal or failure, or final
 * without a meeting (not interested, wrong number), or — for an unanswered call with no
 * disposition — the dial status the PBX gave (BUSY, NOANSWER, CHANUNAVAIL…), keyed `dial:<STATUS>`.
 */
import { sql } from 'drizzle-orm';

export const FAILED_DISPOSITION = sql`(d.kind in ('refusal', 'failure') or (d.kind = 'final' and not d.is_meeting))`;
export const REASON_KEY = sql`case when ${FAILED_DISPOSITION} then d.code
	else 'dial:' || coalesce(nullif(c.dial_status, ''), 'UNKNOWN') end`;
export const IS_FAILURE = sql`(${FAILED_DISPOSITION} or (c.disposition_id is null and c.answered_at is null))`;
/** the reason key prefix of dial statuses */
export const DIAL_REASON_PREFIX = 'dial:';
