import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle, Db } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import { NIL_UUID, leads, projects } from '../../src/lib/server/db/schema';
import { testDatabases } from '../../src/lib/server/db/testing';
import type { FloorEffect } from '../state/types';
import { FloorPersister, rebuildRollups } from './index';
import type { FloorPersisterOptions } from './index';
import {
	CollectingLog,
	ManualTimers,
	SEC,
	T0,
	addUser,
	call,
	callsOf,
	comparable,
	dump,
	flaky,
	interval,
	statsOf,
	truncate
} from './test-support';

const DAY = '2026-11-25';
const MIN = 60 * SEC;
const hourly = (entries: Record<number, number>): number[] =>
	Array.from({ length: 24 }, (_, h) => entries[h] ?? 0);

describe.each(testDatabases())('FloorPersister on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let db: Db;
	let ann: string;
	let bob: string;
	/** on Europe/Paris (UTC+1 in November) */
	let zoe: string;
	let project: string;
	let lead: string;
	const timezone = (agentId: string): string => (agentId === zoe ? 'Europe/Paris' : 'UTC');
	const persisters: FloorPersister[] = [];

	function persister(over: Partial<FloorPersisterOptions> = {}): FloorPersister {
		const p = new FloorPersister({ db, timezone, setTimer: new ManualTimers().setTimer, ...over });
		persisters.push(p);
		return p;
	}

	async function write(
		effects: readonly FloorEffect[],
		over: Partial<FloorPersisterOptions> = {}
	): Promise<FloorPersister> {
		const p = persister(over);
		p.push(effects);
		await p.flush();
		return p;
	}

	beforeAll(async () => {
		handle = await open();
		db = handle.db;
		ann = await addUser(db, 'ann');
		bob = await addUser(db, 'bob');
		zoe = await addUser(db, 'zoe');
		const [p] = await db.insert(projects).values({ name: 'Acme' }).returning({ id: projects.id });
		const [l] = await db.insert(leads).values({ company: 'Initech' }).returning({ id: leads.id });
		if (p === undefined || l === undefined) throw new Error('seed failed');
		project = p.id;
		lead = l.id;
	});
	beforeEach(async () => {
		await truncate(db);
	});
	afterAll(async () => {
		for (const p of persisters) await p.close().catch(() => {});
		await handle?.close();
	});

	/** a day of the floor: calls in and out, with and without project, pauses, a reconnect */
	function floorDay(): FloorEffect[] {
		const c1 = {
			linkedid: '100.1',
			agentId: ann,
			number: '5551001',
			projectId: project,
			leadId: lead,
			callId: randomUUID()
		};
		const c2 = { linkedid: '100.2', agentId: ann, number: '5551002', startedAt: T0 + 10 * MIN };
		const c3 = {
			linkedid: '100.3',
			agentId: bob,
			queue: 'sales',
			direction: 'in' as const,
			number: '5559000',
			startedAt: T0 + 5 * MIN
		};
		return [
			call(c1),
			interval(ann, 'idle', T0 - 10 * MIN, T0),
			call({ ...c3 }),
			call({ ...c1, answeredAt: T0 + 4 * SEC }),
			call({ ...c3, answeredAt: T0 + 5 * MIN + 8 * SEC }),
			call({
				...c1,
				answeredAt: T0 + 4 * SEC,
				endedAt: T0 + 94 * SEC,
				dialStatus: 'ANSWER',
				hangupCause: 16
			}),
			interval(ann, 'dialing', T0, T0 + 4 * SEC),
			interval(ann, 'talking', T0 + 4 * SEC, T0 + 94 * SEC),
			interval(ann, 'paused', T0 + 94 * SEC, T0 + 10 * MIN, 'lunch'),
			call(c2),
			call({ ...c2, endedAt: T0 + 10 * MIN + 20 * SEC, dialStatus: 'BUSY', hangupCause: 17 }),
			call({
				...c3,
				answeredAt: T0 + 5 * MIN + 8 * SEC,
				endedAt: T0 + 5 * MIN + 30 * SEC,
				dialStatus: 'ANSWER',
				hangupCause: 16
			}),
			interval(bob, 'paused', T0 - 2 * MIN, T0 + 5 * MIN, null)
		];
	}

	it('merges the facts of one call, written in several batches, into one row keyed by (pbx, linkedid)', async () => {
		const p = persister();
		const base = { agentId: ann, number: '5551234' };
		p.push([call(base)]);
		await p.flush();
		p.push([
			call({ ...base, answeredAt: T0 + 5 * SEC, projectId: project, leadId: lead, recording: '/rec/1.wav' })
		]);
		await p.flush();
		p.push([
			call({
				...base,
				answeredAt: T0 + 5 * SEC,
				endedAt: T0 + 65 * SEC,
				projectId: project,
				dialStatus: 'ANSWER',
				hangupCause: 16
			})
		]);
		await p.flush();
		// same linkedid on another PBX is another call
		p.push([call({ pbx: 'p2', agentId: bob })]);
		await p.flush();

		const rows = await callsOf(db);
		expect(rows).toHaveLength(2);
		expect(rows[0]).toMatchObject({
			agent_id: ann,
			project_id: project,
			lead_id: lead,
			recording_path: '/rec/1.wav',
			number: '5551234',
			direction: 'out',
			started_ms: T0,
			answered_ms: T0 + 5 * SEC,
			ended_ms: T0 + 65 * SEC,
			talk_seconds: 60,
			dial_status: 'ANSWER',
			hangup_cause: 16
		});
		// the rollup followed the call from "no project" to its project: no stale row is left behind
		expect(await statsOf(db, ann)).toEqual([
			{
				project_id: project,
				day: DAY,
				dials: 1,
				contacts: 1,
				conversations: 1,
				talk_seconds: 60,
				pause_seconds: 0,
				meetings: 0,
				deals: 0,
				hourly: hourly({ 9: 1 })
			}
		]);
		expect(p.stats).toEqual({ written: 4, failed: 0, pending: 0 });
	});

	it('follows the reducer when it revises a call’s direction: an originated call found in a queue is no dial', async () => {
		const p = persister();
		p.push([call({ linkedid: 'q1', agentId: ann, dialStatus: 'ANSWER' })]);
		await p.flush();
		expect(await statsOf(db, ann)).toMatchObject([{ dials: 1 }]);
		p.push([
			call({ linkedid: 'q1', agentId: ann, direction: 'in', queue: 'sales', answeredAt: T0 + 9 * SEC })
		]);
		await p.flush();
		expect(await callsOf(db, 'q1')).toMatchObject([
			{ direction: 'in', queue: 'sales', dial_status: 'ANSWER' }
		]);
		expect(await statsOf(db, ann)).toMatchObject([{ dials: 0, contacts: 1, hourly: hourly({}) }]);
	});

	it('gives identical tables when the same facts are replayed, and whatever the batching', async () => {
		const effects = floorDay();
		await write(effects);
		const first = await dump(db);
		expect(first.calls).toHaveLength(3);
		expect(first.states).toHaveLength(5);

		await write(effects);
		expect(await dump(db)).toEqual(first);

		// replayed again one effect per batch, in reverse order: still the same rows
		const p = persister({ maxBatch: 1 });
		for (const e of [...effects].reverse()) {
			p.push([e]);
			await p.flush();
		}
		expect(await dump(db)).toEqual(first);

		// and a fresh database fed one effect per transaction ends up with the same content
		await truncate(db);
		const q = persister();
		for (const e of effects) {
			q.push([e]);
			await q.flush();
		}
		expect(q.stats.written).toBe(effects.length);
		expect(comparable(await dump(db))).toEqual(comparable(first));

		expect(await statsOf(db, ann)).toEqual(
			[
				{
					project_id: NIL_UUID,
					day: DAY,
					dials: 1,
					contacts: 0,
					conversations: 0,
					talk_seconds: 0,
					pause_seconds: 506,
					meetings: 0,
					deals: 0,
					hourly: hourly({ 9: 1 })
				},
				{
					project_id: project,
					day: DAY,
					dials: 1,
					contacts: 1,
					conversations: 1,
					talk_seconds: 90,
					pause_seconds: 0,
					meetings: 0,
					deals: 0,
					hourly: hourly({ 9: 1 })
				}
			].sort((a, b) => a.project_id.localeCompare(b.project_id))
		);
		expect(await statsOf(db, bob)).toEqual([
			{
				project_id: NIL_UUID,
				day: DAY,
				dials: 0,
				contacts: 1,
				conversations: 0,
				talk_seconds: 22,
				pause_seconds: 420,
				meetings: 0,
				deals: 0,
				hourly: hourly({})
			}
		]);
	});

	it('survives a reconnect mid-call: a resync replaying the start with fewer fields never nulls known values nor duplicates', async () => {
		const callId = randomUUID();
		const known = {
			agentId: ann,
			number: '5551234',
			callId,
			leadId: lead,
			projectId: project,
			recording: '/rec/x.wav'
		};
		const started = call(known);
		const answered = call({ ...known, answeredAt: T0 + 3 * SEC });
		// after the AMI reconnect a rebuilt state knows less: later start, no ids, no answer yet
		const resynced = call({ agentId: ann, startedAt: T0 + 40 * SEC });
		const ended = call({
			agentId: ann,
			startedAt: T0 + 40 * SEC,
			answeredAt: T0 + 41 * SEC,
			endedAt: T0 + 100 * SEC,
			dialStatus: 'CANCEL',
			hangupCause: 16
		});
		const all = [started, answered, resynced, ended];

		const p = persister();
		for (const e of all) {
			p.push([e]);
			await p.flush();
		}
		const rows = await callsOf(db);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			id: callId,
			agent_id: ann,
			number: '5551234',
			lead_id: lead,
			project_id: project,
			recording_path: '/rec/x.wav',
			direction: 'out',
			started_ms: T0,
			answered_ms: T0 + 3 * SEC,
			ended_ms: T0 + 100 * SEC,
			talk_seconds: 97,
			dial_status: 'ANSWER',
			hangup_cause: 16
		});
		const before = await dump(db);
		expect(await statsOf(db, ann)).toEqual([
			{
				project_id: project,
				day: DAY,
				dials: 1,
				contacts: 1,
				conversations: 1,
				talk_seconds: 97,
				pause_seconds: 0,
				meetings: 0,
				deals: 0,
				hourly: hourly({ 9: 1 })
			}
		]);

		// the whole sequence again, coalesced in one batch this time
		await write(all);
		expect(await dump(db)).toEqual(before);
	});

	it('stores agent state intervals once, and splits pause time at the agent’s local midnight', async () => {
		// Zoe (Paris, UTC+1): paused 23:30 → 00:45 local = 22:30Z → 23:45Z
		const pauseStart = Date.UTC(2026, 10, 25, 22, 30);
		const intervals = [
			interval(zoe, 'idle', pauseStart - 30 * MIN, pauseStart),
			interval(zoe, 'paused', pauseStart, pauseStart + 75 * MIN, 'training'),
			interval(bob, 'paused', T0, T0 + 90 * SEC, 'break')
		];
		const p = await write([...intervals, ...intervals]);
		expect(p.stats).toEqual({ written: 3, failed: 0, pending: 0 });
		await write(intervals);
		// the same start with another end: the first stored interval stays
		await write([interval(bob, 'paused', T0, T0 + 999 * SEC, 'break')]);

		const states = await queryRows<{ agent_id: string; state: string; reason: string | null; secs: number }>(
			db,
			sql`select agent_id::text, state, reason, extract(epoch from ended_at - started_at)::integer as secs
			from agent_state_log order by started_at`
		);
		expect(states).toEqual([
			{ agent_id: bob, state: 'paused', reason: 'break', secs: 90 },
			{ agent_id: zoe, state: 'idle', reason: null, secs: 1800 },
			{ agent_id: zoe, state: 'paused', reason: 'training', secs: 4500 }
		]);
		const zeroCalls = {
			dials: 0,
			contacts: 0,
			conversations: 0,
			talk_seconds: 0,
			meetings: 0,
			deals: 0,
			hourly: hourly({})
		};
		expect(await statsOf(db, zoe)).toEqual([
			{ project_id: NIL_UUID, day: '2026-11-25', pause_seconds: 1800, ...zeroCalls },
			{ project_id: NIL_UUID, day: '2026-11-26', pause_seconds: 2700, ...zeroCalls }
		]);
		expect(await statsOf(db, bob)).toEqual([
			{ project_id: NIL_UUID, day: DAY, pause_seconds: 90, ...zeroCalls }
		]);
	});

	it('splits a pause over several days at each local midnight, a 25-hour day (end of summer time) included', async () => {
		// Zoe, Paris: Saturday 10-24 23:00 CEST (21:00Z) → Monday 10-26 01:00 CET (00:00Z) = 27 h.
		// Sunday 10-25 has 25 hours in Paris (clocks go back 03:00 → 02:00).
		const from = Date.UTC(2026, 9, 24, 21, 0);
		const to = Date.UTC(2026, 9, 26, 0, 0);
		await write([interval(zoe, 'paused', from, to, 'sick')]);
		const days = async () =>
			queryRows<{ day: string; pause_seconds: number; pause_reasons: Record<string, number> }>(
				db,
				sql`select day::text, pause_seconds, pause_reasons from agent_day_stats where agent_id = ${zoe}::uuid order by day`
			);
		const expected = [
			{ day: '2026-10-24', pause_seconds: 3600, pause_reasons: { sick: 3600 } },
			{ day: '2026-10-25', pause_seconds: 90_000, pause_reasons: { sick: 90_000 } },
			{ day: '2026-10-26', pause_seconds: 3600, pause_reasons: { sick: 3600 } }
		];
		expect(await days()).toEqual(expected);
		// the set-based rebuild splits it the same way
		expect(await rebuildRollups(db, { timezone })).toBe(0);
		await db.execute(sql`delete from agent_day_stats`);
		await rebuildRollups(db, { timezone });
		expect(await days()).toEqual(expected);
	});

	it('counts a call on the agent’s local start day, even when it starts at 23:59:50', async () => {
		// Zoe: 23:59:50 Paris = 22:59:50Z, answered after midnight local, 60 s of talk
		const start = Date.UTC(2026, 10, 25, 22, 59, 50);
		// Bob (UTC): 23:59:50Z, and a call at 00:00:00Z the next day
		const late = Date.UTC(2026, 10, 25, 23, 59, 50);
		await write([
			call({
				linkedid: 'z1',
				agentId: zoe,
				startedAt: start,
				answeredAt: start + 20 * SEC,
				endedAt: start + 80 * SEC
			}),
			call({
				linkedid: 'b1',
				agentId: bob,
				startedAt: late,
				answeredAt: late + 5 * SEC,
				endedAt: late + 25 * SEC
			}),
			call({ linkedid: 'b2', agentId: bob, startedAt: late + 10 * SEC })
		]);
		expect(await statsOf(db, zoe)).toEqual([
			{
				project_id: NIL_UUID,
				day: '2026-11-25',
				dials: 1,
				contacts: 1,
				conversations: 1,
				talk_seconds: 60,
				pause_seconds: 0,
				meetings: 0,
				deals: 0,
				hourly: hourly({ 23: 1 })
			}
		]);
		expect(await statsOf(db, bob)).toEqual([
			{
				project_id: NIL_UUID,
				day: '2026-11-25',
				dials: 1,
				contacts: 1,
				conversations: 0,
				talk_seconds: 20,
				pause_seconds: 0,
				meetings: 0,
				deals: 0,
				hourly: hourly({ 23: 1 })
			},
			{
				project_id: NIL_UUID,
				day: '2026-11-26',
				dials: 1,
				contacts: 0,
				conversations: 0,
				talk_seconds: 0,
				pause_seconds: 0,
				meetings: 0,
				deals: 0,
				hourly: hourly({ 0: 1 })
			}
		]);
	});

	it('stores garbage SB ids as null without failing the batch', async () => {
		const log = new CollectingLog();
		const callId = randomUUID();
		const p = await write(
			[
				call({
					linkedid: 'g1',
					agentId: ann,
					callId: 'call:c2c-answered-1',
					leadId: 'lead-42',
					projectId: randomUUID()
				}),
				call({
					linkedid: 'g2',
					agentId: randomUUID(),
					leadId: randomUUID(),
					projectId: 'SB_PROJECT',
					number: '555'
				}),
				call({ linkedid: 'g3', agentId: 'agent1', callId, projectId: project }),
				// the same SB_CALL on another linkedid: the id is taken, the row still goes in
				call({ linkedid: 'g4', agentId: bob, callId }),
				interval('agent1', 'paused', T0, T0 + SEC),
				interval(randomUUID(), 'paused', T0, T0 + SEC)
			],
			{ log }
		);
		expect(log.messages('warn')).toEqual([]);
		const rows = await callsOf(db);
		expect(rows.map((r) => [r.agent_id, r.lead_id, r.project_id])).toEqual([
			[ann, null, null],
			[null, null, null],
			[null, null, project],
			[bob, null, null]
		]);
		expect(rows[2]?.id).toBe(callId);
		expect(rows[3]?.id).not.toBe(callId);
		// a later batch with the taken id still writes its row
		await write([call({ linkedid: 'g5', agentId: bob, callId })]);
		expect(await callsOf(db, 'g5')).toHaveLength(1);
		// an interval of a non-uuid agent cannot be stored: counted as failed; an unknown uuid is skipped
		expect(p.stats).toEqual({ written: 5, failed: 1, pending: 0 });
		expect(await queryRows(db, sql`select * from agent_state_log`)).toEqual([]);
	});

	it('isolates rows the database refuses: logged and dropped, the rest of the batch is written', async () => {
		const log = new CollectingLog();
		const p = await write(
			[
				call({ linkedid: 'ok1', agentId: ann }),
				call({ linkedid: 'bad1', agentId: ann, hangupCause: 2 ** 40 }),
				call({ linkedid: 'bad2', agentId: bob, number: 'nul\u0000byte' }),
				interval(bob, 'paused', T0, T0 + 30 * SEC),
				call({ linkedid: 'ok2', agentId: bob, answeredAt: T0 + SEC, endedAt: T0 + 41 * SEC })
			],
			{ log }
		);
		expect(
			(await queryRows<{ linkedid: string }>(db, sql`select linkedid from calls order by linkedid`)).map(
				(r) => r.linkedid
			)
		).toEqual(['ok1', 'ok2']);
		expect(p.stats).toEqual({ written: 3, failed: 2, pending: 0 });
		expect(log.messages('warn')).toEqual(['persist: batch refused, retrying row by row']);
		expect(log.messages('error')).toEqual([
			'persist: dropped a row the database refused',
			'persist: dropped a row the database refused'
		]);
		expect(await statsOf(db, bob)).toEqual([
			{
				project_id: NIL_UUID,
				day: DAY,
				dials: 1,
				contacts: 1,
				conversations: 1,
				talk_seconds: 40,
				pause_seconds: 30,
				meetings: 0,
				deals: 0,
				hourly: hourly({ 9: 1 })
			}
		]);
	});

	it('keeps a batch while the database is down and writes it, merged with newer facts, once it is back', async () => {
		const link = flaky(db);
		const timers = new ManualTimers();
		const log = new CollectingLog();
		const p = persister({ db: link.db, setTimer: timers.setTimer, log, retryMs: 500 });
		link.down = true;

		p.push([
			call({ linkedid: 'd1', agentId: ann, number: '5551' }),
			call({ linkedid: 'd2', agentId: bob }),
			interval(ann, 'paused', T0, T0 + MIN)
		]);
		await expect(p.flush()).rejects.toThrow(/ECONNREFUSED/);
		expect(p.stats).toEqual({ written: 0, failed: 0, pending: 3 });
		expect(timers.armed).toEqual([500]);

		// newer facts arrive while the database is away; the retry fails again and backs off
		p.push([call({ linkedid: 'd1', agentId: ann, answeredAt: T0 + 2 * SEC, endedAt: T0 + 50 * SEC })]);
		timers.fire();
		await expect(p.flush()).rejects.toThrow(/ECONNREFUSED/);
		expect(timers.armed).toEqual([1000]);
		expect(p.stats.pending).toBe(3);

		link.down = false;
		timers.fire();
		await p.flush();
		expect(p.stats).toEqual({ written: 3, failed: 0, pending: 0 });
		expect(timers.armed).toEqual([]);
		expect(await callsOf(db, 'd1')).toMatchObject([
			{ number: '5551', answered_ms: T0 + 2 * SEC, ended_ms: T0 + 50 * SEC, talk_seconds: 48 }
		]);
		expect(await callsOf(db, 'd2')).toHaveLength(1);
		expect(await statsOf(db, ann)).toMatchObject([
			{ dials: 1, contacts: 1, conversations: 1, talk_seconds: 48, pause_seconds: 60 }
		]);
		expect(log.messages('info')).toContain('persist: database writes resumed');
	});

	it('flushes after flushMs, at once at maxBatch, one transaction per batch with a call’s facts coalesced', async () => {
		const link = flaky(db);
		const timers = new ManualTimers();
		const p = persister({ db: link.db, setTimer: timers.setTimer, flushMs: 250, maxBatch: 3 });

		p.push([call({ linkedid: 't1', agentId: ann })]);
		p.push([call({ linkedid: 't1', agentId: ann, answeredAt: T0 + SEC })]);
		p.push([call({ linkedid: 't1', agentId: ann, answeredAt: T0 + SEC, endedAt: T0 + 31 * SEC })]);
		expect(timers.armed).toEqual([250]);
		expect(p.stats.pending).toBe(1);
		expect(await callsOf(db)).toEqual([]);
		timers.fire();
		await p.flush();
		expect(link.attempts).toBe(1);
		expect(await callsOf(db, 't1')).toMatchObject([{ talk_seconds: 30 }]);

		p.push([call({ linkedid: 't2' }), call({ linkedid: 't3' })]);
		expect(timers.armed).toEqual([250]);
		p.push([call({ linkedid: 't4' })]);
		expect(timers.armed).toEqual([0]);
		timers.fire();
		await p.flush();
		expect(link.attempts).toBe(2);
		expect(p.stats).toEqual({ written: 4, failed: 0, pending: 0 });
	});

	it('under load recomputes rollups at most every rollupMs, and flush() brings them up to date', async () => {
		const link = flaky(db);
		const timers = new ManualTimers();
		const p = persister({ db: link.db, setTimer: timers.setTimer, rollupMs: 60_000 });

		// the first batch carries its rollups (none was done yet)
		p.push([call({ linkedid: 'r1', agentId: ann })]);
		timers.fire();
		await vi.waitFor(async () => expect(await statsOf(db, ann)).toMatchObject([{ dials: 1 }]));

		// the next ones only write rows; their keys wait for the rollup timer
		p.push([call({ linkedid: 'r2', agentId: ann }), interval(ann, 'paused', T0, T0 + MIN)]);
		timers.fire();
		await vi.waitFor(async () => expect(p.stats.pending).toBe(0));
		await vi.waitFor(() => expect(timers.armed).toHaveLength(1));
		expect(await callsOf(db, 'r2')).toHaveLength(1);
		expect(await statsOf(db, ann)).toMatchObject([{ dials: 1, pause_seconds: 0 }]);
		expect(timers.armed[0]).toBeGreaterThan(50_000);
		expect(link.attempts).toBe(2);

		// flush(): one rollup transaction, then the same table as a rebuild from raw rows
		await p.flush();
		expect(link.attempts).toBe(3);
		expect(timers.armed).toEqual([]);
		expect(await statsOf(db, ann)).toMatchObject([{ dials: 2, pause_seconds: 60 }]);
		expect(await rebuildRollups(db, { timezone })).toBe(0);
		await p.flush();
		expect(link.attempts).toBe(3);
	});

	it('close() flushes; effects pushed after close are counted as failed', async () => {
		const log = new CollectingLog();
		const p = persister({ log });
		p.push([call({ linkedid: 'c1', agentId: ann })]);
		await p.close();
		expect(await callsOf(db, 'c1')).toHaveLength(1);
		p.push([call({ linkedid: 'c2' })]);
		expect(p.stats).toEqual({ written: 1, failed: 1, pending: 0 });
		expect(log.messages('error')).toHaveLength(1);
	});

	it('close() rejects when the database is down, saying how many rows were not written', async () => {
		const link = flaky(db);
		link.down = true;
		const p = persister({ db: link.db });
		p.push([call({ linkedid: 'x1' }), call({ linkedid: 'x2' })]);
		await expect(p.close()).rejects.toThrow('persist: 2 rows not written');
	});

	it('rebuildRollups recomputes agent_day_stats from raw rows with the same result as the live path', async () => {
		await write(floorDay());
		await write([
			call({
				linkedid: 'z1',
				agentId: zoe,
				startedAt: Date.UTC(2026, 10, 25, 23, 30),
				answeredAt: Date.UTC(2026, 10, 25, 23, 31)
			})
		]);
		const live = await dump(db);
		expect(await rebuildRollups(db, { timezone })).toBe(0);
		expect(await dump(db)).toEqual(live);

		// damage: a wrong count, a missing row, a stale row, a row of other code's meetings
		await db.execute(sql`update agent_day_stats set dials = 99 where agent_id = ${ann}::uuid`);
		await db.execute(sql`delete from agent_day_stats where agent_id = ${bob}::uuid`);
		await db.execute(
			sql`insert into agent_day_stats (agent_id, project_id, day, dials) values (${bob}::uuid, ${NIL_UUID}::uuid, '2026-11-20', 7)`
		);
		await db.execute(
			sql`insert into agent_day_stats (agent_id, project_id, day, dials, meetings) values (${bob}::uuid, ${project}::uuid, '2026-11-21', 3, 2)`
		);

		// a range rebuild fixes only the days it covers
		await rebuildRollups(db, {
			from: new Date(Date.UTC(2026, 10, 20)),
			to: new Date(Date.UTC(2026, 10, 22)),
			timezone
		});
		expect((await statsOf(db, bob)).map((r) => [r.day, r.dials, r.meetings])).toEqual([['2026-11-21', 0, 2]]);
		expect((await statsOf(db, ann)).map((r) => r.dials)).toEqual([99, 99]);

		await rebuildRollups(db, { timezone });
		const rebuilt = await dump(db);
		const meetingsRow = {
			project_id: project,
			day: '2026-11-21',
			dials: 0,
			contacts: 0,
			conversations: 0,
			talk_seconds: 0,
			pause_seconds: 0,
			meetings: 2,
			deals: 0,
			hourly: hourly({})
		};
		expect((await statsOf(db, bob)).find((r) => r.day === '2026-11-21')).toEqual(meetingsRow);
		await db.execute(sql`delete from agent_day_stats where day = '2026-11-21'`);
		expect(comparable(await dump(db))).toEqual(comparable(live));
		expect(rebuilt.calls).toEqual(live.calls);
		// Zoe's 00:30 Paris call is on the 26th
		expect((await statsOf(db, zoe)).map((r) => r.day)).toEqual(['2026-11-26']);
	});

	it('falls back to UTC for an unknown time zone, once logged', async () => {
		const log = new CollectingLog();
		await write(
			[
				call({ linkedid: 'u1', agentId: ann, startedAt: Date.UTC(2026, 10, 25, 23, 30) }),
				call({ linkedid: 'u2', agentId: ann, startedAt: Date.UTC(2026, 10, 25, 23, 40) })
			],
			{ timezone: () => 'Mars/Olympus_Mons', log }
		);
		expect(log.messages('warn')).toEqual(['persist: unknown time zone, using UTC']);
		expect(await statsOf(db, ann)).toMatchObject([
			{ day: '2026-11-25', dials: 2, hourly: hourly({ 23: 2 }) }
		]);
	});
});
