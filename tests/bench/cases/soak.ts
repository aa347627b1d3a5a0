/**
 * Bench case `soak`: the TV wall `/floor/tv` left running in headless Chromium against a live
 * simulated floor, sampling the page's memory over time — a TV runs for days, so its JS heap and
 * DOM must stay flat (issue #5: "memory stays flat over a one-hour soak").
 *
 * Setup: a fresh DATA_DIR with a manager and BENCH_SOAK_AGENTS agents (seedFloorDb), the production
 * build run from a private copy (so `npm run build` may run meanwhile), the simulator in this
 * process with bots on (agents dial, talk, wrap up, pause; customers call the queues), a 1920×1080
 * page on /floor/tv. With the default 120 agents the TV splits the floor into several pages that
 * cycle every 15 s, so page changes (tiles mounted and destroyed) are part of the soak.
 *
 * Every BENCH_SOAK_SAMPLE_SECONDS the page is garbage-collected (CDP HeapProfiler.collectGarbage:
 * what is left is what the page retains) and CDP Performance.getMetrics gives JSHeapUsedSize,
 * Nodes (DOM nodes, including detached ones still referenced) and JSEventListeners. The first
 * BENCH_SOAK_WARMUP_SECONDS are left out (caches, JIT, first pages), then a least-squares slope is
 * fitted to the heap and to the DOM nodes. Each sample is also appended to the file
 * BENCH_SOAK_LOG (JSON lines), so a long run can be watched while it runs.
 *
 * Knobs: BENCH_SOAK_SECONDS (120; 3600 for the one-hour figure), BENCH_SOAK_SAMPLE_SECONDS (10),
 * BENCH_SOAK_WARMUP_SECONDS (30), BENCH_SOAK_AGENTS (120), BENCH_SOAK_LOG (unset).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { makeAgents } from '../../../realtime/simulator/cli';
import { startSimulator } from '../../../realtime/simulator/server';
import { SESSION_COOKIE } from '../../../src/lib/server/auth/session';
import { ensureBuild, startApp } from '../lib/app';
import { launchChromium, newContext, open } from '../lib/browser';
import { repoRoot, sleep, withCleanup } from '../lib/children';
import { seedFloorDb } from '../lib/seed';
import { round } from '../lib/stats';
import type { BenchCase, BenchResult } from '../types';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 120);
const SAMPLE_SECONDS = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 10);
const WARMUP_SECONDS = Math.min(Number(process.env.BENCH_SOAK_WARMUP_SECONDS ?? 30), SECONDS / 2);
const AGENTS = Number(process.env.BENCH_SOAK_AGENTS ?? 120);
const LOG = process.env.BENCH_SOAK_LOG;
/** growth per hour we still call flat: 2 MB of heap, 200 DOM nodes */
const GOAL_HEAP_MB_PER_HOUR = 2;
const GOAL_NODES_PER_HOUR = 200;

interface Sample {
	/** seconds since the page was live */
	t: number;
	heapMb: number;
	nodes: number;
	listeners: number;
	/** the TV page shown (proof that pages cycle) */
	page: string;
	status: string;
}

