/**
 * `agent_day_stats.meetings` and `.deals`, recounted from the `meetings` rows (never incremented),
 * so booking, recording an outcome and `rebuildMeetingStats` always agree — the same rule as the
 * call rollups of realtime/persist/rollups.ts, which leave these two columns to this module.
 * Key: the booking agent, the project, the UTC day the meeting was booked (the day of the call
 * that won it). meetings = booked and not cancelled; deals = of those, won.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db';
import { queryRows } from '../db/rows';

/** the transaction-scoped advisory lock every agent_day_stats writer takes (realtime/persist/rollups.ts) */
const ROLLUP_LOCK = 727_110_002;

export interface MeetingStatsKey {
	agentId: string;
	projectId: string;
	/** YYYY-MM-DD (UTC) */
	day: string;
}

export function bookingDay(at: Date): string {
	return at.toISOString().slice(0, 10);
}

/** Recounts one key inside the caller's transaction. */
export async function recountMeetingStats(tx: DbOrTx, key: MeetingStatsKey): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}::bigint)`);
	await tx.execute(sql`
		with counted as (
			select count(*) filter (where m.status <> 'cancelled')::int as meetings,
				count(*) filter (where m.status <> 'cancelled' and m.deal = 'won')::int as deals
			from meetings m
			where m.booked_by = ${key.agentId} and m.project_id = ${key.projectId}
				and m.created_at >= (${key.day}::date)::timestamp at time zone 'UTC'
				and m.created_at < (${key.day}::date + 1)::timestamp at time zone 'UTC'
		)
		insert into agent_day_stats as s (agent_id, project_id, day, meetings, deals, updated_at)
		select ${key.agentId}, ${key.projectId}, ${key.day}::date, c.meetings, c.deals, now() from counted c
		on conflict (agent_id, project_id, day) do update set meetings = excluded.meetings, deals = excluded.deals, updated_at = excluded.updated_at
		where (s.meetings, s.deals) is distinct from (excluded.meetings, excluded.deals)`);
	// a row that holds nothing any more goes, as the call rollups do
	await tx.execute(sql`
		delete from agent_day_stats
		where agent_id = ${key.agentId} and project_id = ${key.projectId} and day = ${key.day}::date
			and dials = 0 and contacts = 0 and talk_seconds = 0 and pause_seconds = 0 and meetings = 0 and deals = 0`);
}

/**
 * Repairs meetings/deals for every key with meetings booked in [from, to) or a stats row of those
 * days that claims some, in one set-based statement (the same counts as recountMeetingStats).
 * Returns the number of keys recounted.
 */
export async function rebuildMeetingStats(db: Db, options: { from?: Date; to?: Date } = {}): Promise<number> {
	const from = options.from?.toISOString() ?? '-infinity';
	const to = options.to?.toISOString() ?? 'infinity';
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}::bigint)`);
		const rows = await queryRows<{ n: number }>(
			tx,
			sql`with booked as (
				select m.booked_by as agent_id, m.project_id, (m.created_at at time zone 'UTC')::date as day
				from meetings m
				where m.booked_by is not null and m.created_at >= ${from}::timestamptz and m.created_at < ${to}::timestamptz
			),
			keys as (
				select agent_id, project_id, day from booked
				union
				select s.agent_id, s.project_id, s.day
				from agent_day_stats s
				where (s.meetings <> 0 or s.deals <> 0)
					and (s.day + 1)::timestamp at time zone 'UTC' > ${from}::timestamptz
					and s.day::timestamp at time zone 'UTC' < ${to}::timestamptz
			),
			counted as (
				select k.agent_id, k.project_id, k.day,
					(count(m.id) filter (where m.status <> 'cancelled'))::int as meetings,
					(count(m.id) filter (where m.status <> 'cancelled' and m.deal = 'won'))::int as deals
				from keys k
				left join meetings m on m.booked_by = k.agent_id and m.project_id = k.project_id
					and m.created_at >= k.day::timestamp at time zone 'UTC'
					and m.created_at < (k.day + 1)::timestamp at time zone 'UTC'
				group by k.agent_id, k.project_id, k.day
			),
			written as (
				insert into agent_day_stats as s (agent_id, project_id, day, meetings, deals, updated_at)
				select agent_id, project_id, day, meetings, deals, now() from counted
				on conflict (agent_id, project_id, day) do update set meetings = excluded.meetings, deals = excluded.deals, updated_at = excluded.updated_at
				where (s.meetings, s.deals) is distinct from (excluded.meetings, excluded.deals)
				returning 1
			)
			select (select count(*) from counted)::integer as n, (select count(*) from written)::integer as written`
		);
		// rows that hold nothing any more go, as recountMeetingStats does (after the upsert: a statement sees its snapshot)
		await tx.execute(sql`
			delete from agent_day_stats
			where (day + 1)::timestamp at time zone 'UTC' > ${from}::timestamptz
				and day::timestamp at time zone 'UTC' < ${to}::timestamptz
				and dials = 0 and contacts = 0 and talk_seconds = 0 and pause_seconds = 0 and meetings = 0 and deals = 0`);
		return rows[0]?.n ?? 0;
	});
}
