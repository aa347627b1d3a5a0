/**
 * Every report metric on a small dataset computed by hand (see the comments next to each call).
 * The raw rows go through the live persister (the incremental rollup path) with agents in
 * different time zones (Ann in Paris, Bob in New York) working on projects in different time
 * zones (P1 in Paris, P2 in Tokyo); a rebuild afterwards must change nothing. Week under review:
 * Monday 2026-11-09 … Sunday 11-15, with Wednesday 11-11 a public holiday. Which zone makes a day
 * for which number: src/lib/reports/dates.ts.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FloorPersister, rebuildRollups, refreshCallRollups } from '../../../../realtime/persist';
import type { FloorEffect } from '../../../../realtime/state/types';
import type { DatabaseHandle, Db } from '../db';
import { queryRows } from '../db/rows';
import {
	auditLog,
	dispositions,
	leads,
	meetings,
	NIL_UUID,
	payRules,
	projectAgents,
	projectLeads,
	projects,
	publicHolidays,
	teamMembers,
	teams,
	users
} from '../db/schema';
import { testDatabases } from '../db/testing';
import { conversionRows, conversionTable, parseTalk } from './conversion';
import { cursorParam, drillCalls, nextCursor, parseDrill } from './calls';
import { tableCsv, tableXlsx } from './export';
import { failureReasons, failureTable } from './failures';
import { parseFilters, type ReportFilters } from './filters';
import { intensity, intensityByAgent } from './intensity';
import { compare, weeklyPack } from './pack';
import { approvePayWeek, loadPayWeek, payTable, saveAgentSalary, teamAgents } from './pay';
import { projectProgress } from './progress';
import { snapshotProgress } from './progress-snapshots';
import { ReportAccessError, resolveScope, type Viewer } from './scope';
import ExcelJS from 'exceljs';

const Z = (iso: string) => Date.parse(iso);

interface World {
	t1: string;
	t2: string;
	ann: string;
	bob: string;
	manager: Viewer;
	sup: Viewer;
	p1: string;
	p2: string;
	/** the agents' time zones, as the persister was given them */
	timezone: (agentId: string) => string;
}

async function insertUser(db: Db, name: string, role: 'agent' | 'manager' | 'supervisor'): Promise<string> {
	const [u] = await db
		.insert(users)
		.values({ email: `${name}@example.com`, name, passwordHash: 'x', role })
		.returning({ id: users.id });
	return u!.id;
}

function callEffect(
	linkedid: string,
	agentId: string,
	projectId: string,
	started: string,
	talk: number | null,
	dialStatus: string
): FloorEffect {
	const s = Z(started);
	return {
		kind: 'call',
		call: {
			pbx: 'p1',
			linkedid,
			uniqueid: linkedid,
			direction: 'out',
			agentId,
			number: `+3314000${linkedid.padStart(4, '0')}`,
			queue: null,
			callId: null,
			leadId: null,
			projectId,
			recording: talk === null ? null : `/rec/${linkedid}.wav`,
			startedAt: s,
			answeredAt: talk === null ? null : s + 5000,
			endedAt: talk === null ? s + 20_000 : s + 5000 + talk * 1000,
			dialStatus,
			hangupCause: null
		}
	};
}

