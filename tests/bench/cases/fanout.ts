/**
 * Bench case `fanout` (DESIGN §1: "the cost of one more viewer is one more socket").
 *
 * The live spine in this process — PGlite in memory with the demo seeded (50 agents),
 * startRealtime on a loopback HTTP server — fed over AMI/TCP by the simulator in its own process
 * (50 bot agents, load mode topping the stream up to 80 events/s: ~4–5 frames/s per viewer), so
 * the CPU measured here is the hub's own: AMI parsing, reducer, coalescing, Socket.IO fan-out,
 * persistence into PGlite. A second child process
 * opens 2,000 socket.io clients (websocket, one manager session cookie), each `floor:subscribe`s
 * the whole floor and counts frames, bytes, version gaps and snapshots.
 *
 * Two windows of equal length with the same traffic: first with no viewer (baseline), then with
 * the 2,000 viewers. Per window: this process's CPU (process.cpuUsage delta / wall, % of one core),
 * engine batches, wire bytes written to the viewers' sockets, and every statement sent to PGlite
 * (PGlite.prototype wrapped before the database opens), split by table and by whether it ran in a
 * transaction: outside transactions the 10 s agent directory refresh (users, team_members) is the
 * only expected reader; persistence writes its batches in transactions whatever the number of
 * viewers (reported, not counted against viewers). Viewers must not add a single query once
 * connected; the session check each one costs at connect is reported on its own.
 *
 * Knobs: BENCH_FANOUT_CLIENTS (2000), BENCH_FANOUT_SECONDS (30), BENCH_FANOUT_RATE (load-mode
 * events/s including the bots', default 80, 0 = bots only), BENCH_FANOUT_AGENTS (50).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRealtime, type RealtimeRuntime } from '../../../realtime/runtime';
import type { Services } from '../../../src/lib/server/app';
import { wallClock } from '../../../src/lib/server/clock';
import { createSession } from '../../../src/lib/server/auth/session';
import { loadConfig } from '../../../src/lib/server/config';
import { openDatabase } from '../../../src/lib/server/db';
import { seedDemo } from '../../../src/lib/server/demo/seed';
import { createLogger } from '../../../src/lib/server/log';
import { listUsers } from '../../../src/lib/server/users';
import { sleep, spawnTsx, startSimulatorChild, withCleanup, type Child } from '../lib/children';
import type { ChildMessage, ParentMessage, ViewerWindow } from '../lib/fanout-protocol';
import { diffCounts, installQueryCounter, splitTx, type QueryCounts } from '../lib/query-counter';
import { othersCpuWindow } from '../lib/proc';
import { CpuMeter, round } from '../lib/stats';
import type { BenchCase, BenchResult } from '../types';

const CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 2000);
const SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 30);
/** load mode tops the simulator's stream up to this many events/s (bots alone give ~2.5–3.5 frames/s; 0 = bots only) */
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 80) || undefined;
const AGENTS = Number(process.env.BENCH_FANOUT_AGENTS ?? 50);
const GOAL_CPU = 25;
/** tables the agent directory refresh reads (realtime/runtime.ts, every 10 s) */
const DIRECTORY_TABLES = new Set(['users', 'team_members']);
/**
 * Reads of the leader's slow timers, whatever the number of viewers: the queue reconciler
 * (realtime/queues, every 60 s) and the agents' time zones (realtime/runtime.ts, every 60 s). With
 * a 30 s window one of them can land in the window with viewers and not in the baseline.
 */
const LEADER_TIMER_READS = new Set(['agent_skills', 'queues', 'queue_member_overrides', 'project_agents,projects,users']);

interface HubWindow {
	seconds: number;
	cpuPercent: number;
	batches: number;
	wireBytes: number;
	queries: QueryCounts;
	/** CPU the rest of the machine used meanwhile, % of a core */
	othersCpu: number;
}

/**
 * Statements outside transactions that are not the directory refresh: what a viewer could cause.
 * (Persistence writes its batches in transactions, whatever the number of viewers; they are
 * reported, not counted here.)
 */
function liveReads(q: QueryCounts): number {
	let n = 0;
	for (const [k, v] of Object.entries(q.byTables)) {
		if (k.startsWith('tx:') || LEADER_TIMER_READS.has(k)) continue;
		if (!k.split(',').every((t) => DIRECTORY_TABLES.has(t))) n += v;
	}
	return n;
}

function describeQueries(q: QueryCounts): string {
	const parts = Object.entries(q.byTables)
		.filter(([k]) => !k.startsWith('tx:'))
		.map(([k, v]) => `${k} ${v}`);
	const tx = splitTx(q);
	if (tx.transactions > 0) parts.push(`persistence: ${tx.transactions} transactions, ${tx.inTx} statements`);
	return parts.length ? parts.join(', ') : 'none';
}

/** the same counts without what ran inside transactions */
function standaloneOnly(q: QueryCounts): QueryCounts {
	const byTables = Object.fromEntries(Object.entries(q.byTables).filter(([k]) => !k.startsWith('tx:')));
	return { total: splitTx(q).standalone, byTables };
}

