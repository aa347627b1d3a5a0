/**
 * Bench case `render`: the `/floor` wall with 2,000 agent tiles in headless Chromium while 10 % of
 * the agents change state every 100 ms.
 *
 * Setup: a fresh DATA_DIR whose PGlite database gets a manager and 2,000 agents on
 * PJSIP/1001…3000 inserted directly (a fixed dummy password hash: nobody logs in by password; the
 * browser gets a session cookie created in the same database), then the production build
 * (`node build/server.js`, SB_DEMO=0) with AMI_URL pointing at the simulator in this process
 * (2,000 agents, no bots, one queue per team of 20 agents).
 *
 * Why team queues: with the simulator's default queues (`sales` holding all 2,000 members,
 * `support` 1,000) the hub cannot take this load: the reducer copies a queue's whole member map on
 * every QueueMemberPause (realtime/state/queues.ts applyMember, and viewOf recounts it), ~0.5 ms
 * per event at 2,000 members, so 3,000 events/s saturate it and the AMI link drops on a ping
 * timeout — the page then gets almost nothing and this case would not measure rendering at all.
 * BENCH_RENDER_QUEUES=default runs it that way anyway.
 *
 * Load: every 100 ms the next 200 agents (a rotating tenth of the floor) are paused or unpaused
 * through the model (QueuePause → one QueueMemberPause per queue membership), so each tile flips
 * between idle and paused once a second: 2,000 tile changes per second reach the page.
 *
 * In the page, over 20 s: every animation frame's start (the rAF timestamp) and the moment right
 * after its style, layout and paint (a MessageChannel message posted from the rAF callback runs
 * after the frame's rendering). Frame time = that difference, which includes the store applying
 * the patches, Svelte updating the tiles and the browser rendering them. Also: the rAF interval
 * (60 Hz is 16.7 ms; longer means dropped frames), long animation frames (> 50 ms) where the
 * browser reports them, and the data-state changes actually applied per second to the tiles the
 * wall renders (only the rows on screen, wall-window.svelte.ts: their share of the driven rate). Baseline: the
 * same page for 5 s with no change (the shared 1 s clock still ticks every tile's timer).
 *
 * Knobs: BENCH_RENDER_AGENTS (2000), BENCH_RENDER_SECONDS (20), BENCH_RENDER_SHARE (0.1);
 * BENCH_RENDER_PROFILE=<file.cpuprofile> also records the page's JS CPU profile during the window
 * (open it in Chrome DevTools; the profiler slows the page, so the figures of that run are not
 * comparable). BENCH_RENDER_TRACE=<file.json> records a Chromium performance trace of the window
 * instead and prints where the main thread's time went (script, style, layout, paint) and how
 * many elements each style recalc and layout touched (lib/trace-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { makeAgents } from '../../../realtime/simulator/cli';
import { startSimulator } from '../../../realtime/simulator/server';
import { SESSION_COOKIE } from '../../../src/lib/server/auth/session';
import { startApp } from '../lib/app';
import { launchChromium, newContext, openFloor } from '../lib/browser';
import { sleep, withCleanup } from '../lib/children';
import { countEvents } from '../lib/load';
import { cpuWindow, othersCpuWindow, processCpuMs, treeCpuMs } from '../lib/proc';
import { seedFloorDb } from '../lib/seed';
import { formatTraceSummary, summariseTrace } from '../lib/trace-summary';
import { percentile, round } from '../lib/stats';
import type { BenchCase, BenchResult } from '../types';

const AGENTS = Number(process.env.BENCH_RENDER_AGENTS ?? 2000);
const SECONDS = Number(process.env.BENCH_RENDER_SECONDS ?? 20);
const SHARE = Number(process.env.BENCH_RENDER_SHARE ?? 0.1);
const STEP_MS = 100;
const BASELINE_SECONDS = 5;
const GOAL_FRAME_MS = 16;
const TEAM_SIZE = 20;
const DEFAULT_QUEUES = process.env.BENCH_RENDER_QUEUES === 'default';
const PROFILE = process.env.BENCH_RENDER_PROFILE;
const TRACE = process.env.BENCH_RENDER_TRACE;

interface FrameStats {
	seconds: number;
	/** rAF start → after that frame's rendering, ms */
	work: number[];
	/** rAF timestamp deltas, ms */
	intervals: number[];
	/** long-animation-frame durations (null: not supported) */
	longFrames: number[] | null;
	/** where the long frames' time went, ms summed over them: tasks before the frame, rAF callbacks, style+layout+paint */
	longSplit: { scripts: number; raf: number; styleLayout: number };
	/** data-state attribute changes applied */
	stateChanges: number;
	/** tiles in the DOM (the wall renders only the rows on screen) */
	renderedTiles: number;
}

