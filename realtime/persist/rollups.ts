/**
 * `agent_day_stats`, recomputed from raw rows: never incremented, so recomputing a key twice, or
 * after a replay, gives the same row. One statement serves both paths:
 * - incremental: the keys touched by a batch (old and new rollup keys of its calls, days of its
 *   pause intervals), in the batch's transaction;
 * - `rebuildRollups`: every key with raw rows (or a stats row) in a time range.
 *
 * A key is (agent, project, day) where day is the agent's local calendar day (`timezone(agentId)`,
 * default UTC) and calls without a project count under NIL_UUID. Per key:
 * - dials: calls started that day with direction out; contacts: of those started that day, the
 *   answered ones; conversations: answered with talk ≥ 30 s; talk_seconds: their talk; a call
 *   counts entirely on its start day (23:59:50 → that day);
 * - hourly: dials per local hour 0..23;
 * - talk_over: answered calls with talk ≥ each of CONVERSATION_THRESHOLDS (the conversion
 *   report's "conversations longer than N s");
 * - failures: failed dials per reason key (src/lib/server/reports/reasons.ts), the failure diagram;
 * - pause_seconds: time in state `paused` that day (intervals clipped at local midnight), on the
 *   NIL_UUID project row (a pause belongs to no project); pause_reasons: the same per reason
 *   ('' when none was given), each rounded to whole seconds;
 * - meetings, deals: left as they are (other code owns them).
 * A key whose counts are all zero has no row (a row that drops to zero is deleted) unless other
 * code gave it meetings or deals; so the table is a function of the raw rows, whatever the batching.
 * Existing rows are updated only when a value changed (replays write nothing).
 * Rollup writers serialise on a transaction-scoped advisory lock, so a rebuild racing the live
 * persister cannot write a rollup computed from a stale snapshot.
 */
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import { NIL_UUID } from '../../src/lib/server/db/schema';
import { CONVERSATION_THRESHOLDS, DEFAULT_CONVERSATION_SECONDS } from '../../src/lib/reports/conversation';
import { IS_FAILURE, REASON_KEY } from '../../src/lib/server/reports/reasons';

export type TimezoneOf = (agentId: string) => string;

export interface RollupLog {
	warn(obj: object, msg: string): void;
}

/** Time the agent's rollups are keyed on, as raw rows see it: [from, to] (a call: from = to = start). */
export interface Span {
	agentId: string;
	/** NIL_UUID for no project */
	projectId: string;
	from: Date | string;
	to: Date | string;
}

const ROLLUP_LOCK = 727_110_002;
const NIL = sql`${NIL_UUID}::uuid`;

const validZones = new Map<string, boolean>();

function isZone(tz: string): boolean {
	let ok = validZones.get(tz);
	if (ok === undefined) {
		try {
			new Intl.DateTimeFormat('en-US', { timeZone: tz });
			ok = true;
		} catch {
			ok = false;
		}
		validZones.set(tz, ok);
	}
	return ok;
}

/** `timezone` made total: a throwing or unknown answer falls back to UTC (once logged per zone). */
export function zoneResolver(timezone: TimezoneOf | undefined, log?: RollupLog): TimezoneOf {
	if (timezone === undefined) return () => 'UTC';
	const warned = new Set<string>();
	return (agentId) => {
		let tz: unknown;
		try {
			tz = timezone(agentId);
		} catch (err) {
			log?.warn({ err, agentId }, 'persist: timezone() threw, using UTC');
			return 'UTC';
		}
		if (typeof tz === 'string' && isZone(tz)) return tz;
		const key = String(tz);
		if (!warned.has(key)) {
			warned.add(key);
			log?.warn({ agentId, tz: key }, 'persist: unknown time zone, using UTC');
		}
		return 'UTC';
	};
}

function zonesJson(agentIds: Iterable<string>, tzOf: TimezoneOf): string {
	const out: Array<{ agent_id: string; tz: string }> = [];
	for (const id of new Set(agentIds)) out.push({ agent_id: id, tz: tzOf(id) });
	return JSON.stringify(out);
}

