/**
 * The reports bench database: BENCH_REPORTS_CALLS (default 10 000 000) calls over a year, made on
 * the server with generate_series, then the rollups built by the product's own rebuild commands
 * (rebuildRollups, rebuildMeetingStats: set-based SQL, the same aggregates as the live path).
 *
 * The floor it describes: 4 teams of 25 agents (three in Paris, one in Montréal: local days and
 * working hours differ), 6 projects with the default call intensity (dispositions), 50 000 leads
 * each, calls on working days (weekends and public holidays off) from 09:00 to 18:00 local with a
 * lunch hour, outcomes and talk times per disposition, pauses (lunch, breaks, a weekly training),
 * meetings booked from the meeting calls (held, no-show, cancelled, won deals), a pay rule per team.
 *
 * Speed (one case must fit 5 minutes on 2 cores, seed included): a throwaway database; `calls` is
 * UNLOGGED there (autovacuum off) and loaded in 1M-row chunks, two at a time, without its indexes
 * and foreign keys; the indexes the reports read are built afterwards, two at a time (the ids come
 * from their tables by construction; the keys to users/projects/leads/dispositions are added NOT
 * VALID, and the tables that reference calls lose that key, which an unlogged table cannot have).
 * The primary key, the (pbx, linkedid) key and the lead index are not built: only the live
 * persister and the lead history use them. None of this changes how the reports read.
 *
 * BENCH_REPORTS_REUSE=1 keeps the database (`sb_bench_reports_<calls>`) and reuses a complete one,
 * for working on the queries; by default every run seeds afresh and drops it at the end.
 */
import { sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../../../src/lib/server/db';
import { queryRows } from '../../../src/lib/server/db/rows';
import { DEFAULT_DISPOSITIONS } from '../../../src/lib/server/projects/default-dispositions';
import { rebuildMeetingStats } from '../../../src/lib/server/meetings/stats';
import { rebuildRollups } from '../../../realtime/persist/rollups';
import { snapshotProgress } from '../../../src/lib/server/reports/progress-snapshots';

export const AGENTS_PER_TEAM = 25;
export const TEAMS: ReadonlyArray<{ name: string; tz: string }> = [
	{ name: 'Paris Nord', tz: 'Europe/Paris' },
	{ name: 'Paris Sud', tz: 'Europe/Paris' },
	{ name: 'Lyon', tz: 'Europe/Paris' },
	{ name: 'Montréal', tz: 'America/Toronto' }
];
/** project k belongs to team k % 4: teams 0 and 1 run two projects, their agents split between them */
export const PROJECTS = 6;
export const LEADS_PER_PROJECT = 50_000;
/** the last day with calls: reports are measured on the four weeks up to it */
export const LAST_DAY = '2026-11-20';
const DAYS = 365;
const HOLIDAYS: ReadonlyArray<[string, string]> = [
	['2025-12-25', 'Noël'],
	['2026-01-01', 'Jour de l’an'],
	['2026-04-06', 'Lundi de Pâques'],
	['2026-05-01', 'Fête du travail'],
	['2026-05-08', 'Victoire 1945'],
	['2026-05-14', 'Ascension'],
	['2026-05-25', 'Lundi de Pentecôte'],
	['2026-07-14', 'Fête nationale'],
	['2026-08-15', 'Assomption'],
	['2026-11-01', 'Toussaint'],
	['2026-11-11', 'Armistice']
];

export interface BenchDb {
	handle: DatabaseHandle;
	calls: number;
	seedSeconds: number | null;
	/** drops the database unless it is kept for reuse */
	close(): Promise<void>;
}

type Log = (s: string) => void;

async function timed<T>(what: string, log: Log, fn: () => Promise<T>): Promise<T> {
	const t = performance.now();
	const out = await fn();
	log(`  ${what} … ${((performance.now() - t) / 1000).toFixed(1)} s`);
	return out;
}

async function exec(h: DatabaseHandle, q: string, log: Log): Promise<void> {
	await timed(q.trim().split('\n')[0]!.slice(0, 70), log, () =>
		h.db.execute(sql.raw(q)).catch((err: unknown) => {
			// drizzle's message is the query; Postgres' reason is the cause
			throw new Error(
				`${q.trim().slice(0, 200)}: ${err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)}`
			);
		})
	);
}

/**
 * Runs `load` (inserts into `table`) with the table's secondary indexes and own foreign keys
 * removed, then builds the indexes once and adds the keys back NOT VALID (the seed takes every id
 * from its table): a bulk load maintaining five indexes row by row is many times slower. Indexes
 * named in `skip` are not built at all.
 */
async function bulkLoad(
	h: DatabaseHandle,
	table: string,
	log: Log,
	load: () => Promise<void>,
	skip: ReadonlySet<string> = new Set()
): Promise<void> {
	const fks = await queryRows<{ name: string; def: string }>(
		h.db,
		sql`select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
			where conrelid = ${table}::regclass and contype = 'f'`
	);
	const indexes = await queryRows<{ name: string; def: string }>(
		h.db,
		sql`select i.indexname as name, i.indexdef as def from pg_indexes i
			where i.tablename = ${table} and i.indexname not in (select conname from pg_constraint where conrelid = ${table}::regclass)`
	);
	for (const fk of fks) await h.db.execute(sql.raw(`alter table ${table} drop constraint ${fk.name}`));
	for (const ix of indexes) await h.db.execute(sql.raw(`drop index ${ix.name}`));
	await load();
	const builds = indexes.filter((ix) => !skip.has(ix.name));
	for (const ix of indexes) if (skip.has(ix.name)) log(`  ${ix.name}: not built (no report reads it)`);
	// two builds at a time, each in its own transaction so its memory setting stays with it
	await inLanes(builds, 2, (ix) =>
		timed(ix.def.slice(0, 70), log, () =>
			h.db.transaction(async (tx) => {
				await tx.execute(sql`set local maintenance_work_mem = '1GB'`);
				await tx.execute(sql.raw(ix.def));
			})
		)
	);
	for (const fk of fks)
		await h.db.execute(sql.raw(`alter table ${table} add constraint ${fk.name} ${fk.def} not valid`));
}

/** Runs `work` on every item, `lanes` at a time (each on its own pooled connection). */
async function inLanes<T>(
	items: readonly T[],
	lanes: number,
	work: (item: T) => Promise<unknown>
): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(lanes, items.length) }, async () => {
			while (next < items.length) await work(items[next++]!);
		})
	);
}

export async function openReportsBenchDb(base: string, calls: number, log: Log): Promise<BenchDb> {
	const { default: postgres } = await import('postgres');
	const reuse = process.env.BENCH_REPORTS_REUSE === '1';
	const name = `sb_bench_reports_${calls}`;
	const admin = postgres(base, { max: 1, onnotice: () => {} });
	const url = new URL(base);
	url.pathname = `/${name}`;
	const drop = async () => {
		const a = postgres(base, { max: 1, onnotice: () => {} });
		try {
			await a.unsafe(`drop database if exists ${name} with (force)`);
		} finally {
			await a.end({ timeout: 5 });
		}
	};
	try {
		const exists = await admin.unsafe(`select 1 from pg_database where datname = '${name}'`);
		if (exists.length > 0 && reuse) {
			const handle = await openDatabase({ url: url.toString(), max: 6 });
			const done = await queryRows<{ v: string }>(
				handle.db,
				sql`select v from bench_meta where k = 'seeded'`
			).catch(() => []);
			if (done[0]?.v === String(calls))
				return { handle, calls, seedSeconds: null, close: () => handle.close() };
			await handle.close();
			log(`  ${name}: incomplete seed, starting over`);
		}
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.unsafe(`create database ${name}`);
	} finally {
		await admin.end({ timeout: 5 });
	}
	const t0 = performance.now();
	const handle = await openDatabase({ url: url.toString(), max: 6 });
	try {
		await seed(handle, calls, log);
	} catch (err) {
		await handle.close();
		if (!reuse) await drop();
		throw err;
	}
	return {
		handle,
		calls,
		seedSeconds: (performance.now() - t0) / 1000,
		async close() {
			await handle.close();
			if (!reuse) await drop();
		}
	};
}

