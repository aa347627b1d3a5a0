/**
 * Bench case `latency`: from an event leaving the PBX to the changed tile painted in a browser.
 *
 * The simulator runs in this process (so the case knows when it emits), the production build
 * runs as `node build/server.js` (SB_DEMO=0) with AMI_URL pointing at it, on a fresh DATA_DIR
 * pre-seeded with a manager (real password) and 65 agents on PJSIP/1001…1065; headless Chromium
 * logs in through the form and shows `/floor`. (Not the demo seed: its 20 agents leave too few
 * probes to keep samples apart, see below.)
 *
 * Background: load mode at 1,000 and 10,000 events/s (everything the simulator emits counted),
 * whose synthetic calls ring, answer and hang up on the phones of agents 1001…1015 — their tiles
 * churn the whole time. Probes: agents 1016…1065 (queue members, not in the load), each paused or
 * unpaused in turn through the model (QueuePause → QueueMemberPause on the AMI socket), one probe
 * every 100 ms, so a probe flips every 5 s and a sample cannot be mistaken for another unless it
 * is 5 s late; t0 = Date.now() right before the model emits.
 *
 * In the page a MutationObserver watches `data-state` of the probe tiles. The store applies
 * patches in an animation frame, so the observer runs inside that frame; a MessageChannel message
 * posted from it runs right after the frame's style, layout and paint: that is the paint time
 * (Date.now(), same machine clock). A trigger whose tile does not show the new state before the
 * probe's next trigger (5 s later) counts as an infinite latency in the percentiles.
 * An init script also timestamps the probes' `floor:patch` frames as the page's websocket delivers
 * them, which splits each sample into hub (t0 → the batch's serverTime, including the ≤ 100 ms
 * coalescing), wire (→ received) and browser (→ painted).
 *
 * Knobs: BENCH_LATENCY_RATES (1000,10000), BENCH_LATENCY_SAMPLES (250 per rate).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { makeAgents } from '../../../realtime/simulator/cli';
import { startSimulator, type SimulatorHandle } from '../../../realtime/simulator/server';
import { startApp, type AppServer } from '../lib/app';
import { cpuWindow, othersCpuWindow, processCpuMs, treeCpuMs } from '../lib/proc';
import { launchChromium, login, newContext, openFloor } from '../lib/browser';
import { sleep, withCleanup } from '../lib/children';
import { countEvents, startLoadOn } from '../lib/load';
import { seedFloorDb } from '../lib/seed';
import { percentile, round } from '../lib/stats';
import type { BenchCase, BenchResult } from '../types';

const RATES = (process.env.BENCH_LATENCY_RATES ?? '1000,10000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 250);
const INTERVAL_MS = 100;
const GOAL_P50 = 100;
const GOAL_P99 = 300;

const LOAD_AGENTS = 15;
const PROBES = 50;
const loadAgents = makeAgents(LOAD_AGENTS, 1001);
const probeAgents = makeAgents(PROBES, 1001 + LOAD_AGENTS);
const probes = probeAgents.map((a) => a.endpoint);
/** a probe flips every PROBES × INTERVAL_MS: samples later than that are lost (censored) */
const CENSOR_MS = PROBES * INTERVAL_MS;

interface Paint {
	ep: string;
	state: string;
	mutatedAt: number;
	paintedAt: number;
}

/** a probe's patch as it arrived on the page's websocket */
interface Frame {
	ep: string;
	state: string;
	serverTime: number;
	receivedAt: number;
}

interface Trigger {
	ep: string;
	state: 'paused' | 'idle';
	t0: number;
}

/** Runs in the page: records when each probe tile's new data-state is painted. */
function installPaintProbe(endpoints: string[]): void {
	const watched = new Set(endpoints);
	const w = window as unknown as { __sbPaints: Paint[] };
	w.__sbPaints = [];
	const floor = document.querySelector('[data-testid=floor]');
	if (!floor) throw new Error('no floor on the page');
	new MutationObserver((records) => {
		const mutatedAt = Date.now();
		const batch: Paint[] = [];
		for (const r of records) {
			const el = r.target as Element;
			const ep = el.getAttribute('data-endpoint');
			if (ep === null || !watched.has(ep)) continue;
			batch.push({ ep, state: el.getAttribute('data-state') ?? '', mutatedAt, paintedAt: 0 });
		}
		if (batch.length === 0) return;
		const channel = new MessageChannel();
		channel.port1.onmessage = () => {
			const paintedAt = Date.now();
			for (const b of batch) w.__sbPaints.push({ ...b, paintedAt });
			channel.port1.close();
		};
		channel.port2.postMessage(0);
	}).observe(floor, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
}

/**
 * Runs in the page before its scripts (init script): timestamps the probes' `floor:patch` frames as
 * the websocket delivers them, to split the latency into hub, wire and browser parts.
 */
function installFrameProbe(endpoints: string[]): void {
	const watched = new Set(endpoints);
	const w = window as unknown as { __sbFrames: Frame[]; WebSocket: typeof WebSocket };
	w.__sbFrames = [];
	const Native = w.WebSocket;
	w.WebSocket = class extends Native {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			this.addEventListener('message', (e: MessageEvent<unknown>) => {
				const receivedAt = Date.now();
				if (typeof e.data !== 'string' || !e.data.startsWith('42["floor:patch"')) return;
				const [, msg] = JSON.parse(e.data.slice(2)) as [
					string,
					{ serverTime: number; patches: { kind: string; agent?: { endpoint: string; state: string } }[] }
				];
				for (const p of msg.patches) {
					if (p.kind === 'agent' && p.agent && watched.has(p.agent.endpoint)) {
						w.__sbFrames.push({
							ep: p.agent.endpoint,
							state: p.agent.state,
							serverTime: msg.serverTime,
							receivedAt
						});
					}
				}
			});
		}
	};
}