/** One rollup row to recompute. */
interface DayKey {
	agent_id: string;
	project_id: string;
	/** YYYY-MM-DD, the agent's local day */
	day: string;
	tz: string;
}

/**
 * Pause intervals are looked up by (agent_id, started_at) (the only index of agent_state_log): an
 * interval counts on the days within this long after its start. Longer pauses are clipped, the
 * same way on every path, so rollups stay a function of the raw rows.
 */
const PAUSE_LOOKBACK = sql`interval '7 days'`;
/** keys per statement (the JSON parameter stays small and the plan stays an index nested loop) */
const KEYS_PER_STATEMENT = 2000;

/**
 * The (agent, project, local day) keys that `spans` touch. `spans` is a query of
 * (agent_id, project_id, lo, hi) that may refer to the `zone` CTE (agent_id, tz); an agent missing
 * from `zone` is on UTC. A separate statement, so the recompute below is planned for the real,
 * small number of keys.
 */
async function dayKeys(db: DbOrTx, zones: string, spans: SQL): Promise<DayKey[]> {
	return queryRows<DayKey>(
		db,
		sql`with zone as (
			select * from jsonb_to_recordset(${zones}::jsonb) as z(agent_id uuid, tz text)
		),
		spans (agent_id, project_id, lo, hi) as (${spans})
		select distinct s.agent_id::text, s.project_id::text, d.day::date::text as day, coalesce(z.tz, 'UTC') as tz
		from spans s
		left join zone z on z.agent_id = s.agent_id
		cross join lateral generate_series(
			(s.lo at time zone coalesce(z.tz, 'UTC'))::date::timestamp,
			(s.hi at time zone coalesce(z.tz, 'UTC'))::date::timestamp,
			interval '1 day') as d(day)`
	);
}

const ZERO_HOURS = sql.raw(`'${JSON.stringify(Array<number>(24).fill(0))}'::jsonb`);
const ZERO_TALK = sql.raw(`'${JSON.stringify(CONVERSATION_THRESHOLDS.map(() => 0))}'::jsonb`);
const HOURLY = sql.raw(
	`jsonb_build_array(${Array.from({ length: 24 }, (_, h) => `coalesce(sum(dials) filter (where hour = ${h}), 0)::integer`).join(', ')})`
);
const TALK_OVER_COUNTS = sql.raw(
	CONVERSATION_THRESHOLDS.map((n, i) => `count(*) filter (where answered_at is not null and talk_seconds >= ${n}) as over_${i}`).join(', ')
);
const TALK_OVER = sql.raw(`jsonb_build_array(${CONVERSATION_THRESHOLDS.map((_, i) => `sum(over_${i})::integer`).join(', ')})`);
/** a call's columns the rollup reads, given `c` (calls) left-joined to `d` (dispositions) */
const CALL_FACTS = sql`c.direction, c.answered_at, c.talk_seconds,
	(c.direction = 'out' and ${IS_FAILURE}) as failed, ${REASON_KEY} as reason`;

/**
 * The CTEs both paths share, after the path-specific ones:
 * - `matched` (agent_id, project_id, day, hour, + CALL_FACTS): the calls of the keys;
 * - `pause_by_reason` (agent_id, project_id, day, reason, seconds): clipped pause time;
 * then `keys` (agent_id, project_id, day), the rows to recompute, which may refer to `totals` and
 * `pauses`. Ends in `fresh`: the rows as the raw rows say they are.
 */