/** Runs in the page: frame timings for `ms`. */
function recordFrames(ms: number): Promise<FrameStats> {
	return new Promise((resolve) => {
		const work: number[] = [];
		const intervals: number[] = [];
		let stateChanges = 0;
		const floor = document.querySelector('[data-testid=floor]') ?? document.body;
		const mo = new MutationObserver((records) => {
			for (const r of records) if (r.attributeName === 'data-state') stateChanges++;
		});
		mo.observe(floor, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
		let longFrames: number[] | null = null;
		const longSplit = { scripts: 0, raf: 0, styleLayout: 0 };
		let po: PerformanceObserver | null = null;
		if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
			const list: number[] = [];
			longFrames = list;
			po = new PerformanceObserver((l) => {
				for (const entry of l.getEntries()) {
					list.push(entry.duration);
					// PerformanceLongAnimationFrameTiming (not in every DOM lib yet)
					const e = entry as PerformanceEntry & { renderStart?: number; styleAndLayoutStart?: number };
					const end = e.startTime + e.duration;
					const render = e.renderStart && e.renderStart > 0 ? e.renderStart : end;
					const layout = e.styleAndLayoutStart && e.styleAndLayoutStart > 0 ? e.styleAndLayoutStart : end;
					longSplit.scripts += render - e.startTime;
					longSplit.raf += Math.max(0, layout - render);
					longSplit.styleLayout += Math.max(0, end - layout);
				}
			});
			po.observe({ type: 'long-animation-frame' });
		}
		const start = performance.now();
		let last = 0;
		const frame = (ts: number): void => {
			if (last > 0) intervals.push(ts - last);
			last = ts;
			const channel = new MessageChannel();
			channel.port1.onmessage = () => {
				work.push(performance.now() - ts);
				channel.port1.close();
			};
			channel.port2.postMessage(0);
			if (performance.now() - start < ms) {
				requestAnimationFrame(frame);
				return;
			}
			// let the last message and observers deliver
			setTimeout(() => {
				mo.disconnect();
				po?.disconnect();
				resolve({
					seconds: (performance.now() - start) / 1000,
					work,
					intervals,
					longFrames,
					longSplit,
					stateChanges,
					renderedTiles: document.querySelectorAll('[data-agent-id]').length
				});
			}, 100);
		};
		requestAnimationFrame(frame);
	});
}

function measure(page: Page, seconds: number): Promise<FrameStats> {
	return page.evaluate(recordFrames, seconds * 1000);
}

