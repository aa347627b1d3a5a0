/**
 * Viewer process of the `fanout` bench: opens N socket.io clients (websocket transport, the
 * session cookie from SB_BENCH_COOKIE), each `floor:subscribe`s, then counts what arrives between
 * a `start` and a `stop` from the parent (IPC). Run by the case, not by hand:
 *
 *   node --import tsx tests/bench/lib/fanout-clients.ts <url> <clients> [concurrency]
 */
import { io as connect, type Socket } from 'socket.io-client';
import type {
	Ack,
	ClientToServerEvents,
	FloorSnapshot,
	ServerToClientEvents
} from '../../../src/lib/protocol';
import type { ChildMessage, ParentMessage } from './fanout-protocol';
import { CpuMeter, mean, percentile } from './stats';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Viewer {
	socket: ClientSocket;
	version: number;
	frames: number;
	bytes: number;
	gaps: number;
	snapshots: number;
	disconnected: boolean;
}

const [url, countArg, concurrencyArg] = process.argv.slice(2);
const cookie = process.env.SB_BENCH_COOKIE ?? '';
const count = Number(countArg);
const concurrency = Number(concurrencyArg ?? 50);

function send(msg: ChildMessage): void {
	process.send?.(msg);
}

if (!url || !Number.isInteger(count) || count <= 0 || !process.send) {
	console.error('usage (IPC child): fanout-clients.ts <url> <clients> [concurrency]');
	process.exit(2);
}

const viewers: Viewer[] = [];
let counting = false;
let delays: number[] = [];
const cpu = new CpuMeter();
let windowStart = 0;

function open(): Promise<{ viewer: Viewer; snapshotBytes: number } | null> {
	return new Promise((resolve) => {
		const socket: ClientSocket = connect(url!, {
			transports: ['websocket'],
			extraHeaders: { cookie },
			reconnection: false,
			forceNew: true
		});
		const viewer: Viewer = {
			socket,
			version: 0,
			frames: 0,
			bytes: 0,
			gaps: 0,
			snapshots: 0,
			disconnected: false
		};
		let subscribed = false;
		socket.io.on('open', () => {
			socket.io.engine.on('data', (d: unknown) => {
				if (!counting) return;
				viewer.bytes +=
					typeof d === 'string' ? Buffer.byteLength(d) : d instanceof ArrayBuffer ? d.byteLength : 0;
			});
		});
		socket.on('connect_error', () => resolve(null));
		socket.on('disconnect', () => {
			viewer.disconnected = true;
			if (!subscribed) resolve(null);
		});
		socket.on('floor:patch', (msg) => {
			if (msg.version !== viewer.version + 1 && viewer.version !== 0 && counting) viewer.gaps++;
			viewer.version = msg.version;
			if (!counting) return;
			viewer.frames++;
			delays.push(Date.now() - msg.serverTime);
		});
		socket.on('floor:snapshot', (snap) => {
			viewer.version = snap.version;
			if (counting) viewer.snapshots++;
		});
		socket.on('connect', () => {
			socket.emit('floor:subscribe', {}, (ack: Ack<FloorSnapshot>) => {
				if (!ack.ok) {
					socket.close();
					resolve(null);
					return;
				}
				subscribed = true;
				viewer.version = ack.data.version;
				resolve({ viewer, snapshotBytes: Buffer.byteLength(JSON.stringify(ack.data)) });
			});
		});
	});
}

async function openAll(): Promise<void> {
	const t0 = performance.now();
	let failed = 0;
	let snapshotBytes = 0;
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < count) {
			next++;
			const r = await open();
			if (r) {
				viewers.push(r.viewer);
				snapshotBytes = r.snapshotBytes;
			} else failed++;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	send({
		type: 'ready',
		clients: viewers.length,
		failed,
		connectMs: Math.round(performance.now() - t0),
		snapshotBytes
	});
}

process.on('message', (raw: unknown) => {
	const msg = raw as ParentMessage;
	if (msg.type === 'start') {
		for (const v of viewers) {
			v.frames = 0;
			v.bytes = 0;
			v.gaps = 0;
			v.snapshots = 0;
		}
		delays = [];
		cpu.reset();
		windowStart = performance.now();
		counting = true;
	} else if (msg.type === 'stop') {
		counting = false;
		const durationMs = performance.now() - windowStart;
		const frames = viewers.map((v) => v.frames);
		send({
			type: 'window',
			window: {
				durationMs,
				clients: viewers.length,
				framesMin: Math.min(...frames),
				framesMean: mean(frames),
				framesMax: Math.max(...frames),
				payloadBytes: viewers.reduce((s, v) => s + v.bytes, 0),
				gaps: viewers.reduce((s, v) => s + v.gaps, 0),
				snapshots: viewers.reduce((s, v) => s + v.snapshots, 0),
				disconnects: viewers.filter((v) => v.disconnected).length,
				delayP50: percentile(delays, 50),
				delayP99: percentile(delays, 99),
				delayMax: delays.reduce((m, d) => Math.max(m, d), 0),
				cpuPercent: cpu.read().percent
			}
		});
	}
});

function shutdown(): void {
	for (const v of viewers) v.socket.close();
	process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

openAll().catch((err: unknown) => {
	send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
	process.exit(1);
});