async function seed(db: Db): Promise<World> {
	const [t1] = await db.insert(teams).values({ name: 'Paris' }).returning({ id: teams.id });
	const [t2] = await db.insert(teams).values({ name: 'Lyon' }).returning({ id: teams.id });
	const ann = await insertUser(db, 'Ann', 'agent'); // Europe/Paris (UTC+1 in November)
	const bob = await insertUser(db, 'Bob', 'agent'); // America/New_York (UTC−5 in November)
	const managerId = await insertUser(db, 'Mia', 'manager');
	const supId = await insertUser(db, 'Sue', 'supervisor');
	await db.insert(teamMembers).values([
		{ teamId: t1!.id, userId: ann },
		{ teamId: t2!.id, userId: bob },
		{ teamId: t1!.id, userId: supId }
	]);
	const [p1] = await db
		.insert(projects)
		.values({ name: 'P1', teamId: t1!.id, targetCalls: 3, targetTalkMinutes: 1, timezone: 'Europe/Paris' })
		.returning({ id: projects.id });
	// Bob calls Japan from New York
	const [p2] = await db.insert(projects).values({ name: 'P2', teamId: t2!.id, timezone: 'Asia/Tokyo' }).returning({ id: projects.id });
	await db.insert(projectAgents).values([
		{ projectId: p1!.id, userId: ann },
		{ projectId: p2!.id, userId: bob }
	]);
	const ds = await db
		.insert(dispositions)
		.values([
			{ projectId: p1!.id, code: 'meeting', label: 'Meeting', kind: 'success', isContact: true, isMeeting: true },
			{ projectId: p1!.id, code: 'refused', label: 'Not interested', kind: 'refusal', isContact: true },
			{ projectId: p1!.id, code: 'wrong', label: '=Wrong number', kind: 'failure' },
			{ projectId: p1!.id, code: 'final_no', label: 'Not now, not ever', kind: 'final' },
			{ projectId: p1!.id, code: 'final_meeting', label: 'Meeting, final', kind: 'final', isMeeting: true }
		])
		.returning({ id: dispositions.id, code: dispositions.code });
	const disp = (code: string) => ds.find((d) => d.code === code)!.id;

	// P1's list: 2 untouched, 1 dialled but still new, 1 exhausted, 1 done → dialled 3, untouched 2
	const ls = await db.insert(leads).values(Array.from({ length: 5 }, (_, i) => ({ company: `L${i}` }))).returning({ id: leads.id });
	await db.insert(projectLeads).values([
		{ projectId: p1!.id, leadId: ls[0]!.id },
		{ projectId: p1!.id, leadId: ls[1]!.id },
		{ projectId: p1!.id, leadId: ls[2]!.id, attempts: 1 },
		{ projectId: p1!.id, leadId: ls[3]!.id, status: 'exhausted', attempts: 3 },
		{ projectId: p1!.id, leadId: ls[4]!.id, status: 'done', attempts: 1 }
	]);

	const zones: Record<string, string> = { [ann]: 'Europe/Paris', [bob]: 'America/New_York' };
	const timezone = (id: string) => zones[id] ?? 'UTC';
	const persister = new FloorPersister({ db, timezone });
	persister.push([
		// previous week: Tue 11-03, a 60 s conversation
		callEffect('0', ann, p1!.id, '2026-11-03T09:00:00Z', 60, 'ANSWER'),
		// Mon 11-09 Paris: 09:00 conversation 45 s (meeting) · 09:30 busy · 10:10 refusal after 10 s
		callEffect('1', ann, p1!.id, '2026-11-09T08:00:00Z', 45, 'ANSWER'),
		callEffect('2', ann, p1!.id, '2026-11-09T08:30:00Z', null, 'BUSY'),
		callEffect('3', ann, p1!.id, '2026-11-09T09:10:00Z', 10, 'ANSWER'),
		// 23:59:50 Paris on Monday, talks 40 s into Tuesday: counts entirely on Monday, hour 23
		callEffect('4', ann, p1!.id, '2026-11-09T22:59:50Z', 40, 'ANSWER'),
		// 00:30 Paris on Tuesday (still Monday in UTC)
		callEffect('5', ann, p1!.id, '2026-11-09T23:30:00Z', null, 'NOANSWER'),
		// Thu 11:00 no answer · Fri 11:00 a 100 s conversation without disposition
		callEffect('6', ann, p1!.id, '2026-11-12T10:00:00Z', null, 'NOANSWER'),
		callEffect('7', ann, p1!.id, '2026-11-13T10:00:00Z', 100, 'ANSWER'),
		// Bob: Mon 22:00 New York (Tuesday in UTC), 31 s conversation
		callEffect('8', bob, p2!.id, '2026-11-10T03:00:00Z', 31, 'ANSWER'),
		// Sun 21:00 New York (Monday 11-16 in UTC): still this week for Bob
		callEffect('9', bob, p2!.id, '2026-11-16T02:00:00Z', null, 'CHANUNAVAIL'),
		// Ann's pause across Paris midnight: 23:30 → 01:00 = 1 800 s on Monday, 3 600 s on Tuesday
		{ kind: 'agentState', agentId: ann, state: 'paused', reason: 'break', from: Z('2026-11-09T22:30:00Z'), to: Z('2026-11-10T00:00:00Z') },
		// a pause without a reason on Thursday: 900 s
		{ kind: 'agentState', agentId: ann, state: 'paused', reason: null, from: Z('2026-11-12T12:00:00Z'), to: Z('2026-11-12T12:15:00Z') }
	]);
	await persister.close();
	await db.execute(sql`update calls set disposition_id = case linkedid
		when '1' then ${disp('meeting')}::uuid when '3' then ${disp('refused')}::uuid when '4' then ${disp('wrong')}::uuid end
		where linkedid in ('1', '3', '4')`);
	// as recordDisposition does: the calls' rollup rows follow their new dispositions
	const disposed = await queryRows<{ id: string }>(db, sql`select id from calls where linkedid in ('1', '3', '4')`);
	await refreshCallRollups(db, disposed.map((c) => c.id), timezone);

	// booked this week: m1 (held, won), m2 (held), m3 (scheduled next week); m4 booked last week, held this week
	await db.insert(meetings).values([
		{ leadId: ls[0]!.id, projectId: p1!.id, bookedBy: ann, createdAt: new Date('2026-11-09T08:05:00Z'), startsAt: new Date('2026-11-12T14:00:00Z'), endsAt: new Date('2026-11-12T15:00:00Z'), status: 'held', deal: 'won', amount: '1200' },
		{ leadId: ls[1]!.id, projectId: p1!.id, bookedBy: ann, createdAt: new Date('2026-11-09T09:00:00Z'), startsAt: new Date('2026-11-13T09:00:00Z'), endsAt: new Date('2026-11-13T10:00:00Z'), status: 'held' },
		{ leadId: ls[2]!.id, projectId: p1!.id, bookedBy: ann, createdAt: new Date('2026-11-10T10:00:00Z'), startsAt: new Date('2026-11-20T09:00:00Z'), endsAt: new Date('2026-11-20T10:00:00Z') },
		{ leadId: ls[3]!.id, projectId: p1!.id, bookedBy: ann, createdAt: new Date('2026-11-02T10:00:00Z'), startsAt: new Date('2026-11-10T09:00:00Z'), endsAt: new Date('2026-11-10T10:00:00Z'), status: 'held' },
		// m5: booked Sunday 23:10 UTC = Monday 11-16 00:10 in Paris (P1), held at 00:30 Paris: next week's, not this one's
		{ leadId: ls[4]!.id, projectId: p1!.id, bookedBy: ann, createdAt: new Date('2026-11-15T23:10:00Z'), startsAt: new Date('2026-11-15T23:30:00Z'), endsAt: new Date('2026-11-16T00:30:00Z'), status: 'held' },
		// m6: Bob (New York) books and holds for P2 (Tokyo) on Sunday 11-08 in UTC and New York, which is
		// Monday 11-09 01:00 / 07:00 in Tokyo: this week's meeting
		{ leadId: ls[4]!.id, projectId: p2!.id, bookedBy: bob, createdAt: new Date('2026-11-08T16:00:00Z'), startsAt: new Date('2026-11-08T22:00:00Z'), endsAt: new Date('2026-11-08T23:00:00Z'), status: 'held' }
	]);
	await db.insert(publicHolidays).values({ day: '2026-11-11', name: 'Armistice' });
	// plan: 1 dial per working day; bonus 1 = 20.50 per meeting held above 1; bonus 2 = 100.00
	const rule = { weeklySalary: '500.00', bonus1Rate: '20.50', bonus1Threshold: 1, bonus2Amount: '100.00', dailyDialsPlan: 1 };
	await db.insert(payRules).values([
		{ teamId: t1!.id, ...rule },
		{ teamId: t2!.id, ...rule }
	]);
	// rebuild == incremental: the persister's rollups are already what the raw rows say
	expect(await rebuildRollups(db, { timezone })).toBe(0);
	return {
		t1: t1!.id,
		t2: t2!.id,
		ann,
		bob,
		p1: p1!.id,
		p2: p2!.id,
		timezone,
		manager: { id: managerId, role: 'manager', teamIds: [t1!.id, t2!.id] },
		sup: { id: supId, role: 'supervisor', teamIds: [t1!.id] }
	};
}