const render: BenchCase = {
	name: 'render',
	run: () =>
		withCleanup(async (defer) => {
			const agents = makeAgents(AGENTS, 1001);
			const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-bench-render-'));
			defer(() => rmSync(dataDir, { recursive: true, force: true }));
			const { token } = await seedFloorDb(dataDir, agents);

			const secret = randomBytes(12).toString('base64url');
			const queues = DEFAULT_QUEUES
				? undefined
				: Array.from({ length: Math.ceil(agents.length / TEAM_SIZE) }, (_, i) => ({
						name: `team${String(i + 1).padStart(3, '0')}`,
						members: agents.slice(i * TEAM_SIZE, (i + 1) * TEAM_SIZE).map((a) => a.endpoint)
					}));
			const sim = await startSimulator({ agents, queues, username: 'bench', secret, bots: false, seed: 11 });
			defer(() => sim.close());
			const app = await startApp({ dataDir, amiUrl: sim.url, demo: false });
			defer(() => app.stop());
			const log0 = app.child.mark();

			const browser = await launchChromium();
			defer(() => browser.close());
			const context = await newContext(browser, app.baseURL, { width: 1920, height: 1080 });
			await context.addCookies([{ name: SESSION_COOKIE, value: token, url: app.baseURL }]);
			const page = await context.newPage();
			await openFloor(page, AGENTS, 90_000);
			// every agent seen by the PBX resync (idle), none offline: the summary's idle count
			await page.waitForFunction(
				(n) => document.querySelector('[data-chip-state=idle]')?.getAttribute('data-count') === String(n),
				AGENTS,
				{ timeout: 60_000 }
			);
			await sleep(2000);
			const idle = await measure(page, BASELINE_SECONDS);

			// the driver: every 100 ms the next tenth of the floor flips between idle and paused
			const batch = Math.max(1, Math.round(AGENTS * SHARE));
			const paused = new Set<string>();
			let cursor = 0;
			let stepped = 0;
			const events = countEvents(sim.model);
			const step = (): void => {
				for (let i = 0; i < batch; i++) {
					const ep = agents[(cursor + i) % agents.length]!.endpoint;
					const pause = !paused.has(ep);
					if (pause) paused.add(ep);
					else paused.delete(ep);
					sim.model.queuePause({ iface: ep, paused: pause, reason: 'bench' });
				}
				cursor = (cursor + batch) % agents.length;
				stepped++;
			};
			const t0 = performance.now();
			let timer: NodeJS.Timeout | null = null;
			const schedule = (): void => {
				step();
				timer = setTimeout(schedule, Math.max(0, t0 + stepped * STEP_MS - performance.now()));
			};
			schedule();
			defer(() => {
				if (timer) clearTimeout(timer);
			});
			await sleep(2000);
			const appCpu = cpuWindow(() => processCpuMs(app.child.pid));
			const chromiumCpu = cpuWindow(() => treeCpuMs(process.pid, /chrom/i));
			const othersCpu = othersCpuWindow();
			const ev0 = events.count();
			const cdp = PROFILE ? await context.newCDPSession(page) : null;
			if (cdp) {
				await cdp.send('Profiler.enable');
				await cdp.send('Profiler.start');
			}
			if (TRACE) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
			const busy = await measure(page, SECONDS);
			if (TRACE) {
				const trace = (await browser.stopTracing()).toString('utf8');
				writeFileSync(TRACE, trace);
				console.error(`render: trace written to ${TRACE}\n${formatTraceSummary(summariseTrace(trace))}`);
			}
			if (cdp && PROFILE) {
				const { profile } = await cdp.send('Profiler.stop');
				writeFileSync(PROFILE, JSON.stringify(profile));
				console.error(`render: page CPU profile written to ${PROFILE}`);
			}
			const cpu = { app: appCpu(), chromium: chromiumCpu(), others: othersCpu() };
			const eventsPerSec = (events.count() - ev0) / busy.seconds;
			if (timer) clearTimeout(timer);
			timer = null;
			events.stop();

			const changesPerSec = busy.stateChanges / busy.seconds;
			// only the rendered tiles can change in the DOM: what is expected of them
			const renderedShare = Math.min(1, busy.renderedTiles / AGENTS);
			const expectedPerSec = batch * (1000 / STEP_MS) * renderedShare;
			const linkDrops = (app.child.outputSince(log0).match(/AMI [^"]*: disconnected/g) ?? []).length;
			const topology = DEFAULT_QUEUES
				? 'queues sales (all) + support (half)'
				: `${queues?.length ?? 0} team queues of ${TEAM_SIZE}`;
			const p95 = percentile(busy.work, 95);
			const frameInterval = percentile(busy.intervals, 50);
			const dropped = busy.intervals.filter((d) => d > frameInterval * 1.5).length;
			const longs = busy.longFrames;
			const tiles = AGENTS.toLocaleString('en-US');
			const results: BenchResult[] = [
				{
					case: 'render',
					metric: `frame time p95 (rAF start → painted), ${tiles} tiles, ${round(SHARE * 100, 0)} % changing every ${STEP_MS} ms (baseline: no changes)`,
					value: round(p95, 1),
					unit: 'ms',
					baseline: round(percentile(idle.work, 95), 1),
					ratio: percentile(idle.work, 95) > 0 ? p95 / percentile(idle.work, 95) : null,
					goal: `≤ ${GOAL_FRAME_MS} ms`,
					pass: p95 <= GOAL_FRAME_MS
				},
				{
					case: 'render',
					metric: `frame time p50 / p99 / max: ${round(percentile(busy.work, 50), 1)} / ${round(percentile(busy.work, 99), 1)} / ${round(Math.max(...busy.work), 1)} ms over ${busy.work.length} frames`,
					value: round(percentile(busy.work, 99), 1),
					unit: 'ms (p99)',
					baseline: null,
					ratio: null,
					goal: 'info',
					pass: true
				},
				{
					case: 'render',
					metric: `frame interval p95 (median ${round(frameInterval, 1)} ms; ${dropped} of ${busy.intervals.length} intervals > 1.5× median)`,
					value: round(percentile(busy.intervals, 95), 1),
					unit: 'ms',
					baseline: round(percentile(idle.intervals, 95), 1),
					ratio: null,
					goal: 'info (16.7 at 60 Hz)',
					pass: true
				},
				{
					case: 'render',
					metric:
						longs === null
							? 'long animation frames (> 50 ms): not reported by this Chromium'
							: `long animation frames (> 50 ms) in ${round(busy.seconds, 0)} s${longs.length ? `, longest ${round(Math.max(...longs), 0)} ms; their time: tasks before the frame ${Math.round(busy.longSplit.scripts)} ms, rAF callbacks ${Math.round(busy.longSplit.raf)} ms, style+layout+paint ${Math.round(busy.longSplit.styleLayout)} ms` : ''}`,
					value: longs?.length ?? -1,
					unit: 'frames',
					baseline: idle.longFrames?.length ?? null,
					ratio: null,
					goal: 'info',
					pass: true
				},
				{
					case: 'render',
					metric: `tile state changes applied in the page per second to the ${busy.renderedTiles.toLocaleString('en-US')} tiles rendered (driven: ${(batch * (1000 / STEP_MS)).toLocaleString('en-US')}/s over all ${tiles}, ${Math.round(eventsPerSec).toLocaleString('en-US')} AMI events/s, ${topology}; AMI link drops ${linkDrops}; CPU % of a core: app ${round(cpu.app, 0)}, Chromium ${round(cpu.chromium, 0)}, other processes on the machine ${round(cpu.others, 0)})`,
					value: Math.round(changesPerSec),
					unit: 'changes/s',
					baseline: null,
					ratio: null,
					goal: `≥ 90 % of ${Math.round(expectedPerSec).toLocaleString('en-US')}/s`,
					pass: changesPerSec >= 0.9 * expectedPerSec
				}
			];
			return results;
		})
};

export default render;