const freshCtes = (keys: SQL): SQL => sql`cells as (
	select agent_id, project_id, day, hour, case when failed then reason end as reason,
		count(*) as n,
		count(*) filter (where direction = 'out') as dials,
		count(*) filter (where answered_at is not null) as contacts,
		count(*) filter (where answered_at is not null and talk_seconds >= ${sql.raw(String(DEFAULT_CONVERSATION_SECONDS))}) as conversations,
		sum(talk_seconds) as talk_seconds,
		${TALK_OVER_COUNTS}
	from matched
	group by agent_id, project_id, day, hour, case when failed then reason end
),
-- one pass over the calls into small cells (key, hour, failure reason), then the key's totals,
-- hours and reasons from the cells: few aggregates per call
totals as (
	select agent_id, project_id, day,
		sum(dials)::integer as dials,
		sum(contacts)::integer as contacts,
		sum(conversations)::integer as conversations,
		coalesce(sum(talk_seconds), 0)::integer as talk_seconds,
		${HOURLY} as hourly,
		${TALK_OVER} as talk_over
	from cells
	group by agent_id, project_id, day
),
reasons as (
	select agent_id, project_id, day, jsonb_object_agg(reason, n) as failures
	from (select agent_id, project_id, day, reason, sum(n)::integer as n
		from cells where reason is not null group by agent_id, project_id, day, reason) r
	group by agent_id, project_id, day
),
pauses as (
	select agent_id, project_id, day, sum(seconds) as seconds,
		jsonb_object_agg(reason, round(seconds)::integer order by reason) as reasons
	from pause_by_reason
	group by agent_id, project_id, day
),
keys as (${keys}),
fresh as (
	select k.agent_id, k.project_id, k.day,
		coalesce(t.dials, 0) as dials,
		coalesce(t.contacts, 0) as contacts,
		coalesce(t.conversations, 0) as conversations,
		coalesce(t.talk_seconds, 0) as talk_seconds,
		coalesce(round(p.seconds), 0)::integer as pause_seconds,
		coalesce(p.reasons, '{}'::jsonb) as pause_reasons,
		coalesce(t.hourly, ${ZERO_HOURS}) as hourly,
		coalesce(t.talk_over, ${ZERO_TALK}) as talk_over,
		coalesce(r.failures, '{}'::jsonb) as failures
	from keys k
	left join totals t on t.agent_id = k.agent_id and t.project_id = k.project_id and t.day = k.day
	left join reasons r on r.agent_id = k.agent_id and r.project_id = k.project_id and r.day = k.day
	left join pauses p on p.agent_id = k.agent_id and p.project_id = k.project_id and p.day = k.day
)`;

/** Writes `fresh` over agent_day_stats (the CTE list `ctes` must define it); returns the rows inserted, changed or deleted. */
async function writeFresh(db: DbOrTx, ctes: SQL): Promise<number> {
	const rows = await queryRows<{ n: number }>(
		db,
		sql`with ${ctes},
		written as (
			insert into agent_day_stats as s (agent_id, project_id, day, dials, contacts, conversations,
				talk_seconds, pause_seconds, pause_reasons, hourly, talk_over, failures, updated_at)
			select f.agent_id, f.project_id, f.day, f.dials, f.contacts, f.conversations,
				f.talk_seconds, f.pause_seconds, f.pause_reasons, f.hourly, f.talk_over, f.failures, now()
			from fresh f
			where f.dials + f.contacts + f.talk_seconds + f.pause_seconds > 0
				or exists (select 1 from agent_day_stats x
					where x.agent_id = f.agent_id and x.project_id = f.project_id and x.day = f.day
						and (x.meetings <> 0 or x.deals <> 0))
			on conflict (agent_id, project_id, day) do update set
				dials = excluded.dials,
				contacts = excluded.contacts,
				conversations = excluded.conversations,
				talk_seconds = excluded.talk_seconds,
				pause_seconds = excluded.pause_seconds,
				pause_reasons = excluded.pause_reasons,
				hourly = excluded.hourly,
				talk_over = excluded.talk_over,
				failures = excluded.failures,
				updated_at = excluded.updated_at
			where (s.dials, s.contacts, s.conversations, s.talk_seconds, s.pause_seconds, s.pause_reasons, s.hourly,
					s.talk_over, s.failures)
				is distinct from (excluded.dials, excluded.contacts, excluded.conversations,
					excluded.talk_seconds, excluded.pause_seconds, excluded.pause_reasons, excluded.hourly,
					excluded.talk_over, excluded.failures)
			returning 1
		),
		emptied as (
			delete from agent_day_stats x
			using fresh f
			where x.agent_id = f.agent_id and x.project_id = f.project_id and x.day = f.day
				and f.dials + f.contacts + f.talk_seconds + f.pause_seconds = 0
				and x.meetings = 0 and x.deals = 0
			returning 1
		)
		select ((select count(*) from written) + (select count(*) from emptied))::integer as n`
	);
	return rows[0]?.n ?? 0;
}