function takePaints(page: Page): Promise<{ paints: Paint[]; frames: Frame[] }> {
	return page.evaluate(() => {
		const w = window as unknown as { __sbPaints: Paint[]; __sbFrames: Frame[] };
		return { paints: w.__sbPaints.splice(0), frames: w.__sbFrames.splice(0) };
	});
}

interface Sample {
	/** paint − t0 (Infinity: not painted before the probe's next trigger) */
	total: number;
	/** serverTime of the hub's batch − t0: AMI, reducer and the ≤ 100 ms coalescing */
	hub: number;
	/** receivedAt − serverTime: Socket.IO over loopback into the page */
	wire: number;
	/** paint − receivedAt: the page's store, Svelte and the frame */
	browser: number;
}

function firstOf<T extends { ep: string; state: string }>(
	list: T[],
	t: Trigger,
	until: number,
	at: (x: T) => number
): T | undefined {
	return list.find((x) => x.ep === t.ep && x.state === t.state && at(x) >= t.t0 && at(x) < until);
}

function match(triggers: Trigger[], paints: Paint[], frames: Frame[]): Sample[] {
	return triggers.map((t, i) => {
		const later = triggers.slice(i + 1).find((x) => x.ep === t.ep);
		const until = later?.t0 ?? Number.POSITIVE_INFINITY;
		const paint = firstOf(paints, t, until, (p) => p.mutatedAt);
		const frame = firstOf(frames, t, until, (f) => f.receivedAt);
		const total = paint ? paint.paintedAt - t.t0 : Number.POSITIVE_INFINITY;
		if (!paint || !frame) return { total, hub: Number.NaN, wire: Number.NaN, browser: Number.NaN };
		return {
			total,
			hub: frame.serverTime - t.t0,
			wire: frame.receivedAt - frame.serverTime,
			browser: paint.paintedAt - frame.receivedAt
		};
	});
}

async function waitForProbes(page: Page, state: 'idle', timeoutMs: number): Promise<void> {
	await page.waitForFunction(
		({ eps, s }) =>
			eps.every((ep) => document.querySelector(`[data-endpoint="${ep}"]`)?.getAttribute('data-state') === s),
		{ eps: probes, s: state },
		{ timeout: timeoutMs }
	);
}

interface RateResult {
	rate: number;
	actualRate: number;
	samples: Sample[];
	lost: number;
	appCpu: number;
	chromiumCpu: number;
	/** this process: the simulator (and the bench's own bookkeeping) */
	simCpu: number;
	/** the rest of the machine */
	othersCpu: number;
	/** times the app logged its AMI link as lost during the window */
	linkDrops: number;
}

