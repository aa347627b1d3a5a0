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

/** Recompute the rows of `keys` from raw rows; returns the rows inserted, changed or deleted. */
async function recomputeKeys(db: DbOrTx, keys: readonly DayKey[]): Promise<number> {
	const rows = await queryRows<{ n: number }>(
		db,
		sql`with bounds as (
			select k.agent_id, k.project_id, k.day, k.tz,
				k.day::timestamp at time zone k.tz as lo,
				(k.day + 1)::timestamp at time zone k.tz as hi
			from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(agent_id uuid, project_id uuid, day date, tz text)
			-- tells the planner how few keys there are (a set-returning function counts as 100 rows):
			-- index nested loops on calls and agent_state_log rather than scans of whole tables
			limit ${sql.raw(String(keys.length))}
		),
		matched as (
			select b.agent_id, b.project_id, b.day, c.direction, c.answered_at, c.talk_seconds,
				extract(hour from c.started_at at time zone b.tz)::integer as hour
			from bounds b
			join calls c on c.agent_id = b.agent_id
				and c.started_at >= b.lo and c.started_at < b.hi
				and coalesce(c.project_id, ${NIL}) = b.project_id
		),
		totals as (
			select agent_id, project_id, day,
				(count(*) filter (where direction = 'out'))::integer as dials,
				(count(*) filter (where answered_at is not null))::integer as contacts,
				(count(*) filter (where answered_at is not null and talk_seconds >= 30))::integer as conversations,
				coalesce(sum(talk_seconds), 0)::integer as talk_seconds
			from matched
			group by agent_id, project_id, day
		),
		per_hour as (
			select agent_id, project_id, day, hour, count(*)::integer as n
			from matched
			where direction = 'out'
			group by agent_id, project_id, day, hour
		),
		hourly as (
			select b.agent_id, b.project_id, b.day, jsonb_agg(coalesce(h.n, 0) order by g.hour) as hourly
			from bounds b
			cross join generate_series(0, 23) as g(hour)
			left join per_hour h on h.agent_id = b.agent_id and h.project_id = b.project_id
				and h.day = b.day and h.hour = g.hour
			group by b.agent_id, b.project_id, b.day
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
		pauses as (
			select agent_id, project_id, day, sum(seconds) as seconds,
				jsonb_object_agg(reason, round(seconds)::integer order by reason) as reasons
			from pause_by_reason
			group by agent_id, project_id, day
		),
		fresh as (
			select b.agent_id, b.project_id, b.day,
				coalesce(t.dials, 0) as dials,
				coalesce(t.contacts, 0) as contacts,
				coalesce(t.conversations, 0) as conversations,
				coalesce(t.talk_seconds, 0) as talk_seconds,
				coalesce(round(p.seconds), 0)::integer as pause_seconds,
				coalesce(p.reasons, '{}'::jsonb) as pause_reasons,
				h.hourly
			from bounds b
			join hourly h on h.agent_id = b.agent_id and h.project_id = b.project_id and h.day = b.day
			left join totals t on t.agent_id = b.agent_id and t.project_id = b.project_id and t.day = b.day
			left join pauses p on p.agent_id = b.agent_id and p.project_id = b.project_id and p.day = b.day
		),
		written as (
			insert into agent_day_stats as s (agent_id, project_id, day, dials, contacts, conversations,
				talk_seconds, pause_seconds, pause_reasons, hourly, updated_at)
			select f.agent_id, f.project_id, f.day, f.dials, f.contacts, f.conversations,
				f.talk_seconds, f.pause_seconds, f.pause_reasons, f.hourly, now()
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
				updated_at = excluded.updated_at
			where (s.dials, s.contacts, s.conversations, s.talk_seconds, s.pause_seconds, s.pause_reasons, s.hourly)
				is distinct from (excluded.dials, excluded.contacts, excluded.conversations,
					excluded.talk_seconds, excluded.pause_seconds, excluded.pause_reasons, excluded.hourly)
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
 * Recompute agent_day_stats from raw rows for every (agent, project, day) that overlaps [from, to)
 * and has calls, pause time or a stats row (a stats row whose raw rows are gone is deleted, or
 * zeroed when it has meetings or deals). Whole days are recomputed, so a range boundary inside a day is fine.
 * Returns the number of rows inserted, changed or deleted.
 */
export async function rebuildRollups(db: Db, options: RebuildOptions = {}): Promise<number> {
	const from = options.from?.toISOString() ?? '-infinity';
	const to = options.to?.toISOString() ?? 'infinity';
	const tzOf = zoneResolver(options.timezone, options.log);
	return db.transaction(async (tx) => {
		const agents =
			options.timezone === undefined ? [] : await queryRows<{ id: string }>(tx, sql`select id from users`);
		const lo = sql`${from}::timestamptz`;
		const hi = sql`${to}::timestamptz`;
		return recompute(
			tx,
			zonesJson(
				agents.map((a) => a.id),
				tzOf
			),
			sql`select c.agent_id, coalesce(c.project_id, ${NIL}), c.started_at, c.started_at
				from calls c
				where c.agent_id is not null and c.started_at >= ${lo} and c.started_at < ${hi}
			union all
			select l.agent_id, ${NIL}, greatest(l.started_at, ${lo}), least(l.ended_at, ${hi})
				from agent_state_log l
				where l.state = 'paused' and l.started_at < ${hi} and l.ended_at > ${lo}
			union all
			select s.agent_id, s.project_id, d.lo, d.lo
				from agent_day_stats s
				left join zone z on z.agent_id = s.agent_id
				cross join lateral (select
					s.day::timestamp at time zone coalesce(z.tz, 'UTC') as lo,
					(s.day + 1)::timestamp at time zone coalesce(z.tz, 'UTC') as hi) d
				where d.hi > ${lo} and d.lo < ${hi}`
		);
	});
}