function week(over: Partial<ReportFilters> = {}): ReportFilters {
	return { from: '2026-11-09', to: '2026-11-15', projectId: null, teamId: null, agentId: null, ...over };
}

describe.each(testDatabases())('reports on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let w: World;
	beforeAll(async () => {
		handle = await open();
		w = await seed(handle.db);
	}, 300_000);
	afterAll(async () => {
		await handle?.close();
	});

	it('rollups split the day at each agent’s local midnight and keep pause seconds per reason', async () => {
		const rows = await queryRows<{ day: string; dials: number; pause_seconds: number; pause_reasons: Record<string, number> }>(
			handle.db,
			sql`select day::text, sum(dials)::integer as dials, sum(pause_seconds)::integer as pause_seconds,
				coalesce(max(pause_reasons::text) filter (where project_id = ${NIL_UUID}::uuid), '{}')::jsonb as pause_reasons
				from agent_day_stats where agent_id = ${w.ann}::uuid and day >= '2026-11-09' group by day order by day`
		);
		expect(rows).toEqual([
			{ day: '2026-11-09', dials: 4, pause_seconds: 1800, pause_reasons: { break: 1800 } },
			{ day: '2026-11-10', dials: 1, pause_seconds: 3600, pause_reasons: { break: 3600 } },
			{ day: '2026-11-12', dials: 1, pause_seconds: 900, pause_reasons: { '': 900 } },
			{ day: '2026-11-13', dials: 1, pause_seconds: 0, pause_reasons: {} }
		]);
	});

	it('conversion: every step and rate per agent and week, meetings by booking week', async () => {
		const scope = await resolveScope(handle.db, w.manager, week({ from: '2026-11-02' }));
		const rows = await conversionRows(handle.db, scope);
		expect(rows.map(({ agentId: _a, ...r }) => r)).toEqual([
			{ agentName: 'Ann', week: '2026-11-02', dials: 1, contacts: 1, conversations: 1, booked: 1, held: 1, won: 0 },
			{ agentName: 'Ann', week: '2026-11-09', dials: 7, contacts: 4, conversations: 3, booked: 3, held: 2, won: 1 },
			// m6 in Tokyo's week of 11-09 (in UTC it would be a row of its own in the week of 11-02)
			{ agentName: 'Bob', week: '2026-11-09', dials: 2, contacts: 1, conversations: 1, booked: 1, held: 1, won: 0 }
		]);
		const table = conversionTable(rows);
		// Ann's week: 4/7 contacts, 3/4 conversations, 3/3 booked, 2/3 held, 1/2 won
		expect(table.rows[1]).toEqual(['Ann', '2026-11-09', 7, 4, 4 / 7, 3, 3 / 4, 3, 1, 2, 2 / 3, 1, 1 / 2]);
		// totals: 10 dials, 6 contacts, 5 conversations, 5 booked, 4 held, 1 won
		expect(table.rows.at(-1)).toEqual(['Σ', '', 10, 6, 0.6, 5, 5 / 6, 5, 1, 4, 0.8, 1, 1 / 4]);
		// Bob won nothing of what was held: a rate of 0
		expect(table.rows[2]).toEqual(['Bob', '2026-11-09', 2, 1, 0.5, 1, 1, 1, 1, 1, 1, 0, 0]);
		// a rate of nothing is no rate
		const idle = { agentId: w.bob, agentName: 'Bob', week: '2026-11-16', dials: 0, contacts: 0, conversations: 0, booked: 0, held: 0, won: 0 };
		expect(conversionTable([idle]).rows[0]![4]).toBeNull();
		// conversations longer than N s: Ann talked 60 s (11-02), then 45, 10, 40 and 100 s; Bob 31 s
		const conversations = async (talk: string) => {
			const t = parseTalk(new URLSearchParams({ talk }));
			if (!t.ok) throw new Error(t.message);
			return (await conversionRows(handle.db, scope, t.talk)).map((r) => r.conversations);
		};
		expect(await conversations('60')).toEqual([1, 1, 0]);
		expect(await conversations('10')).toEqual([1, 4, 1]);
		expect(await conversations('30')).toEqual([1, 3, 1]);
		expect(parseTalk(new URLSearchParams({ talk: '45' }))).toEqual({ ok: false, message: 'A conversation lasts at least one of 10, 20, 30, 60, 120, 300 seconds.' });
	});

	it('failure diagram: Pareto of refusals, failures and dial statuses, and the calls behind a bar', async () => {
		const scope = await resolveScope(handle.db, w.manager, week({ projectId: w.p1 }));
		const reasons = await failureReasons(handle.db, scope);
		expect(reasons).toEqual([
			{ reason: 'dial:NOANSWER', label: 'NOANSWER', calls: 2 },
			{ reason: 'dial:BUSY', label: 'BUSY', calls: 1 },
			{ reason: 'refused', label: 'Not interested', calls: 1 },
			{ reason: 'wrong', label: '=Wrong number', calls: 1 }
		]);
		const table = failureTable(reasons, scope);
		expect(table.rows.map((r) => r[3])).toEqual([0.4, 0.6, 0.8, 1]);
		const drill = parseDrill(new URLSearchParams(table.drill![0]![1]!));
		expect(drill.ok).toBe(true);
		if (!drill.ok) return;
		const calls = await drillCalls(handle.db, scope, drill.drill, undefined, zonesOf(w));
		expect(calls.map((c) => c.startedAt)).toEqual(['2026-11-12T10:00:00.000Z', '2026-11-09T23:30:00.000Z']);
		// a page at a time: page 1 is the newest call, its cursor leads to the next, then no more
		const page1 = await drillCalls(handle.db, scope, drill.drill, 1, zonesOf(w));
		const cursor = nextCursor(page1, 1);
		expect(cursor).toEqual({ startedAt: '2026-11-12T10:00:00.000Z', id: page1[0]!.id });
		const parsed = parseDrill(new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(table.drill![0]![1]!)), before: cursorParam(cursor!) }));
		if (!parsed.ok) throw new Error(parsed.message);
		const page2 = await drillCalls(handle.db, scope, parsed.drill, 1, zonesOf(w));
		expect(page2.map((c) => c.startedAt)).toEqual(['2026-11-09T23:30:00.000Z']);
		expect(await drillCalls(handle.db, scope, { ...parsed.drill, before: nextCursor(page2, 1) }, 1, zonesOf(w))).toEqual([]);
		expect(parseDrill(new URLSearchParams({ before: 'yesterday~nope' }))).toEqual({ ok: false, message: 'The page cursor is not valid.' });
		const refused = await drillCalls(handle.db, scope, { reason: 'refused', day: null, outcome: null, before: null }, undefined, zonesOf(w));
		// a day is the agent's local day, as in the rollups: Ann's 23:30 UTC call of Monday 11-09 is
		// 00:30 on Tuesday in Paris
		const onDay = async (day: string) =>
			(await drillCalls(handle.db, scope, { reason: drill.drill.reason, day, outcome: null, before: null }, undefined, zonesOf(w))).map((c) => c.startedAt);
		expect(await onDay('2026-11-10')).toContain('2026-11-09T23:30:00.000Z');
		expect(await onDay('2026-11-09')).not.toContain('2026-11-09T23:30:00.000Z');
		expect(refused).toMatchObject([{ disposition: 'Not interested', talkSeconds: 10, hasRecording: true, agentName: 'Ann' }]);
		// a final disposition is a failure reason unless it is a meeting
		const setDisposition = async (code: string) => {
			const changed = await queryRows<{ id: string }>(
				handle.db,
				sql`update calls set disposition_id = (select id from dispositions where code = ${code}) where linkedid = '3' returning id`
			);
			await refreshCallRollups(handle.db, changed.map((c) => c.id), w.timezone);
		};
		await setDisposition('final_no');
		expect((await failureReasons(handle.db, scope)).find((r) => r.reason === 'final_no')).toEqual({ reason: 'final_no', label: 'Not now, not ever', calls: 1 });
		await setDisposition('final_meeting');
		expect((await failureReasons(handle.db, scope)).map((r) => r.reason)).toEqual(['dial:NOANSWER', 'dial:BUSY', 'wrong']);
		await setDisposition('refused');
	});

	it('intensity: per day against targets, heatmap in local hours, pause by reason', async () => {
		const scope = await resolveScope(handle.db, w.manager, week({ agentId: w.ann }));
		const data = await intensity(handle.db, scope);
		expect(data.days.map(({ agentId: _a, agentName: _n, ...d }) => d)).toEqual([
			{ day: '2026-11-09', dials: 4, talkSeconds: 95, pauseSeconds: 1800, targetDials: 3, targetTalkSeconds: 60 },
			{ day: '2026-11-10', dials: 1, talkSeconds: 0, pauseSeconds: 3600, targetDials: 3, targetTalkSeconds: 60 },
			{ day: '2026-11-12', dials: 1, talkSeconds: 0, pauseSeconds: 900, targetDials: 3, targetTalkSeconds: 60 },
			{ day: '2026-11-13', dials: 1, talkSeconds: 100, pauseSeconds: 0, targetDials: 3, targetTalkSeconds: 60 }
		]);
		expect(intensityByAgent(data.days)).toMatchObject([{ days: 4, dials: 7, talkSeconds: 195, pauseSeconds: 6300, daysMet: 1 }]);
		const cells: string[] = [];
		data.heatmap.forEach((hours, d) => hours.forEach((n, h) => n && cells.push(`${d + 1}@${h}=${n}`)));
		expect(cells).toEqual(['1@9=2', '1@10=1', '1@23=1', '2@0=1', '4@11=1', '5@11=1']);
		expect(data.pauseByReason).toEqual([
			{ reason: 'break', seconds: 5400 },
			{ reason: '', seconds: 900 }
		]);
		// Bob's week in New York: Monday 22:00 and Sunday 21:00
		const bob = await intensity(handle.db, await resolveScope(handle.db, w.manager, week({ agentId: w.bob })));
		expect(bob.days.map((d) => [d.day, d.dials])).toEqual([
			['2026-11-09', 1],
			['2026-11-15', 1]
		]);
		expect(bob.heatmap[0]![22]).toBe(1);
		expect(bob.heatmap[6]![21]).toBe(1);
	});

	it('project progress: statuses, dialled, untouched, exhausted and the ETA at the current pace', async () => {
		const scope = await resolveScope(handle.db, w.manager, week({ projectId: w.p1 }));
		const [p] = await projectProgress(handle.db, scope, '2026-11-20');
		// pace: 3 dialled leads over 5 calling days = 0.6/day; 2 untouched → ⌈3.33⌉ = 4 days
		expect(p).toMatchObject({
			name: 'P1',
			leads: 5,
			byStatus: { new: 3, exhausted: 1, done: 1, callback: 0 },
			dialled: 3,
			untouched: 2,
			exhausted: 1,
			callingDays: 5,
			pace: 0.6,
			eta: '2026-11-24'
		});
		expect(p!.daily).toEqual([
			{ day: '2026-11-09', dials: 4 },
			{ day: '2026-11-10', dials: 1 },
			{ day: '2026-11-12', dials: 1 },
			{ day: '2026-11-13', dials: 1 }
		]);
	});

	it('project progress: leads by status over time from the daily snapshots, each on the project’s own day', async () => {
		const snapshotDays = async () =>
			queryRows<{ project: string; day: string }>(
				handle.db,
				sql`select p.name as project, d.day::text as day from project_progress_days d join projects p on p.id = d.project_id
					where d.day < '2026-11-20' order by p.name, d.day`
			);
		// Tuesday 11-10 20:00 UTC: 21:00 in Paris (P1's Tuesday), 05:00 Wednesday in Tokyo (P2)
		await snapshotProgress(handle.db, new Date('2026-11-10T20:00:00Z'));
		expect(await snapshotDays()).toEqual([
			{ project: 'P1', day: '2026-11-10' },
			{ project: 'P2', day: '2026-11-11' }
		]);
		// Thursday: one untouched lead is booked (done), one dialled lead runs out of attempts
		const lead = (company: string) => sql`(select id from leads where company = ${company})`;
		await handle.db.execute(sql`update project_leads set status = 'done', attempts = 1 where lead_id = ${lead('L0')}`);
		await handle.db.execute(sql`update project_leads set status = 'exhausted', attempts = 3 where lead_id = ${lead('L2')}`);
		await snapshotProgress(handle.db, new Date('2026-11-12T20:00:00Z'));
		// the same day again later replaces that day's row (the refresher runs every 5 minutes)
		await snapshotProgress(handle.db, new Date('2026-11-12T22:59:00Z'));
		const scope = await resolveScope(handle.db, w.manager, week({ projectId: w.p1 }));
		const [p] = await projectProgress(handle.db, scope, '2026-11-20');
		const zero = { new: 0, callback: 0, in_progress: 0, done: 0, exhausted: 0, dnc: 0 };
		expect(p!.history).toEqual([
			{ day: '2026-11-10', byStatus: { ...zero, new: 3, exhausted: 1, done: 1 } },
			{ day: '2026-11-12', byStatus: { ...zero, new: 1, exhausted: 2, done: 2 } }
		]);
		// the period bounds the history; a supervisor of Paris gets P1's only
		expect((await projectProgress(handle.db, await resolveScope(handle.db, w.manager, week({ projectId: w.p1, from: '2026-11-11' })), '2026-11-20'))[0]!.history.map((h) => h.day)).toEqual(['2026-11-12']);
		const sup = await projectProgress(handle.db, await resolveScope(handle.db, w.sup, week()), '2026-11-20');
		expect(sup.map((x) => [x.name, x.history.length])).toEqual([['P1', 2]]);
		await handle.db.execute(sql`update project_leads set status = 'new', attempts = 0 where lead_id = ${lead('L0')}`);
		await handle.db.execute(sql`update project_leads set status = 'new', attempts = 1 where lead_id = ${lead('L2')}`);
		await handle.db.execute(sql`delete from project_progress_days where day < '2026-11-20'`);
	});

	it('project progress: the run-out date counts from the project’s own today', async () => {
		// Friday 11-20 23:30 UTC is already Saturday 11-21 in Paris: 2 untouched at 0.6 a day → 4 days
		const scope = await resolveScope(handle.db, w.manager, week({ projectId: w.p1 }));
		const [p] = await projectProgress(handle.db, scope, new Date('2026-11-20T23:30:00Z'));
		expect(p).toMatchObject({ untouched: 2, pace: 0.6, eta: '2026-11-25' });
		const [utc] = await projectProgress(handle.db, scope, new Date('2026-11-20T22:30:00Z'));
		expect(utc!.eta).toBe('2026-11-24');
	});

	it('pay: salary + bonus 1 + bonus 2, the holiday is no working day; approving locks a snapshot', async () => {
		const paris = await loadPayWeek(handle.db, w.t1, '2026-11-09');
		expect(paris.workingDays).toEqual(['2026-11-09', '2026-11-10', '2026-11-12', '2026-11-13']);
		// 3 meetings held this week in Paris (m1, m2, m4; m5 is Monday 11-16 there) − threshold 1 = 2 × 20.50;
		// plan met Mon, Tue, Thu, Fri
		expect(paris.lines).toMatchObject([
			{ agentName: 'Ann', salaryCents: 50_000, salarySource: 'team', meetingsHeld: 3, bonus1Meetings: 2, bonus1Cents: 4100, planMet: true, bonus2Cents: 10_000, totalCents: 64_100 }
		]);
		const lyon = await loadPayWeek(handle.db, w.t2, '2026-11-09');
		// Bob dialled on Monday only (and Sunday, no working day): plan missed; m6 held on Monday in
		// Tokyo counts this week, but 1 held is not above the threshold of 1
		expect(lyon.lines).toMatchObject([{ agentName: 'Bob', meetingsHeld: 1, bonus1Meetings: 0, bonus1Cents: 0, planMet: false, bonus2Cents: 0, totalCents: 50_000 }]);
		expect(lyon.lines[0]!.days.map((d) => d.met)).toEqual([true, false, false, false]);
		// …and not the week before, as it would in UTC
		expect((await loadPayWeek(handle.db, w.t2, '2026-11-02')).lines[0]!.meetingsHeld).toBe(0);

		expect(await approvePayWeek(handle.db, w.sup, w.t1, '2026-11-09', '2026-11-20', null)).toEqual({ ok: false, message: 'Only a manager approves pay.' });
		expect(await approvePayWeek(handle.db, w.manager, w.t1, '2026-11-16', '2026-11-20', null)).toMatchObject({ ok: false });
		expect(await approvePayWeek(handle.db, w.manager, w.t1, '2026-11-09', '2026-11-20', '127.0.0.1')).toEqual({ ok: true });
		expect(await approvePayWeek(handle.db, w.manager, w.t1, '2026-11-09', '2026-11-20', null)).toEqual({ ok: false, message: 'This week is already approved and locked.' });
		// later data does not change a locked week
		await handle.db.execute(sql`update pay_rules set weekly_salary = '900.00'`);
		const locked = await loadPayWeek(handle.db, w.t1, '2026-11-09');
		expect(locked.approved).toMatchObject({ byName: 'Mia' });
		expect(locked.lines[0]!.totalCents).toBe(64_100);
		expect((await loadPayWeek(handle.db, w.t2, '2026-11-09')).lines[0]!.totalCents).toBe(90_000);
		const audits = await handle.db.select().from(auditLog);
		expect(audits.filter((a) => a.action === 'pay.approved')).toMatchObject([{ target: w.t1, details: { weekStart: '2026-11-09', totalCents: 64_100 } }]);
		await handle.db.execute(sql`update pay_rules set weekly_salary = '500.00'`);
	});

	it('pay: an agent’s own salary replaces the team’s in the formula, the approval and the export', async () => {
		// only a manager sets it, only for an agent of that team
		expect(await saveAgentSalary(handle.db, w.sup, w.t2, w.bob, '620.00', null)).toEqual({ ok: false, message: 'Only a manager changes pay.' });
		expect(await saveAgentSalary(handle.db, w.manager, w.t2, w.ann, '620.00', null)).toEqual({ ok: false, message: 'This agent is not in the team.' });
		expect(await saveAgentSalary(handle.db, w.manager, w.t2, w.bob, '620.00', '127.0.0.1')).toEqual({ ok: true });
		expect(await teamAgents(handle.db, w.t2)).toEqual([{ agentId: w.bob, agentName: 'Bob', ownSalaryCents: 62_000 }]);
		// Bob in Lyon: 620.00 + 0 + 0 (the team's rule says 500.00 and still gives the bonuses)
		const week = await loadPayWeek(handle.db, w.t2, '2026-11-09');
		expect(week.lines).toMatchObject([{ agentName: 'Bob', salaryCents: 62_000, salarySource: 'agent', bonus1Cents: 0, bonus2Cents: 0, totalCents: 62_000 }]);
		expect(week.rule!.weeklySalaryCents).toBe(50_000);
		// the team rule changing does not move an own salary; the week before is paid the same way
		await handle.db.execute(sql`update pay_rules set weekly_salary = '900.00' where team_id = ${w.t2}::uuid`);
		expect((await loadPayWeek(handle.db, w.t2, '2026-11-02')).lines[0]!.totalCents).toBe(62_000);
		await handle.db.execute(sql`update pay_rules set weekly_salary = '500.00' where team_id = ${w.t2}::uuid`);
		// the export says whose salary it is
		expect(payTable(week).columns.map((c) => c.key)).toEqual(['agent', 'salary', 'salary_source', 'meetings_held', 'bonus1', 'days_met', 'bonus2', 'total']);
		expect(payTable(week).rows).toEqual([['Bob', 620, 'agent', 1, 0, 1, 0, 620]]);
		// approved: the snapshot keeps 620.00, whatever the salary becomes
		expect(await approvePayWeek(handle.db, w.manager, w.t2, '2026-11-09', '2026-11-20', null)).toEqual({ ok: true });
		expect(await saveAgentSalary(handle.db, w.manager, w.t2, w.bob, '700.00', null)).toEqual({ ok: true });
		const locked = await loadPayWeek(handle.db, w.t2, '2026-11-09');
		expect(locked.lines).toMatchObject([{ salaryCents: 62_000, salarySource: 'agent', totalCents: 62_000 }]);
		const audits = await handle.db.select().from(auditLog);
		expect(audits.filter((a) => a.action === 'pay.approved' && a.target === w.t2)).toMatchObject([{ details: { totalCents: 62_000 } }]);
		expect(audits.filter((a) => a.action === 'pay.salary_changed').map((a) => a.details)).toEqual([
			{ teamId: w.t2, weeklySalary: '620.00' },
			{ teamId: w.t2, weeklySalary: '700.00' }
		]);
		// removed: back to the team's salary
		expect(await saveAgentSalary(handle.db, w.manager, w.t2, w.bob, null, null)).toEqual({ ok: true });
		expect((await loadPayWeek(handle.db, w.t2, '2026-11-16')).lines).toMatchObject([{ salaryCents: 50_000, salarySource: 'team' }]);
		expect(await teamAgents(handle.db, w.t2)).toEqual([{ agentId: w.bob, agentName: 'Bob', ownSalaryCents: null }]);
	});

	it('a supervisor sees their own teams only, and is told so when a filter points elsewhere', async () => {
		const scope = await resolveScope(handle.db, w.sup, week());
		expect((await conversionRows(handle.db, scope)).map((r) => r.agentName)).toEqual(['Ann']);
		expect((await projectProgress(handle.db, scope, '2026-11-20')).map((p) => p.name)).toEqual(['P1']);
		await expect(resolveScope(handle.db, w.sup, week({ agentId: w.bob }))).rejects.toThrow(ReportAccessError);
		await expect(resolveScope(handle.db, w.sup, week({ teamId: w.t2 }))).rejects.toThrow('This team is not one of yours.');
		await expect(resolveScope(handle.db, w.sup, week({ projectId: w.p2 }))).rejects.toThrow(ReportAccessError);
		const drilled = await drillCalls(handle.db, scope, { reason: null, day: null, outcome: 'dial', before: null }, undefined, zonesOf(w));
		expect(new Set(drilled.map((c) => c.agentName))).toEqual(new Set(['Ann']));
	});

	it('weekly pack: week-over-week changes with the three largest highlighted', async () => {
		const scope = await resolveScope(handle.db, w.manager, week());
		const pack = await weeklyPack(handle.db, scope, '2026-11-09', '2026-11-20');
		const byMetric = Object.fromEntries(pack.changes.map((c) => [c.metric, c]));
		// dials 9 vs 1; booked 4 (Ann 3, Bob's m6 in Tokyo's week) vs 1; contact rate 5/9 vs 1/1
		expect(byMetric.dials).toMatchObject({ current: 9, previous: 1, change: 8 });
		expect(byMetric.booked).toMatchObject({ current: 4, previous: 1, change: 3 });
		expect(byMetric.contact_rate!.change).toBeCloseTo(5 / 9 - 1);
		expect(pack.changes.filter((c) => c.highlighted)).toHaveLength(3);
		expect(byMetric.dials!.highlighted).toBe(true);
		expect(pack.current.pay.map((p) => p.teamName)).toEqual(['Lyon', 'Paris']);
	});

	it('exports escape formula cells and keep numbers as numbers (CSV and XLSX)', async () => {
		const scope = await resolveScope(handle.db, w.manager, week({ projectId: w.p1 }));
		const table = failureTable(await failureReasons(handle.db, scope), scope);
		const labels = ['Reason', 'Calls', 'Share', 'Cumulative'];
		const csv = tableCsv(table, labels);
		expect(csv).toContain("'=Wrong number,1,0.2,1\r\n");
		const book = new ExcelJS.Workbook();
		await book.xlsx.load((await tableXlsx(table, labels, 'Failures')).buffer as ArrayBuffer);
		const sheet = book.worksheets[0]!;
		expect(sheet.getRow(1).values).toEqual([undefined, 'Reason', 'Calls', 'Share', 'Cumulative']);
		expect(sheet.getRow(5).getCell(1).value).toBe("'=Wrong number");
		expect(sheet.getRow(2).getCell(2).value).toBe(2);
	});
});

