/**
 * Bench case `reports` (issues #8, #9): each report and the weekly review pack on a year of
 * BENCH_REPORTS_CALLS (default 10M) seeded calls in Postgres, four-week period, manager scope (all
 * teams), measured through the same server functions the pages call: p95 over
 * BENCH_REPORTS_RUNS (default 20) runs after 2 warm-ups. The seed (lib/reports-seed.ts) is made
 * afresh in every run, inside the case's 5-minute budget, and its time reported on its own row.
 * Needs DATABASE_URL (the figure is about Postgres).
 */
import { addDays, mondayOf } from '../../../src/lib/reports/dates';
import { conversionRows } from '../../../src/lib/server/reports/conversion';
import { drillCalls, nextCursor, type DrillCursor } from '../../../src/lib/server/reports/calls';
import { failureReasons } from '../../../src/lib/server/reports/failures';
import { intensity } from '../../../src/lib/server/reports/intensity';
import { weeklyPack } from '../../../src/lib/server/reports/pack';
import { loadPayWeek } from '../../../src/lib/server/reports/pay';
import { projectProgress } from '../../../src/lib/server/reports/progress';
import type { ReportScope } from '../../../src/lib/server/reports/scope';
import { queryRows } from '../../../src/lib/server/db/rows';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { LAST_DAY, openReportsBenchDb } from '../lib/reports-seed';
import { percentile, round } from '../lib/stats';
import type { BenchCase, BenchResult } from '../types';

const CALLS = Number(process.env.BENCH_REPORTS_CALLS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_REPORTS_RUNS ?? 20);
const GOAL_MS = 100;
const PACK_GOAL_MS = 1000;

async function p95(fn: () => Promise<unknown>): Promise<number> {
	for (let i = 0; i < 2; i++) await fn();
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const t = performance.now();
		await fn();
		times.push(performance.now() - t);
	}
	return round(percentile(times, 95), 1);
}

const reports: BenchCase = {
	name: 'reports',
	async run(): Promise<BenchResult[]> {
		const base = process.env.DATABASE_URL;
		if (!base) throw new Error('the reports case measures Postgres: set DATABASE_URL');
		const log = (s: string) => console.error(s);
		const started = performance.now();
		const bench = await openReportsBenchDb(base, CALLS, log);
		try {
			const db = bench.handle.db;
			const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::integer as n from calls`);
			const label = `${(count!.n / 1e6).toFixed(1)}M calls`;
			const to = LAST_DAY;
			const scope: ReportScope = {
				filters: { from: addDays(mondayOf(to), -21), to, projectId: null, teamId: null, agentId: null },
				teamIds: null
			};
			const [team] = await queryRows<{ id: string }>(db, sql`select id from teams order by name limit 1`);
			const lastWeek = addDays(mondayOf(to), -7);
			// drill into the diagram's biggest bar and its smallest (the rarest reason: the longest index walk), page 2 of the first
			const reasons = await failureReasons(db, scope);
			const drillOf = (reason: string, before: DrillCursor | null = null) => ({ reason, day: null, outcome: null, before });
			const top = drillOf(reasons[0]!.reason);
			const rare = drillOf(reasons.at(-1)!.reason);
			const secondPage = drillOf(top.reason, nextCursor(await drillCalls(db, scope, top)));
			const cases: Array<[string, () => Promise<unknown>, number]> = [
				['progress', () => projectProgress(db, scope, to), GOAL_MS],
				['failures', () => failureReasons(db, scope), GOAL_MS],
				['conversion', () => conversionRows(db, scope), GOAL_MS],
				['intensity', () => intensity(db, scope), GOAL_MS],
				['pay', () => loadPayWeek(db, team!.id, lastWeek), GOAL_MS],
				[`drill-down, biggest bar (${top.reason})`, () => drillCalls(db, scope, top), GOAL_MS],
				[`drill-down, smallest bar (${rare.reason})`, () => drillCalls(db, scope, rare), GOAL_MS],
				['drill-down, page 2', () => drillCalls(db, scope, secondPage), GOAL_MS],
				['weekly pack', () => weeklyPack(db, scope, lastWeek, to), PACK_GOAL_MS]
			];
			const out: BenchResult[] = [];
			// the machine is shared: say how busy it was
			out.push({ case: 'reports', metric: 'load average (1 min) before measuring, 2 cores', value: round(os.loadavg()[0]!, 1), unit: '', baseline: null, ratio: null, goal: 'informative', pass: true });
			if (bench.seedSeconds !== null)
				out.push({ case: 'reports', metric: `seed ${label} (generate + rollups rebuild)`, value: round(bench.seedSeconds, 0), unit: 's', baseline: null, ratio: null, goal: 'informative', pass: true });
			for (const [name, fn, goal] of cases) {
				const value = await p95(fn);
				log(`  ${name}: p95 ${value} ms`);
				out.push({ case: 'reports', metric: `${name} p95 (${label}, 4 weeks)`, value, unit: 'ms', baseline: null, ratio: null, goal: `≤ ${goal} ms`, pass: value <= goal });
			}
			const total = round((performance.now() - started) / 1000, 0);
			out.push({ case: 'reports', metric: 'case wall time (seed + measurements)', value: total, unit: 's', baseline: null, ratio: null, goal: '≤ 300 s', pass: total <= 300 });
			return out;
		} finally {
			await bench.close();
		}
	}
};

export default reports;