/** the leader role (always this process: no REDIS_URL) */
function leaderOf(runtime: RealtimeRuntime): NonNullable<RealtimeRuntime['leader']> {
	const leader = runtime.leader;
	if (!leader) throw new Error('this process does not lead the floor (REDIS_URL set?)');
	return leader;
}

/** Sockets of an HTTP server with their bytes written, to measure a window's wire traffic. */
function trackSockets(server: Server): () => number {
	const sockets = new Set<NetSocket>();
	let closedBytes = 0;
	server.on('connection', (s: NetSocket) => {
		sockets.add(s);
		s.once('close', () => {
			closedBytes += s.bytesWritten;
			sockets.delete(s);
		});
	});
	return () => {
		let n = closedBytes;
		for (const s of sockets) n += s.bytesWritten;
		return n;
	};
}

async function measureWindow(
	runtime: RealtimeRuntime,
	bytesWritten: () => number,
	counter: { read(): QueryCounts },
	seconds: number
): Promise<HubWindow> {
	const engine = leaderOf(runtime).engine;
	const cpu = new CpuMeter();
	const others = othersCpuWindow();
	const seq0 = engine.seq;
	const bytes0 = bytesWritten();
	const q0 = counter.read();
	await sleep(seconds * 1000);
	const { percent, wallMs } = cpu.read();
	return {
		seconds: wallMs / 1000,
		cpuPercent: percent,
		batches: engine.seq - seq0,
		wireBytes: bytesWritten() - bytes0,
		queries: diffCounts(q0, counter.read()),
		othersCpu: others()
	};
}

function viewerProcess(
	url: string,
	cookie: string
): { child: Child; next(): Promise<ChildMessage>; send(m: ParentMessage): void } {
	const child = spawnTsx('tests/bench/lib/fanout-clients.ts', [url, String(CLIENTS), '50'], {
		ipc: true,
		label: 'viewers',
		env: { ...process.env, SB_BENCH_COOKIE: cookie }
	});
	const inbox: ChildMessage[] = [];
	const waiting: Array<(m: ChildMessage) => void> = [];
	child.proc.on('message', (raw: unknown) => {
		const m = raw as ChildMessage;
		const w = waiting.shift();
		if (w) w(m);
		else inbox.push(m);
	});
	return {
		child,
		next() {
			const m = inbox.shift();
			if (m) return Promise.resolve(m);
			return new Promise<ChildMessage>((resolve, reject) => {
				waiting.push(resolve);
				void child
					.exited()
					.then(() =>
						reject(
							new Error(
								`viewer process exited (code ${child.proc.exitCode}):\n${child.output().slice(-3000)}`
							)
						)
					);
			});
		},
		send(m) {
			child.proc.send(m);
		}
	};
}

async function expect<T extends ChildMessage['type']>(
	p: Promise<ChildMessage>,
	type: T,
	timeoutMs: number
): Promise<Extract<ChildMessage, { type: T }>> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`viewer process: no '${type}' within ${timeoutMs} ms`)),
			timeoutMs
		);
	});
	try {
		const m = await Promise.race([p, timeout]);
		if (m.type === 'error') throw new Error(`viewer process: ${m.message}`);
		if (m.type !== type) throw new Error(`viewer process: expected '${type}', got '${m.type}'`);
		return m as Extract<ChildMessage, { type: T }>;
	} finally {
		clearTimeout(timer);
	}
}

