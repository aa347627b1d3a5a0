/**
 * The reports bench database: BENCH_REPORTS_CALLS (default 10 000 000) calls over a year for 200
 * agents in 2 teams on 10 projects, 200 000 leads, a year of pauses, meetings, pay rules, and the
 * rollups — generated server-side with generate_series. Seeded once into a persistent database
 * (`sb_bench_reports_<calls>`, next to DATABASE_URL) and reused while its marker says the seed is
 * complete: 10M calls take longer than one case's 5-minute budget on 2 cores.
 *
 * Rollups are written with one aggregate per table (UTC days), the same definition as
 * realtime/persist/rollups.ts for agents on UTC — rebuildRollups key by key would take far longer
 * at this size, and its equivalence to the live path is proven by the persist tests.
 */
import { sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../../../src/lib/server/db';
import { queryRows } from '../../../src/lib/server/db/rows';
import { DEFAULT_DISPOSITIONS } from '../../../src/lib/server/projects/default-dispositions';
import { dispositions, NIL_UUID, projects, teams } from '../../../src/lib/server/db/schema';

export const AGENTS = 200;
export const PROJECTS = 10;
export const LEADS = 200_000;
/** the last day with calls: reports are measured on the four weeks before it */
export const LAST_DAY = '2026-11-20';
const DAYS = 365;

export interface BenchDb {
	handle: DatabaseHandle;
	calls: number;
	seededNow: boolean;
	seedSeconds: number | null;
}

async function exec(h: DatabaseHandle, q: string, log: (s: string) => void): Promise<void> {
	const t = performance.now();
	await h.db.execute(sql.raw(q));
	log(`  ${q.trim().split('\n')[0]!.slice(0, 70)} … ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

export async function openReportsBenchDb(base: string, calls: number, log: (s: string) => void): Promise<BenchDb> {
	const { default: postgres } = await import('postgres');
	const name = `sb_bench_reports_${calls}`;
	const admin = postgres(base, { max: 1, onnotice: () => {} });
	const url = new URL(base);
	url.pathname = `/${name}`;
	try {
		const exists = await admin.unsafe(`select 1 from pg_database where datname = '${name}'`);
		if (exists.length > 0) {
			const handle = await openDatabase({ url: url.toString(), max: 6 });
			const done = await queryRows<{ v: string }>(
				handle.db,
				sql`select v from bench_meta where k = 'seeded'`
			).catch(() => []);
			if (done[0]?.v === String(calls)) return { handle, calls, seededNow: false, seedSeconds: null };
			await handle.close();
			log(`  ${name}: incomplete seed, starting over`);
			await admin.unsafe(`drop database ${name} with (force)`);
		}
		await admin.unsafe(`create database ${name}`);
	} finally {
		await admin.end({ timeout: 5 });
	}
	const handle = await openDatabase({ url: url.toString(), max: 6 });
	const t0 = performance.now();
	await seed(handle, calls, log);
	return { handle, calls, seededNow: true, seedSeconds: (performance.now() - t0) / 1000 };
}

async function seed(h: DatabaseHandle, calls: number, log: (s: string) => void): Promise<void> {
	const db = h.db;
	const teamIds: string[] = [];
	for (const name of ['Bench A', 'Bench B'])
		teamIds.push((await db.insert(teams).values({ name }).returning({ id: teams.id }))[0]!.id);
	for (let p = 0; p < PROJECTS; p++) {
		const [row] = await db
			.insert(projects)
			.values({ name: `Bench project ${String(p).padStart(2, '0')}`, status: 'active', teamId: teamIds[p % 2]!, targetCalls: 120 })
			.returning({ id: projects.id });
		await db.insert(dispositions).values(DEFAULT_DISPOSITIONS.map((d) => ({ ...d, projectId: row!.id })));
	}
	const first = `'${LAST_DAY}'::date - ${DAYS - 1}`;
	await exec(h, `set maintenance_work_mem = '256MB'`, log);
	await exec(
		h,
		`insert into users (email, name, password_hash, role)
		select 'bench.agent' || lpad(g::text, 3, '0') || '@bench', 'Agent ' || lpad(g::text, 3, '0'), 'x', 'agent'
		from generate_series(1, ${AGENTS}) g`,
		log
	);
	await exec(
		h,
		`insert into team_members (team_id, user_id)
		select case when (row_number() over (order by email)) % 2 = 0 then '${teamIds[0]}'::uuid else '${teamIds[1]}'::uuid end, id
		from users where role = 'agent'`,
		log
	);
	// agent k (by email) works on project k % 10, whose team is (k % 10) % 2: keep teams coherent
	await exec(
		h,
		`insert into project_agents (project_id, user_id)
		select p.id, u.id from (select id, row_number() over (order by email) - 1 as k from users where role = 'agent') u
		join (select id, row_number() over (order by name) - 1 as k from projects) p on p.k = u.k % ${PROJECTS}`,
		log
	);
	await exec(h, `insert into leads (company) select 'Bench lead ' || g from generate_series(1, ${LEADS}) g`, log);
	await exec(
		h,
		`insert into project_leads (project_id, lead_id, status, attempts)
		select p.id, l.id,
			(array['new','new','new','callback','done','exhausted','dnc','in_progress'])[1 + l.k % 8]::project_lead_status,
			case when l.k % 8 < 2 then 0 else 1 + l.k % 4 end
		from (select id, row_number() over (order by company) - 1 as k from leads) l
		join (select id, row_number() over (order by name) - 1 as k from projects) p on p.k = l.k % ${PROJECTS}`,
		log
	);
	// calls: without their secondary indexes while loading (built once afterwards), ids time-ordered
	for (const ix of ['calls_pbx_linkedid_uq', 'calls_agent_started_idx', 'calls_project_started_idx', 'calls_lead_idx', 'calls_started_idx', 'calls_disposition_idx'])
		await exec(h, `drop index if exists ${ix}`, log);
	// numbered lookups joined by key: arrays of ids would be detoasted once per generated row
	await exec(
		h,
		`create table bench_agents as select (row_number() over (order by u.email) - 1)::int as k, u.id, pa.project_id, 0 as pk
		from users u join project_agents pa on pa.user_id = u.id where u.role = 'agent'`,
		log
	);
	await exec(h, `update bench_agents b set pk = x.pk from (select id, (row_number() over (order by name) - 1)::int as pk from projects) x where x.id = b.project_id`, log);
	await exec(h, `create table bench_leads as select (row_number() over (order by company) - 1)::int as k, id from leads`, log);
	await exec(
		h,
		`create table bench_disp as select ((row_number() over (order by p.name, d.code)) - 1)::int as k, d.id
		from dispositions d join projects p on p.id = d.project_id`,
		log
	);
	await exec(h, `analyze bench_agents, bench_leads, bench_disp`, log);
	const chunk = 1_000_000;
	for (let lo = 1; lo <= calls; lo += chunk) {
		const hi = Math.min(calls, lo + chunk - 1);
		await exec(
			h,
			`insert into calls (id, pbx, linkedid, uniqueid, direction, project_id, lead_id, agent_id, number, started_at,
				answered_at, ended_at, talk_seconds, dial_status, recording_path, disposition_id)
			select (lpad(to_hex(g.g), 8, '0') || '-0000-4000-8000-000000000000')::uuid, 'bench', g.g::text, g.g::text, 'out',
				a.project_id, l.id, a.id, '+331' || g.g,
				t.started,
				case when g.u < 0.35 then t.started + interval '8 seconds' end,
				t.started + interval '8 seconds' + case when g.u < 0.35 then make_interval(secs => t.talk) else interval '15 seconds' end,
				case when g.u < 0.35 then t.talk end,
				case when g.u < 0.35 then 'ANSWER' when g.u < 0.45 then 'BUSY' when g.u < 0.5 then 'CHANUNAVAIL' else 'NOANSWER' end,
				case when g.u < 0.35 then '/bench/rec/' || g.g || '.wav' end,
				d.id
			from (select g, random() as u, random() as v from generate_series(${lo}, ${hi}) g) g
			join bench_agents a on a.k = g.g % ${AGENTS}
			join bench_leads l on l.k = g.g % ${LEADS}
			cross join lateral (select (${first})::timestamp at time zone 'UTC'
					+ ((g.g - 1)::float8 / ${calls} * ${DAYS}) * interval '1 day' as started,
					(10 + floor(g.v * 290))::int as talk,
					-- codes sorted: busy 0, callback 1, gatekeeper 2, meeting 3, no_answer 4, not_interested 5, wrong_number 6
					case when g.u < 0.35 then (array[1, 2, 3, 5, 6, 2, 5, 5])[1 + floor(g.v * 8)::int]
						when g.u < 0.45 then 0 when g.u < 0.5 then null else 4 end as code) t
			left join bench_disp d on d.k = a.pk * 7 + t.code`,
			log
		);
	}
	await exec(h, `create unique index calls_pbx_linkedid_uq on calls (pbx, linkedid)`, log);
	await exec(h, `create index calls_agent_started_idx on calls (agent_id, started_at)`, log);
	await exec(h, `create index calls_project_started_idx on calls (project_id, started_at)`, log);
	await exec(h, `create index calls_lead_idx on calls (lead_id, started_at)`, log);
	await exec(h, `create index calls_started_idx on calls (started_at)`, log);
	await exec(h, `create index calls_disposition_idx on calls (disposition_id)`, log);
	// a lunch and a break per agent and day
	await exec(
		h,
		`insert into agent_state_log (agent_id, state, reason, started_at, ended_at)
		select u.id, 'paused', r.reason, (d::date + r.at) at time zone 'UTC', (d::date + r.at + r.len) at time zone 'UTC'
		from users u cross join generate_series(${first}, '${LAST_DAY}'::date, interval '1 day') d
		cross join (values ('lunch', time '12:00', interval '45 minutes'), ('break', time '15:30', interval '12 minutes')) r(reason, at, len)
		where u.role = 'agent'`,
		log
	);
	await exec(
		h,
		`insert into meetings (lead_id, project_id, call_id, booked_by, created_at, starts_at, ends_at, status, deal, amount)
		select c.lead_id, c.project_id, c.id, c.agent_id, c.started_at, c.started_at + interval '3 days', c.started_at + interval '3 days 1 hour',
			case when c.linkedid::bigint % 3 = 0 then 'no_show' else 'held' end::meeting_status,
			case when c.linkedid::bigint % 4 = 0 then 'won' else 'pending' end::deal_outcome, 1500
		from calls c join dispositions d on d.id = c.disposition_id
		where d.is_meeting and c.linkedid::bigint % 20 = 0`,
		log
	);
	const hours = Array.from({ length: 24 }, (_, h) => `count(*) filter (where direction = 'out' and extract(hour from started_at at time zone 'UTC') = ${h})`).join(', ');
	await exec(
		h,
		`insert into agent_day_stats (agent_id, project_id, day, dials, contacts, conversations, talk_seconds, hourly)
		select agent_id, coalesce(project_id, '${NIL_UUID}'), (started_at at time zone 'UTC')::date,
			count(*) filter (where direction = 'out'), count(*) filter (where answered_at is not null),
			count(*) filter (where answered_at is not null and talk_seconds >= 30), coalesce(sum(talk_seconds), 0),
			jsonb_build_array(${hours})
		from calls where agent_id is not null group by 1, 2, 3`,
		log
	);
	await exec(
		h,
		`insert into agent_day_stats (agent_id, project_id, day, pause_seconds, pause_reasons, hourly)
		select agent_id, '${NIL_UUID}', day, sum(s)::integer, jsonb_object_agg(reason, s), '[]'::jsonb from (
			select agent_id, (started_at at time zone 'UTC')::date as day, reason,
				round(sum(extract(epoch from ended_at - started_at)))::integer as s
			from agent_state_log where state = 'paused' group by 1, 2, 3) x
		group by agent_id, day`,
		log
	);
	for (const t of teamIds)
		await exec(
			h,
			`insert into pay_rules (team_id, weekly_salary, bonus1_rate, bonus1_threshold, bonus2_amount, daily_dials_plan)
			values ('${t}', '450', '25', 2, '80', 100)`,
			log
		);
	await exec(h, `vacuum analyze`, log);
	await exec(h, `create table bench_meta (k text primary key, v text not null)`, log);
	await exec(h, `insert into bench_meta values ('seeded', '${calls}')`, log);
}