/** Recompute the rows of `keys` from raw rows, key by key (index nested loops); returns the rows written. */
async function recomputeKeys(db: DbOrTx, keys: readonly DayKey[]): Promise<number> {
	return writeFresh(
		db,
		sql`bounds as (
			select k.agent_id, k.project_id, k.day, k.tz,
				k.day::timestamp at time zone k.tz as lo,
				(k.day + 1)::timestamp at time zone k.tz as hi
			from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(agent_id uuid, project_id uuid, day date, tz text)
			-- tells the planner how few keys there are (a set-returning function counts as 100 rows):
			-- index nested loops on calls and agent_state_log rather than scans of whole tables
			limit ${sql.raw(String(keys.length))}
		),
		matched as (
			select b.agent_id, b.project_id, b.day,
				extract(hour from c.started_at at time zone b.tz)::integer as hour, ${CALL_FACTS}
			from bounds b
			join calls c on c.agent_id = b.agent_id
				and c.started_at >= b.lo and c.started_at < b.hi
				and coalesce(c.project_id, ${NIL}) = b.project_id
			left join dispositions d on d.id = c.disposition_id
		),
		pause_by_reason as (
			select b.agent_id, b.project_id, b.day, coalesce(l.reason, '') as reason,
				sum(extract(epoch from least(l.ended_at, b.hi) - greatest(l.started_at, b.lo))) as seconds
			from bounds b
			join agent_state_log l on l.agent_id = b.agent_id
				and l.started_at < b.hi and l.started_at > b.lo - ${PAUSE_LOOKBACK}
				and l.ended_at > b.lo and l.state = 'paused'
			where b.project_id = ${NIL}
			group by b.agent_id, b.project_id, b.day, coalesce(l.reason, '')
		),
		${freshCtes(sql`select agent_id, project_id, day from bounds`)}`
	);
}

/**
 * The shared path: lock, find the keys the spans touch, recompute them. Returns the rows
 * inserted, changed or deleted.
 */