async function seed(h: DatabaseHandle, calls: number, log: Log): Promise<void> {
	const db = h.db;
	const agents = AGENTS_PER_TEAM * TEAMS.length;
	const first = `'${LAST_DAY}'::date - ${DAYS - 1}`;
	await exec(h, `set maintenance_work_mem = '512MB'`, log);
	await exec(h, `set work_mem = '64MB'`, log);
	await exec(h, `set synchronous_commit = off`, log);

	// ── people, teams, projects, the call intensity ──
	const teamValues = TEAMS.map((t, i) => `(${i}, '${t.name}', '${t.tz}')`).join(', ');
	await exec(
		h,
		`create table bench_teams as select k, name, tz from (values ${teamValues}) v(k, name, tz)`,
		log
	);
	await exec(h, `insert into teams (name) select name from bench_teams order by k`, log);
	await exec(
		h,
		`alter table bench_teams add column id uuid; update bench_teams b set id = t.id from teams t where t.name = b.name`,
		log
	);
	await exec(
		h,
		`insert into users (email, name, password_hash, role)
		select 'agent' || lpad(g::text, 3, '0') || '@bench', 'Agent ' || lpad(g::text, 3, '0'), 'x', 'agent'::role
		from generate_series(0, ${agents - 1}) g
		union all
		select 'supervisor' || k || '@bench', 'Supervisor ' || name, 'x', 'supervisor'::role from bench_teams
		union all
		select 'manager@bench', 'Manager', 'x', 'manager'::role`,
		log
	);
	const dispositionValues = DEFAULT_DISPOSITIONS.map(
		(d) =>
			`(${d.sort}, '${d.code}', '${d.label.replace(/'/g, "''")}', ${d.hotkey ?? 'null'}, '${d.kind}', ${d.retryAfter ?? 'null'}, ${d.maxAttempts ?? 'null'}, ${d.isContact === true}, ${d.isMeeting === true}, ${d.marksPhoneBad === true})`
	).join(', ');
	await exec(
		h,
		`insert into projects (name, status, team_id, timezone, target_calls, target_talk_minutes, target_meetings)
		select 'Project ' || chr(65 + p), 'active', t.id, t.tz, 90 + 10 * (p % 3), 60, 1
		from generate_series(0, ${PROJECTS - 1}) p join bench_teams t on t.k = p % ${TEAMS.length}`,
		log
	);
	await exec(
		h,
		`create table bench_projects as select (row_number() over (order by name) - 1)::int as k, id, team_id from projects`,
		log
	);
	await exec(
		h,
		`insert into dispositions (project_id, sort, code, label, hotkey, kind, retry_after, max_attempts, is_contact, is_meeting, marks_phone_bad)
		select p.id, d.sort, d.code, d.label, d.hotkey, d.kind::disposition_kind, d.retry_after, d.max_attempts, d.is_contact, d.is_meeting, d.marks_phone_bad
		from bench_projects p cross join (values ${dispositionValues})
			as d(sort, code, label, hotkey, kind, retry_after, max_attempts, is_contact, is_meeting, marks_phone_bad)`,
		log
	);
	// agent k: team k % 4; on the team's projects alternately (teams 0 and 1 have two)
	await exec(
		h,
		`create table bench_agents as
		select a.k, a.id, t.id as team_id, t.tz, p.id as project_id, p.k as pk
		from (select (row_number() over (order by email) - 1)::int as k, id from users where role = 'agent') a
		join bench_teams t on t.k = a.k % ${TEAMS.length}
		join lateral (select bp.k, bp.id from bench_projects bp where bp.k % ${TEAMS.length} = t.k
			order by bp.k offset (a.k / ${TEAMS.length}) % (select count(*) from bench_projects x where x.k % ${TEAMS.length} = t.k) limit 1) p on true`,
		log
	);
	await exec(
		h,
		`insert into team_members (team_id, user_id)
		select team_id, id from bench_agents
		union all select t.id, u.id from bench_teams t join users u on u.email = 'supervisor' || t.k || '@bench'`,
		log
	);
	await exec(
		h,
		`insert into project_agents (project_id, user_id) select project_id, id from bench_agents`,
		log
	);
	await exec(
		h,
		`create table bench_disp as select p.k * 7 + d.sort as k, d.id from dispositions d join bench_projects p on p.id = d.project_id`,
		log
	);
	await exec(
		h,
		`insert into public_holidays (day, name) values ${HOLIDAYS.map(([d, n]) => `('${d}', '${n.replace(/'/g, "''")}')`).join(', ')}`,
		log
	);
	await exec(
		h,
		`create table bench_days as
		select (row_number() over (order by d) - 1)::int as k, d::date as day
		from generate_series(${first}, '${LAST_DAY}'::date, interval '1 day') d
		where extract(isodow from d) < 6 and d::date not in (select day from public_holidays)`,
		log
	);

	// ── the lists ──
	await bulkLoad(h, 'leads', log, () =>
		exec(
			h,
			`insert into leads (company, city, industry)
		select 'Company ' || g, (array['Paris','Lyon','Marseille','Lille','Nantes','Montréal'])[1 + g % 6],
			(array['retail','software','logistics','health','construction'])[1 + g % 5]
		from generate_series(0, ${PROJECTS * LEADS_PER_PROJECT - 1}) g`,
			log
		)
	);
	await exec(
		h,
		`create table bench_leads as select (row_number() over (order by created_at, id) - 1)::int as k, id from leads`,
		log
	);
	// most of a year-old list has been worked through: statuses as the intensity table leaves them
	await bulkLoad(h, 'project_leads', log, () =>
		exec(
			h,
			`insert into project_leads (project_id, lead_id, status, attempts, next_call_at)
		select p.id, l.id, s.status::project_lead_status, s.attempts, case when s.status in ('new', 'callback') and s.attempts > 0 then now() + interval '1 day' end
		from bench_leads l
		join bench_projects p on p.k = l.k / ${LEADS_PER_PROJECT}
		cross join lateral (select case
			when r < 0.12 then 'new' when r < 0.30 then 'new' when r < 0.36 then 'callback' when r < 0.37 then 'in_progress'
			when r < 0.70 then 'done' when r < 0.97 then 'exhausted' else 'dnc' end as status,
			case when r < 0.12 then 0 else 1 + (l.k % 7) end as attempts
			from (select ((l.k * 2654435761::bigint) % 1000) / 1000.0 as r) x) s`,
			log
		)
	);

	// ── the calls ──
	const [dayCount] = await queryRows<{ n: number }>(db, sql`select count(*)::integer as n from bench_days`);
	const perDay = Math.ceil(calls / (agents * dayCount!.n));
	log(`  ${calls} calls: ${agents} agents × ${dayCount!.n} working days × ≤ ${perDay} calls`);
	await exec(h, `alter table meetings drop constraint if exists meetings_call_id_calls_id_fk`, log);
	await exec(
		h,
		`alter table survey_answers drop constraint if exists survey_answers_call_id_calls_id_fk`,
		log
	);
	await exec(h, `alter table calls set unlogged`, log);
	// the seed's own scans follow right after; an autovacuum of the fresh 10M rows would only compete with them
	await exec(h, `alter table calls set (autovacuum_enabled = off)`, log);
	await exec(h, `alter table calls drop constraint calls_pkey`, log);
	// one row per (agent, working day): who calls, for which project, and when 09:00 local is (a
	// time zone conversion per agent-day rather than per call; DST never changes within 09:00–18:00)
	await exec(
		h,
		`create table bench_agent_days as
		select a.k * ${dayCount!.n} + d.k as k, a.id as agent_id, a.project_id, a.pk, (d.day + time '09:00') at time zone a.tz as opens
		from bench_agents a cross join bench_days d`,
		log
	);
	await exec(h, `analyze bench_agent_days, bench_disp, bench_leads`, log);
	// a call's slot in its day: seq × span + jitter, plus the lunch hour after three hours (float8, not numeric)
	const span = `${28800 / perDay}::float8`;
	const chunk = 1_000_000;
	const chunks = Array.from(
		{ length: Math.ceil(calls / chunk) },
		(_, i) => [i * chunk, Math.min(calls, (i + 1) * chunk) - 1] as const
	);
	// a call's columns are generated in the server (no rows cross the wire); the chunks run two at a time
	const insertCalls = ([lo, hi]: readonly [number, number]) =>
		exec(
			h,
			`insert into calls (id, pbx, linkedid, uniqueid, direction, project_id, lead_id, agent_id, number, started_at,
				answered_at, ended_at, talk_seconds, dial_status, hangup_cause, recording_path, disposition_id)
			select gen_random_uuid(), 'bench', g.g::text, g.g::text, 'out',
				a.project_id, l.id, a.agent_id, '+33' || (100000000 + (g.g * 7919) % 899999999), t.started,
				case when o.answered then t.started + o.ring * interval '1 second' end,
				t.started + (o.ring + coalesce(o.talk, 0)) * interval '1 second',
				o.talk, o.status, o.cause,
				case when o.answered then '/recordings/bench/' || g.g || '.wav' end,
				dd.id
			from (select g, (g / ${agents}) % ${perDay} as seq, random() as u, random() as v, random() as w
				from generate_series(${lo}::bigint, ${hi}::bigint) g) g
			-- g → agent g % agents, slot g / agents → working day slot / perDay, its seq-th call of the day
			join bench_agent_days a on a.k = (g.g % ${agents}) * ${dayCount!.n} + (g.g / ${agents}) / ${perDay}
			join bench_leads l on l.k = a.pk * ${LEADS_PER_PROJECT} + (g.g * 7919) % ${LEADS_PER_PROJECT}
			cross join lateral (select a.opens + (g.seq * ${span} + g.w * ${span}
				+ case when g.seq * ${span} >= 10800 then 3600 else 0 end) * interval '1 second' as started) t
			cross join lateral (select
				g.u < 0.30 as answered,
				-- answered: gatekeeper 35 %, not interested 35 %, callback 18 %, wrong number 8 %, meeting 4 %
				case when g.u < 0.30 then (case when g.v < 0.35 then 2 when g.v < 0.70 then 4 when g.v < 0.88 then 3 when g.v < 0.96 then 5 else 6 end)
					when g.u < 0.40 then 1 when g.u < 0.43 then null else 0 end as code,
				case when g.u < 0.30 then 'ANSWER' when g.u < 0.40 then 'BUSY' when g.u < 0.43 then 'CHANUNAVAIL' else 'NOANSWER' end as status,
				case when g.u < 0.30 then 16 when g.u < 0.40 then 17 when g.u < 0.43 then 34 else 19 end as cause,
				case when g.u < 0.30 then 4 + floor(g.w * 16)::int when g.u < 0.43 then 2 else 25 end as ring,
				case when g.u >= 0.30 then null
					when g.v < 0.35 then 5 + floor(g.w * 35)::int when g.v < 0.70 then 15 + floor(g.w * 105)::int
					when g.v < 0.88 then 20 + floor(g.w * 160)::int when g.v < 0.96 then 3 + floor(g.w * 17)::int
					else 120 + floor(g.w * 480)::int end as talk) o
			left join bench_disp dd on dd.k = a.pk * 7 + o.code`,
			log
		);
	// the primary key, the (pbx, linkedid) key and the lead index serve the live persister and the
	// lead history, not the reports: building them would be a third of the seed's index time
	await bulkLoad(
		h,
		'calls',
		log,
		() => inLanes(chunks, 2, insertCalls),
		new Set(['calls_pbx_linkedid_uq', 'calls_lead_idx'])
	);

	// ── pauses: lunch, a break, Friday's training, in each agent's local time ──
	await exec(
		h,
		`insert into agent_state_log (agent_id, state, reason, started_at, ended_at)
		select a.id, 'paused', r.reason, (d.day + r.at) at time zone a.tz, (d.day + r.at + r.len) at time zone a.tz
		from bench_agents a cross join bench_days d
		cross join lateral (values
			('lunch', time '12:00', interval '1 hour'),
			('break', time '15:30', make_interval(mins => 10 + (a.k + d.k) % 11)),
			('training', time '16:45', case when extract(isodow from d.day) = 5 then interval '45 minutes' end)) r(reason, at, len)
		where r.len is not null`,
		log
	);

	// ── meetings booked on the meeting calls (120k at 10M calls: their foreign keys, checked row by row, cost more than the insert) ──
	await bulkLoad(h, 'meetings', log, () =>
		exec(
			h,
			`insert into meetings (lead_id, project_id, call_id, booked_by, created_at, starts_at, ends_at, place, status, deal, amount)
		select c.lead_id, c.project_id, c.id, c.agent_id, c.ended_at, s.starts, s.starts + interval '1 hour', 'On site',
			case when s.starts > '${LAST_DAY}'::date then 'scheduled' when c.linkedid::bigint % 20 < 3 then 'cancelled'
				when c.linkedid::bigint % 20 < 7 then 'no_show' else 'held' end::meeting_status,
			case when s.starts <= '${LAST_DAY}'::date and c.linkedid::bigint % 20 >= 7 then
				(case when c.linkedid::bigint % 10 < 3 then 'won' when c.linkedid::bigint % 10 < 6 then 'lost' else 'pending' end)
				else 'pending' end::deal_outcome,
			1000 + (c.linkedid::bigint % 40) * 100
		from dispositions d
		-- per meeting disposition through calls_disposition_idx: 1 % of the calls, not a scan of them all
		cross join lateral (select * from calls c where c.disposition_id = d.id offset 0) c
		cross join lateral (select date_trunc('hour', c.started_at) + make_interval(days => 2 + (c.linkedid::bigint % 9)::int) as starts) s
		where d.is_meeting`,
			log
		)
	);
	await exec(
		h,
		`insert into pay_rules (team_id, weekly_salary, bonus1_rate, bonus1_threshold, bonus2_amount, daily_dials_plan)
		select id, '450.00', '25.00', 2, '80.00', 120 from bench_teams`,
		log
	);
	await exec(h, `analyze`, log);

	// ── rollups, by the rebuild commands ──
	const zones = new Map(
		(await queryRows<{ id: string; tz: string }>(db, sql`select id::text, tz from bench_agents`)).map((a) => [
			a.id,
			a.tz
		])
	);
	// meetings first: the call rollups then write every row with calls in day order (rebuildRollups
	// sorts), so a period's rows lie together as the live path leaves them; the other way round, the
	// meeting counts moved a year of rows to the table's end in key order. The vacuum is the
	// autovacuum a live table has had (the updated rows' old versions would still be visited).
	const keys = await timed('rebuildMeetingStats', log, () => rebuildMeetingStats(db));
	const rows = await timed('rebuildRollups (set-based, all time)', log, () =>
		rebuildRollups(db, { timezone: (id) => zones.get(id) ?? 'UTC' })
	);
	log(`  rollups: ${rows} agent-day rows, ${keys} meeting keys`);
	await timed('snapshotProgress', log, () => snapshotProgress(db, LAST_DAY));
	await exec(h, `vacuum analyze agent_day_stats`, log);
	await exec(h, `create table bench_meta (k text primary key, v text not null)`, log);
	await exec(h, `insert into bench_meta values ('seeded', '${calls}')`, log);
}
