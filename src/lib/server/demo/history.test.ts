import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildRollups } from '../../../../realtime/persist/rollups';
import { agentZones } from '../reports/agent-zones';
import type { DatabaseHandle } from '../db';
import { queryRows } from '../db/rows';
import { testDatabases } from '../db/testing';
import { addDays, dayOf, mondayOf } from '$lib/reports/dates';
import { failureReasons } from '../reports/failures';
import { loadPayWeek } from '../reports/pay';
import { seedDemo } from './seed';

describe.each(testDatabases())('demo history on $name', ({ open }) => {
	let handle: DatabaseHandle;
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-history-'));
	const now = new Date('2026-11-25T15:00:00Z');
	beforeAll(async () => {
		handle = await open();
		const { seedDemoHistory } = await import('./history');
		await seedDemo(handle.db, { agents: 4, leads: 60, seed: 5 });
		await seedDemoHistory(handle.db, { random: () => 0.42, dataDir, now });
	}, 120_000);
	afterAll(async () => {
		await handle?.close();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('gives four past weeks of calls, pauses and meetings whose rollups equal a rebuild', async () => {
		const [c] = await queryRows<{ n: number; first: string; last: string }>(
			handle.db,
			sql`select count(*)::integer as n, min(started_at)::date::text as first, max(started_at)::date::text as last from calls`
		);
		expect(c!.n).toBeGreaterThan(1000);
		expect(c!.first).toBe(addDays(mondayOf(dayOf(now)), -28));
		expect(c!.last < dayOf(now)).toBe(true);
		expect(statSync(path.join(dataDir, 'recordings', 'demo-call.wav')).size).toBe(16_044);
		expect(await rebuildRollups(handle.db, { timezone: await agentZones(handle.db) })).toBe(0);
		const [s] = await queryRows<{ dials: number; pause: number }>(
			handle.db,
			sql`select sum(dials)::integer as dials, sum(pause_seconds)::integer as pause from agent_day_stats`
		);
		expect(s!.dials).toBe(c!.n);
		expect(s!.pause).toBeGreaterThan(0);
	});

	it('gives each past day a snapshot of the lists, leads by status moving as the calls go', async () => {
		const rows = await queryRows<{ day: string; leads: number; untouched: number; calling: number }>(
			handle.db,
			sql`select d.day::text as day, sum((s.value->>0)::integer)::integer as leads,
					sum((s.value->>0)::integer - (s.value->>1)::integer) filter (where s.key = 'new')::integer as untouched,
					max(d.calling_days)::integer as calling
				from project_progress_days d cross join jsonb_each(d.by_status) s
				group by d.day order by d.day`
		);
		const first = addDays(mondayOf(dayOf(now)), -28);
		expect(rows[0]!.day).toBe(first);
		expect(rows.at(-1)!.day).toBe(addDays(dayOf(now), -1));
		expect(rows).toHaveLength(28 + 2);
		// the list itself never changes size; the untouched part only shrinks, the calling days only grow
		expect(new Set(rows.map((r) => r.leads))).toEqual(new Set([60]));
		for (let i = 1; i < rows.length; i++) {
			expect(rows[i]!.untouched).toBeLessThanOrEqual(rows[i - 1]!.untouched);
			expect(rows[i]!.calling).toBeGreaterThanOrEqual(rows[i - 1]!.calling);
		}
		// calls start on the first day (this constant random calls the same lead of each project)
		expect(rows[0]!.untouched).toBe(58);
		expect(rows[0]!.calling).toBe(1);
		// four weeks of weekdays and this week's Monday and Tuesday
		expect(rows.at(-1)!.calling).toBe(22);
	});

	it('feeds the reports: failure reasons and a computable pay week', async () => {
		const scope = { filters: { from: addDays(dayOf(now), -28), to: dayOf(now), projectId: null, teamId: null, agentId: null }, teamIds: null };
		expect((await failureReasons(handle.db, scope)).length).toBeGreaterThan(0);
		const [team] = await queryRows<{ id: string }>(handle.db, sql`select id from teams order by name limit 1`);
		const week = await loadPayWeek(handle.db, team!.id, addDays(mondayOf(dayOf(now)), -7));
		expect(week.rule).not.toBeNull();
		expect(week.lines.length).toBe(2);
	});
});
