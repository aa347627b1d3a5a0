import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, FloorSnapshot, ServerToClientEvents } from '../src/lib/protocol';
import type { Services } from '../src/lib/server/app';
import { wallClock } from '../src/lib/server/clock';
import { createSession } from '../src/lib/server/auth/session';
import { loadConfig } from '../src/lib/server/config';
import { openDatabase, type DatabaseHandle } from '../src/lib/server/db';
import { seedDemo } from '../src/lib/server/demo/seed';
import { createLogger } from '../src/lib/server/log';
import { floorDirectory, listUsers } from '../src/lib/server/users';
import { startRealtime, type RealtimeRuntime } from './runtime';
import { startSimulator, type SimulatorHandle } from './simulator/server';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const REDIS_URL = process.env.REDIS_URL;

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

describe.skipIf(!REDIS_URL)('two app nodes with real Redis: one leader holds the AMI link', () => {
	let database: DatabaseHandle;
	let sim: SimulatorHandle;
	let dataDir: string;
	const nodes: { server: Server; runtime: RealtimeRuntime; services: Services; url: string }[] = [];
	const sockets: ClientSocket[] = [];
	const prefix = `sb-test-${process.pid}-${Date.now()}`;

	async function node(): Promise<(typeof nodes)[number]> {
		const services: Services = {
			config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', REDIS_URL, AMI_URL: sim.url }),
			log: createLogger('silent'),
			database,
			clock: wallClock,
			realtime: null,
			close: async () => {}
		};
		const server = createServer();
		const runtime = await startRealtime(server, services, { redisPrefix: prefix, lock: { ttlMs: 2000, renewMs: 500 } });
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const n = { server, runtime, services, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
		nodes.push(n);
		return n;
	}

	async function managerCookie(): Promise<string> {
		const user = (await listUsers(database.db, { role: 'manager' }))[0]!;
		return `sb_session=${(await createSession(database.db, user.id, { days: 1, verified: true })).token}`;
	}

	beforeAll(async () => {
		dataDir = mkdtempSync(path.join(tmpdir(), 'sb-cluster-'));
		database = await openDatabase({ dataDir: 'memory://' });
		await seedDemo(database.db, { agents: 4, leads: 4, seed: 3 });
		const agents = await floorDirectory(database.db);
		sim = await startSimulator({
			agents: agents.map((a) => ({ endpoint: a.endpoint, name: a.name, extension: a.endpoint.slice(6) })),
			username: 'cluster',
			secret: 'cluster-secret',
			bots: true
		});
		await node();
		await node();
	});

	afterAll(async () => {
		for (const s of sockets) s.close();
		for (const n of nodes) {
			await n.runtime.close();
			await new Promise((r) => n.server.close(r));
		}
		await sim?.close();
		await database?.close();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('elects exactly one leader, and only it connects to the PBX', async () => {
		await until(() => nodes.some((n) => [...(n.runtime.leader?.links.values() ?? [])].some((l) => l.connected)), 10_000, 'a leader with a live AMI link');
		expect(nodes.filter((n) => n.runtime.leader !== null)).toHaveLength(1);
		expect(sim.sessionCount()).toBe(1);
		const status = nodes.map((n) => n.services.realtime!.status().redis);
		expect(status.filter((s) => s?.leader)).toHaveLength(1);
	});

	it('serves snapshots and forwards commands from the follower, then survives the leader dying', async () => {
		const leaderNode = nodes.find((n) => n.runtime.leader !== null)!;
		const follower = nodes.find((n) => n !== leaderNode)!;
		const s: ClientSocket = connect(follower.url, { transports: ['websocket'], extraHeaders: { cookie: await managerCookie() }, forceNew: true });
		sockets.push(s);
		const subscribe = () => new Promise<Ack<FloorSnapshot>>((resolve) => s.emit('floor:subscribe', {}, resolve));
		let snap = await subscribe();
		for (let i = 0; i < 40 && !(snap.ok && snap.data.agents.length === 4); i++) {
			await new Promise((r) => setTimeout(r, 100));
			snap = await subscribe();
		}
		expect(snap.ok && snap.data.agents.length).toBe(4);

		const target = snap.ok ? snap.data.agents[0]!.id : '';
		const ack = await new Promise<Ack>((resolve) => s.emit('agent:pause', { agentId: target, reason: 'training' }, resolve));
		expect(ack).toEqual({ ok: true, data: null });
		// an outcome recorded through the follower's HTTP side reaches the leader's floor engine
		await expect(follower.services.realtime!.outcomeRecorded(target)).resolves.toBeUndefined();

		// the follower keeps streaming what the leader sees
		let patches = 0;
		let snapshots = 0;
		s.on('floor:patch', () => patches++);
		s.on('floor:snapshot', () => snapshots++);

		const killedAt = Date.now();
		await leaderNode.runtime.close();
		await until(() => follower.runtime.leader !== null, 5_000, 'the follower to take the lead');
		const takeoverMs = Date.now() - killedAt;
		expect(takeoverMs).toBeLessThan(5_000);
		await until(() => [...follower.runtime.leader!.links.values()].every((l) => l.connected), 5_000, 'the new leader to log in');
		const before = patches + snapshots;
		await until(() => patches + snapshots > before, 15_000, 'floor updates after the takeover');
		expect(patches + snapshots).toBeGreaterThan(before);
		expect(sim.sessionCount()).toBe(1);
	});
});
