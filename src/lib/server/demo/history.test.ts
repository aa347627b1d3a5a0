import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildRollups } from '../../../../realtime/persist/rollups';
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
		expect(await rebuildRollups(handle.db)).toBe(0);
		const [s] = await queryRows<{ dials: number; pause: number }>(
			handle.db,
			sql`select sum(dials)::integer as dials, sum(pause_seconds)::integer as pause from agent_day_stats`
		);
		expect(s!.dials).toBe(c!.n);
		expect(s!.pause).toBeGreaterThan(0);
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