async function recompute(
	db: DbOrTx,
	zones: string,
	spans: SQL,
	keysPerStatement = KEYS_PER_STATEMENT
): Promise<number> {
	await db.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}::bigint)`);
	const keys = await dayKeys(db, zones, spans);
	let n = 0;
	for (let i = 0; i < keys.length; i += keysPerStatement) {
		// small statements with the event loop free in between (PGlite runs on the loop's thread)
		if (i > 0 && keysPerStatement < KEYS_PER_STATEMENT) await new Promise((r) => setImmediate(r));
		n += await recomputeKeys(db, keys.slice(i, i + keysPerStatement));
	}
	return n;
}

/** keys per statement on the live path: one key scans that agent's day, keep each statement short */
const LIVE_KEYS_PER_STATEMENT = 8;

/**
 * Spans folded per (agent, project): spans whose union lies within MERGE_MS become one span over
 * the union. That covers a superset of the keys the spans touch; recomputing an extra key is
 * harmless (rollups are a function of the raw rows), and a day of calls becomes one span per key.
 */
const MERGE_MS = 36 * 3600_000;

const msOf = (t: Date | string): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

export class SpanSet {
	readonly #byKey = new Map<
		string,
		Array<{ agentId: string; projectId: string; from: number; to: number }>
	>();
	readonly #raw: Span[] = [];
	#size = 0;

	get size(): number {
		return this.#size;
	}

	add(s: Span): void {
		let from = msOf(s.from);
		let to = msOf(s.to);
		if (!Number.isFinite(from) || !Number.isFinite(to)) {
			// not a time JS can read: pass it on unmerged, Postgres reads it
			this.#raw.push(s);
			this.#size++;
			return;
		}
		if (to < from) [from, to] = [to, from];
		const key = `${s.agentId}\0${s.projectId}`;
		let list = this.#byKey.get(key);
		if (list === undefined) this.#byKey.set(key, (list = []));
		for (const it of list) {
			const lo = Math.min(it.from, from);
			const hi = Math.max(it.to, to);
			if (hi - lo <= MERGE_MS) {
				it.from = lo;
				it.to = hi;
				return;
			}
		}
		list.push({ agentId: s.agentId, projectId: s.projectId, from, to });
		this.#size++;
	}

	addAll(spans: Iterable<Span>): void {
		for (const s of spans) this.add(s);
	}

	spans(): Span[] {
		const out: Span[] = [...this.#raw];
		for (const list of this.#byKey.values())
			for (const it of list)
				out.push({
					agentId: it.agentId,
					projectId: it.projectId,
					from: new Date(it.from),
					to: new Date(it.to)
				});
		return out;
	}

	clear(): void {
		this.#byKey.clear();
		this.#raw.length = 0;
		this.#size = 0;
	}
}

const isoOf = (t: Date | string): string => (typeof t === 'string' ? t : t.toISOString());

/** Incremental path: recompute every key the spans touch (inside the caller's transaction). */
export async function refreshRollups(db: DbOrTx, spans: readonly Span[], tzOf: TimezoneOf): Promise<number> {
	if (spans.length === 0) return 0;
	const merged = new SpanSet();
	merged.addAll(spans);
	spans = merged.spans();
	const json = JSON.stringify(
		spans.map((s) => ({ agent_id: s.agentId, project_id: s.projectId, lo: isoOf(s.from), hi: isoOf(s.to) }))
	);
	return recompute(
		db,
		zonesJson(
			spans.map((s) => s.agentId),
			tzOf
		),
		sql`select * from jsonb_to_recordset(${json}::jsonb) as s(agent_id uuid, project_id uuid, lo timestamptz, hi timestamptz)`,
		LIVE_KEYS_PER_STATEMENT
	);
}

export interface RebuildOptions {
	/** rebuild the days that overlap [from, to) (default: all time) */
	from?: Date;
	to?: Date;
	/** the agents' time zones (default UTC); use the same as the live persister */
	timezone?: TimezoneOf;
	log?: RollupLog;
}

/**
 * Recompute agent_day_stats from raw rows for every (agent, project, local day) that overlaps
 * [from, to) and has calls, pause time or a stats row (a stats row whose raw rows are gone is
 * deleted, or zeroed when it has meetings or deals). Whole days are recomputed, so a range
 * boundary inside a day is fine. Returns the number of rows inserted, changed or deleted.
 *
 * Set-based (one scan of the calls and pauses around the range, grouped by key) rather than the
 * live path's key-by-key index lookups, which would take hours on millions of calls; the
 * aggregates are the same SQL (freshCtes), so both paths give identical rows. The fresh rows go
 * through a temporary table: a data-modifying statement never runs parallel, a CREATE TABLE AS does.
 */
export async function rebuildRollups(db: Db, options: RebuildOptions = {}): Promise<number> {
	const from = options.from?.toISOString() ?? '-infinity';
	const to = options.to?.toISOString() ?? 'infinity';
	const tzOf = zoneResolver(options.timezone, options.log);
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}::bigint)`);
		// JIT would compile the 30 filtered aggregates for seconds, longer than they run; room for
		// the per-key hash aggregates
		await tx.execute(sql`set local jit = off`);
		await tx.execute(sql`set local work_mem = '256MB'`);
		const agents =
			options.timezone === undefined ? [] : await queryRows<{ id: string }>(tx, sql`select id from users`);
		const zones = zonesJson(
			agents.map((a) => a.id),
			tzOf
		);
		const lo = sql`${from}::timestamptz`;
		const hi = sql`${to}::timestamptz`;
		// a local day reaches at most 14 h either side of its UTC date: two days of margin
		const margin = sql`interval '2 days'`;
		const tz = sql`coalesce(z.tz, 'UTC')`;
		await tx.execute(sql`drop table if exists rollup_fresh`);
		await tx.execute(
			sql`create temporary table rollup_fresh on commit drop as
			with zone as (
				select * from jsonb_to_recordset(${zones}::jsonb) as z(agent_id uuid, tz text)
			),
			-- not materialised: millions of rows, read once (offset 0: the local time is computed once per call, not once per expression using it)
			matched as not materialized (
				select m.*, m.local::date as day, extract(hour from m.local)::integer as hour
				from (select c.agent_id, coalesce(c.project_id, ${NIL}) as project_id,
						c.started_at at time zone ${tz} as local, ${CALL_FACTS}
					from calls c
					left join zone z on z.agent_id = c.agent_id
					left join dispositions d on d.id = c.disposition_id
					where c.agent_id is not null
						and c.started_at >= ${lo} - ${margin} and c.started_at < ${hi} + ${margin}
					offset 0) m
			),
			pause_by_reason as (
				select l.agent_id, ${NIL} as project_id, g.day::date as day, coalesce(l.reason, '') as reason,
					sum(extract(epoch from least(l.ended_at, b.hi) - greatest(l.started_at, b.lo))) as seconds
				from agent_state_log l
				left join zone z on z.agent_id = l.agent_id
				cross join lateral generate_series(
					(l.started_at at time zone ${tz})::date::timestamp,
					(l.ended_at at time zone ${tz})::date::timestamp,
					interval '1 day') as g(day)
				cross join lateral (select g.day at time zone ${tz} as lo, (g.day + interval '1 day') at time zone ${tz} as hi) b
				where l.state = 'paused'
					and l.started_at > ${lo} - ${margin} - ${PAUSE_LOOKBACK} and l.started_at < ${hi} + ${margin}
					and l.ended_at > ${lo} - ${margin}
					and l.started_at < b.hi and l.started_at > b.lo - ${PAUSE_LOOKBACK} and l.ended_at > b.lo
				group by l.agent_id, g.day, coalesce(l.reason, '')
			),
			${freshCtes(sql`select k.agent_id, k.project_id, k.day
				from (
					select agent_id, project_id, day from totals
					union select agent_id, project_id, day from pauses
					union select agent_id, project_id, day from agent_day_stats
				) k
				left join zone z on z.agent_id = k.agent_id
				where (k.day + 1)::timestamp at time zone ${tz} > ${lo}
					and k.day::timestamp at time zone ${tz} < ${hi}`)}
			-- in day order: into an empty table (a fresh database, a restore) the rows of a day land
			-- together on disk, as the live path writes them day after day, and a report's period
			-- reads few pages (in hash order the four weeks' rows were spread over a quarter of the table)
			select * from fresh order by day, agent_id, project_id`
		);
		return writeFresh(tx, sql`fresh as (select * from rollup_fresh)`);
	});
}

/**
 * After a call row changed outside the persister (a disposition recorded on it): recompute the
 * keys of those calls, in the caller's transaction. `tzOf` must be the persister's (the runtime's
 * is UTC for every agent, realtime/runtime.ts).
 */
export async function refreshCallRollups(db: DbOrTx, callIds: readonly string[], tzOf: TimezoneOf = () => 'UTC'): Promise<number> {
	if (callIds.length === 0) return 0;
	const rows = await queryRows<{ agentId: string; projectId: string; startedMs: number }>(
		db,
		sql`select agent_id as "agentId", coalesce(project_id, ${NIL}) as "projectId",
				(extract(epoch from started_at) * 1000)::float8 as "startedMs"
			from calls where id in (${sql.join(
				callIds.map((id) => sql`${id}::uuid`),
				sql`, `
			)}) and agent_id is not null`
	);
	return refreshRollups(
		db,
		rows.map((r) => {
			const at = new Date(Number(r.startedMs));
			return { agentId: r.agentId, projectId: r.projectId, from: at, to: at };
		}),
		tzOf
	);
}