/** the zones the world's rollups were keyed on, for the drill-downs */
function zonesOf(w: World): Map<string, string> {
	return new Map([w.ann, w.bob].map((id) => [id, w.timezone(id)]));
}

describe('report filters', () => {
	it('default to four weeks up to today and explain every bad value', () => {
		expect(parseFilters(new URLSearchParams(), '2026-11-20')).toEqual({
			ok: true,
			filters: { from: '2026-10-26', to: '2026-11-20', projectId: null, teamId: null, agentId: null }
		});
		expect(parseFilters(new URLSearchParams('from=2026-02-30'))).toEqual({ ok: false, message: 'The start of the period must be a date written YYYY-MM-DD.' });
		expect(parseFilters(new URLSearchParams('from=2026-11-20&to=2026-11-01'))).toEqual({ ok: false, message: 'The period starts after it ends.' });
		expect(parseFilters(new URLSearchParams('agent=nope'))).toEqual({ ok: false, message: 'The agent is not a valid id.' });
		expect(parseFilters(new URLSearchParams('from=2024-01-01&to=2026-01-01'))).toMatchObject({ ok: false });
		expect(parseDrill(new URLSearchParams('outcome=everything'))).toEqual({ ok: false, message: 'The outcome must be dial, contact or conversation.' });
	});

	it('compare flags the three largest relative changes and skips missing ones', () => {
		const base = { dials: 100, contact_rate: 0.5, conversation_rate: 0.5, booked: 10, held: 5, won: 2, failures: 50, dials_per_agent_day: 80, talk_per_agent_day: 3600, pause_per_agent_day: 600, payroll: null };
		const now = { ...base, dials: 110, booked: 20, won: 0, failures: 40, payroll: 1000 };
		const changes = compare(now, base);
		expect(changes.filter((c) => c.highlighted).map((c) => c.metric).sort()).toEqual(['booked', 'failures', 'won']);
		expect(changes.find((c) => c.metric === 'payroll')).toMatchObject({ change: null, highlighted: false });
	});
});