async function measureRate(
	sim: SimulatorHandle,
	app: AppServer,
	page: Page,
	rate: number
): Promise<RateResult> {
	const load = startLoadOn(sim.model, loadAgents, rate);
	try {
		await sleep(3000);
		await takePaints(page);
		const events = countEvents(sim.model);
		const appCpu = cpuWindow(() => processCpuMs(app.child.pid));
		const chromiumCpu = cpuWindow(() => treeCpuMs(process.pid, /chrom/i));
		const simCpu = cpuWindow(() => processCpuMs(process.pid));
		const othersCpu = othersCpuWindow();
		const log0 = app.child.mark();
		const w0 = performance.now();
		const paused = new Map(probes.map((ep) => [ep, false]));
		const triggers: Trigger[] = [];
		for (let i = 0; i < SAMPLES; i++) {
			const wait = w0 + i * INTERVAL_MS - performance.now();
			if (wait > 0) await sleep(wait);
			const ep = probes[i % probes.length]!;
			const next = !paused.get(ep);
			paused.set(ep, next);
			const t0 = Date.now();
			sim.model.queuePause({ iface: ep, paused: next, reason: 'bench' });
			triggers.push({ ep, state: next ? 'paused' : 'idle', t0 });
		}
		await sleep(1500);
		const seconds = (performance.now() - w0) / 1000;
		const cpu = { appCpu: appCpu(), chromiumCpu: chromiumCpu(), simCpu: simCpu(), othersCpu: othersCpu() };
		const actualRate = events.count() / seconds;
		const linkDrops = (app.child.outputSince(log0).match(/AMI [^"]*: disconnected/g) ?? []).length;
		events.stop();
		// every probe back to idle for the next rate
		for (const [ep, p] of paused) if (p) sim.model.queuePause({ iface: ep, paused: false });
		const { paints, frames } = await takePaints(page);
		const samples = match(triggers, paints, frames);
		return {
			rate,
			actualRate,
			samples,
			lost: samples.filter((l) => !Number.isFinite(l.total)).length,
			...cpu,
			linkDrops
		};
	} finally {
		load.stop();
	}
}

const latency: BenchCase = {
	name: 'latency',
	run: () =>
		withCleanup(async (defer) => {
			const secret = randomBytes(12).toString('base64url');
			const sim = await startSimulator({
				agents: loadAgents,
				username: 'bench',
				secret,
				bots: false,
				seed: 5
			});
			defer(() => sim.close());
			// the probes: on the PBX and in the sales queue, but not in the load
			for (const a of probeAgents) {
				sim.model.addAgent(a);
				sim.model.queueAdd({ queue: 'sales', iface: a.endpoint, memberName: a.name });
			}

			const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-bench-latency-'));
			defer(() => rmSync(dataDir, { recursive: true, force: true }));
			const password = randomBytes(12).toString('base64url');
			const { manager } = await seedFloorDb(dataDir, [...loadAgents, ...probeAgents], {
				managerPassword: password
			});
			const app = await startApp({ dataDir, amiUrl: sim.url, demo: false });
			defer(() => app.stop());

			const browser = await launchChromium();
			defer(() => browser.close());
			// tall enough that all 65 tiles are rendered (the wall renders only the rows on screen)
			const context = await newContext(browser, app.baseURL, { width: 1400, height: 1600 });
			const page = await context.newPage();
			await page.addInitScript(installFrameProbe, probes);
			await login(page, { email: manager.email, password });
			await openFloor(page, LOAD_AGENTS + PROBES);
			await waitForProbes(page, 'idle', 20_000);
			await page.evaluate(installPaintProbe, probes);

			const results: BenchResult[] = [];
			for (const rate of RATES) {
				const r = await measureRate(sim, app, page, rate);
				await waitForProbes(page, 'idle', 10_000);
				const totals = r.samples.map((x) => x.total);
				const p50 = percentile(totals, 50);
				const p99 = percentile(totals, 99);
				const finite = totals.filter((l) => Number.isFinite(l));
				const part = (k: 'hub' | 'wire' | 'browser', p: number): string =>
					String(
						round(
							percentile(
								r.samples.map((x) => x[k]).filter((v) => Number.isFinite(v)),
								p
							),
							0
						)
					);
				const censored = (p: number): string =>
					Number.isFinite(p) ? '' : ` — over ${CENSOR_MS} ms (lost samples)`;
				const label = `${rate.toLocaleString('en-US')} ev/s (measured ${Math.round(r.actualRate).toLocaleString('en-US')})`;
				const split = (p: number): string =>
					`hub ${part('hub', p)} + wire ${part('wire', p)} + browser ${part('browser', p)} ms`;
				const detail = `${r.samples.length} samples, ${r.lost} not painted within ${CENSOR_MS / 1000} s, max ${finite.length ? Math.round(Math.max(...finite)) : '–'} ms; AMI link drops ${r.linkDrops}; CPU % of a core: app ${round(r.appCpu, 0)}, Chromium ${round(r.chromiumCpu, 0)}, simulator+bench ${round(r.simCpu, 0)}, other processes on the machine ${round(r.othersCpu, 0)}`;
				results.push(
					{
						case: 'latency',
						metric: `event → tile painted p50${censored(p50)}, load ${label} (p50 parts: ${split(50)})`,
						value: Number.isFinite(p50) ? round(p50, 0) : CENSOR_MS,
						unit: 'ms',
						baseline: null,
						ratio: null,
						goal: `≤ ${GOAL_P50} ms`,
						pass: p50 <= GOAL_P50
					},
					{
						case: 'latency',
						metric: `event → tile painted p99${censored(p99)}, load ${label} (p99 parts: ${split(99)}); ${detail}`,
						value: Number.isFinite(p99) ? round(p99, 0) : CENSOR_MS,
						unit: 'ms',
						baseline: null,
						ratio: null,
						goal: `≤ ${GOAL_P99} ms`,
						pass: p99 <= GOAL_P99
					}
				);
			}
			return results;
		})
};

export default latency;