const fanout: BenchCase = {
	name: 'fanout',
	run: () =>
		withCleanup(async (defer) => {
			const counter = installQueryCounter();
			defer(() => counter.restore());

			const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-bench-fanout-'));
			defer(() => rmSync(dataDir, { recursive: true, force: true }));
			const database = await openDatabase({ dataDir: 'memory://' });
			defer(() => database.close());
			await seedDemo(database.db, { agents: AGENTS, leads: 10, seed: 7 });
			if (counter.read().total === 0)
				throw new Error('the PGlite query counter saw no statement while seeding: it is not wired');

			const sim = await startSimulatorChild({ agents: AGENTS, rate: RATE, bots: true, seed: 3 });
			defer(() => sim.stop());

			const services: Services = {
				config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', AMI_URL: sim.url }),
				log: createLogger('silent'),
				database,
				clock: wallClock,
				realtime: null,
				close: () => database.close()
			};
			const server = createServer();
			const bytesWritten = trackSockets(server);
			const runtime = await startRealtime(server, services);
			defer(() => new Promise((r) => server.close(r)));
			defer(() => runtime.close());
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			const deadline = Date.now() + 15_000;
			while (![...leaderOf(runtime).links.values()].every((l) => l.connected)) {
				if (Date.now() > deadline)
					throw new Error('the AMI link to the simulator did not log in within 15 s');
				await sleep(50);
			}

			const manager = (await listUsers(database.db, { role: 'manager' }))[0];
			if (!manager) throw new Error('the demo seed has no manager');
			const { token } = await createSession(database.db, manager.id, { days: 1, verified: true });

			// warm-up (JIT, bots get going), then the baseline window: same traffic, no viewer
			await sleep(5000);
			const idle = await measureWindow(runtime, bytesWritten, counter, SECONDS);

			// the viewers, in their own process
			const q0 = counter.read();
			const viewers = viewerProcess(url, `sb_session=${token}`);
			defer(() => viewers.child.stop());
			const ready = await expect(viewers.next(), 'ready', 180_000);
			const connectQueries = standaloneOnly(diffCounts(q0, counter.read()));
			if (ready.clients < CLIENTS)
				throw new Error(`only ${ready.clients} of ${CLIENTS} viewers subscribed (${ready.failed} failed)`);
			await sleep(3000);

			viewers.send({ type: 'start' });
			const busy = await measureWindow(runtime, bytesWritten, counter, SECONDS);
			viewers.send({ type: 'stop' });
			const w: ViewerWindow = (await expect(viewers.next(), 'window', 30_000)).window;

			const n = ready.clients;
			const framesPerSec = w.framesMean / (w.durationMs / 1000);
			const batchesPerSec = busy.batches / busy.seconds;
			const wirePerClient = busy.wireBytes / n / busy.seconds;
			const payloadPerClient = w.payloadBytes / n / (w.durationMs / 1000);
			const idleLive = liveReads(idle.queries);
			const busyLive = liveReads(busy.queries);
			const perViewer = Math.max(0, busyLive - idleLive) / n;
			const missed = w.gaps + w.snapshots + w.disconnects;
			const traffic = `${AGENTS} bot agents${RATE ? ` + load ${RATE} ev/s` : ''}`;
			const views = `${n.toLocaleString('en-US')} viewers`;
			const results: BenchResult[] = [
				{
					case: 'fanout',
					metric: `hub process CPU, ${views} × ${round(framesPerSec, 1)} frames/s (${traffic}; baseline: same traffic, 0 viewers; other processes on the machine meanwhile: ${round(busy.othersCpu, 0)} % of a core)`,
					value: round(busy.cpuPercent, 1),
					unit: '% of a core',
					baseline: round(idle.cpuPercent, 1),
					ratio: idle.cpuPercent > 0 ? busy.cpuPercent / idle.cpuPercent : null,
					goal: `≤ ${GOAL_CPU} %`,
					pass: busy.cpuPercent <= GOAL_CPU
				},
				{
					case: 'fanout',
					metric: `floor:patch frames per viewer per second (min ${round(w.framesMin / (w.durationMs / 1000), 2)}, max ${round(w.framesMax / (w.durationMs / 1000), 2)}; engine batches ${round(batchesPerSec, 2)}/s)`,
					value: round(framesPerSec, 2),
					unit: 'frames/s',
					baseline: null,
					ratio: null,
					goal: 'info (~4/s wanted)',
					pass: true
				},
				{
					case: 'fanout',
					metric: `bytes per viewer per second on the wire (TCP payload written; socket.io payload ${Math.round(payloadPerClient)} B/s)`,
					value: Math.round(wirePerClient),
					unit: 'B/s',
					baseline: null,
					ratio: null,
					goal: 'info',
					pass: true
				},
				{
					case: 'fanout',
					metric: `viewers' frame gaps + lag snapshots + disconnects (patch delay p50 ${round(w.delayP50, 0)} ms, p99 ${round(w.delayP99, 0)} ms, max ${round(w.delayMax, 0)} ms)`,
					value: missed,
					unit: 'events',
					baseline: null,
					ratio: null,
					goal: '0',
					pass: missed === 0
				},
				{
					case: 'fanout',
					metric: `DB statements in ${Math.round(busy.seconds)} s with viewers: ${busy.queries.total} (${describeQueries(busy.queries)}); baseline: 0 viewers: ${idle.queries.total} (${describeQueries(idle.queries)})`,
					value: round(perViewer, 3),
					unit: 'queries/viewer',
					baseline: null,
					ratio: null,
					goal: '0 (the 10 s directory refresh and the 60 s queue / time-zone timers aside; persistence aside)',
					pass: perViewer === 0
				},
				{
					case: 'fanout',
					metric: `DB statements per viewer at connect, outside persistence (session check, once; ${describeQueries(connectQueries)}; ${views} in ${round(ready.connectMs / 1000, 1)} s)`,
					value: round(connectQueries.total / n, 2),
					unit: 'queries/viewer',
					baseline: null,
					ratio: null,
					goal: 'info',
					pass: true
				},
				{
					case: 'fanout',
					metric: `viewer process CPU (${n.toLocaleString('en-US')} socket.io clients, for reference)`,
					value: round(w.cpuPercent, 1),
					unit: '% of a core',
					baseline: null,
					ratio: null,
					goal: 'info',
					pass: true
				}
			];
			return results;
		})
};

export default fanout;