/** least-squares slope of y over x */
export function slope(points: readonly { x: number; y: number }[]): number {
	const n = points.length;
	if (n < 2) return 0;
	let sx = 0;
	let sy = 0;
	for (const p of points) {
		sx += p.x;
		sy += p.y;
	}
	const mx = sx / n;
	const my = sy / n;
	let num = 0;
	let den = 0;
	for (const p of points) {
		num += (p.x - mx) * (p.y - my);
		den += (p.x - mx) ** 2;
	}
	return den === 0 ? 0 : num / den;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
	await cdp.send('HeapProfiler.collectGarbage');
	const { metrics: list } = await cdp.send('Performance.getMetrics');
	return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

const soak: BenchCase = {
	name: 'soak',
	run: () =>
		withCleanup(async (defer) => {
			const agents = makeAgents(AGENTS, 1001);
			const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-bench-soak-'));
			defer(() => rmSync(dataDir, { recursive: true, force: true }));
			const { token } = await seedFloorDb(dataDir, agents);

			// a private copy of the build under node_modules/.cache (packages still resolve from there)
			ensureBuild();
			mkdirSync(path.join(repoRoot, 'node_modules/.cache'), { recursive: true });
			const buildDir = mkdtempSync(path.join(repoRoot, 'node_modules/.cache/sb-soak-build-'));
			defer(() => rmSync(buildDir, { recursive: true, force: true }));
			cpSync(path.join(repoRoot, 'build'), buildDir, { recursive: true });

			const secret = randomBytes(12).toString('base64url');
			const sim = await startSimulator({ agents, username: 'bench', secret, bots: true, seed: 5 });
			defer(() => sim.close());
			const app = await startApp({ dataDir, amiUrl: sim.url, demo: false, buildDir });
			defer(() => app.stop());

			const browser = await launchChromium();
			defer(() => browser.close());
			const context = await newContext(browser, app.baseURL, { width: 1920, height: 1080 });
			await context.addCookies([{ name: SESSION_COOKIE, value: token, url: app.baseURL }]);
			const page = await context.newPage();
			await open(page, '/floor/tv');
			await page.waitForSelector('[data-testid=floor-tv][data-floor-status=live]', { timeout: 60_000 });
			await page.waitForSelector('[data-agent-id]', { timeout: 60_000 });
			const cdp = await context.newCDPSession(page);
			await cdp.send('Performance.enable');

			const samples: Sample[] = [];
			const pagesSeen = new Set<string>();
			const t0 = performance.now();
			for (;;) {
				const m = await metrics(cdp);
				const tv = await page.evaluate(() => {
					const el = document.querySelector('[data-testid=floor-tv]');
					return { page: el?.getAttribute('data-page') ?? '?', status: el?.getAttribute('data-floor-status') ?? '?' };
				});
				const s: Sample = {
					t: round((performance.now() - t0) / 1000, 1),
					heapMb: round((m.JSHeapUsedSize ?? 0) / 1048576, 3),
					nodes: m.Nodes ?? 0,
					listeners: m.JSEventListeners ?? 0,
					...tv
				};
				samples.push(s);
				pagesSeen.add(s.page);
				if (LOG) appendFileSync(LOG, JSON.stringify(s) + '\n');
				if (s.t >= SECONDS) break;
				await sleep(Math.max(0, t0 + samples.length * SAMPLE_SECONDS * 1000 - performance.now()));
			}

			const steady = samples.filter((s) => s.t >= WARMUP_SECONDS);
			const heapPerHour = slope(steady.map((s) => ({ x: s.t / 3600, y: s.heapMb })));
			const nodesPerHour = slope(steady.map((s) => ({ x: s.t / 3600, y: s.nodes })));
			const first = steady[0] ?? samples[0]!;
			const last = samples[samples.length - 1]!;
			const maxHeap = Math.max(...samples.map((s) => s.heapMb));
			const maxNodes = Math.max(...samples.map((s) => s.nodes));
			const span = `${round(SECONDS / 60, 1)} min, ${AGENTS} agents with bots, ${samples.length} samples, TV pages seen ${pagesSeen.size}`;
			const results: BenchResult[] = [
				{
					case: 'soak',
					metric: `/floor/tv JS heap after GC, slope after ${WARMUP_SECONDS} s warm-up (${span}; heap start ${samples[0]!.heapMb} → after warm-up ${first.heapMb} → end ${last.heapMb}, max ${round(maxHeap, 2)} MB)`,
					value: round(heapPerHour, 2),
					unit: 'MB/h',
					baseline: first.heapMb,
					ratio: null,
					goal: `≤ ${GOAL_HEAP_MB_PER_HOUR} MB/h`,
					pass: heapPerHour <= GOAL_HEAP_MB_PER_HOUR
				},
				{
					case: 'soak',
					metric: `/floor/tv DOM nodes, slope after warm-up (start ${samples[0]!.nodes} → end ${last.nodes}, max ${maxNodes}; event listeners ${samples[0]!.listeners} → ${last.listeners})`,
					value: Math.round(nodesPerHour),
					unit: 'nodes/h',
					baseline: first.nodes,
					ratio: null,
					goal: `≤ ${GOAL_NODES_PER_HOUR} nodes/h`,
					pass: nodesPerHour <= GOAL_NODES_PER_HOUR
				},
				{
					case: 'soak',
					metric: 'samples where the TV was not live (connection lost)',
					value: samples.filter((s) => s.status !== 'live').length,
					unit: 'samples',
					baseline: null,
					ratio: null,
					goal: '0',
					pass: samples.every((s) => s.status === 'live')
				}
			];
			return results;
		})
};

export default soak;
