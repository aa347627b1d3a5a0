/**
 * Redis down (issue 10 item 3): one node in cluster mode (Redis streams adapter + leader lock) on a
 * private redis-server started for this test only — the machine's shared Redis is never touched.
 * Redis is SIGKILLed while the bots call: the node keeps the lead and serves the floor on its own,
 * browsers get the "degraded" notice over the socket and /readyz says so; once Redis is back the
 * node takes the lock again, the notice clears and the floor still equals the PBX's truth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubHealth } from '../../src/lib/protocol';
import { readiness } from '../../src/lib/server/readiness';
import { floorUsers, startLiveSpine, type LiveSpine } from '../../realtime/testing';
import { freePort } from '../built-server';
import { boardMatchesModel, floorSnapshot, sessionCookie, socketClient, until, type ClientSocket } from './support';

interface PrivateRedis {
	url: string;
	start(): Promise<void>;
	kill(): Promise<void>;
}

/** A redis-server child on its own port, without persistence: a restart comes back empty. */
async function privateRedis(): Promise<PrivateRedis> {
	const port = await freePort();
	let child: ChildProcess | null = null;
	return {
		url: `redis://127.0.0.1:${port}`,
		start() {
			const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
				stdio: ['ignore', 'pipe', 'pipe']
			});
			child = proc;
			let out = '';
			return new Promise((resolve, reject) => {
				proc.stdout!.on('data', (b: Buffer) => {
					out += b.toString();
					if (out.includes('Ready to accept connections')) resolve();
				});
				proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}:\n${out}`)));
			});
		},
		async kill() {
			const proc = child;
			child = null;
			if (!proc || proc.exitCode !== null) return;
			const exited = new Promise((r) => proc.once('exit', r));
			proc.kill('SIGKILL');
			await exited;
		}
	};
}

describe('redis down: the hub keeps serving on its own and recovers', () => {
	let redis: PrivateRedis;
	let spine: LiveSpine;
	const sockets: ClientSocket[] = [];

	beforeAll(async () => {
		redis = await privateRedis();
		await redis.start();
		spine = await startLiveSpine({ agents: 6, leads: 4, seed: 12 }, undefined, {
			redisUrl: redis.url,
			realtime: { lock: { ttlMs: 2000, renewMs: 500 }, redisPrefix: `sb-redis-fault-${process.pid}` }
		});
	}, 120_000);

	afterAll(async () => {
		for (const s of sockets) s.close();
		await spine?.close();
		await redis?.kill();
	});

	it('serves the floor and commands through the outage with a degraded notice, then recovers', async () => {
		const db = spine.services.database.db;
		const board = socketClient(spine.url, await sessionCookie(db, 'manager'));
		sockets.push(board);
		const health: HubHealth[] = [];
		board.on('hub:health', (h) => health.push(h));
		await new Promise((resolve) => board.emit('floor:subscribe', {}, resolve));
		let patches = 0;
		board.on('floor:patch', () => patches++);
		const model = () => spine.runtime.leader!.simulator!.model;
		await until(() => boardMatchesModel(board, model()), 15_000, 'the board to match the PBX before the fault');
		await until(() => health.length > 0, 5_000, 'the health notice sent on connect');
		expect(health.at(-1)!.degraded).toBeNull();
		expect((await readiness(spine.services)).ok).toBe(true);

		await redis.kill();
		// the lease (ttl 2 s) runs out without Redis: the node must keep the lead, not drop the AMI link
		await until(() => health.at(-1)?.degraded?.cause === 'redis_unreachable', 10_000, 'the degraded notice');
		await until(() => spine.services.realtime!.status().redis?.holding === true, 10_000, 'the lock lease to end while Redis is away');
		expect(spine.runtime.leader).not.toBeNull();
		const ready = await readiness(spine.services);
		expect(ready.ok).toBe(true);
		expect(ready.degraded).toEqual(['redis']);
		const during = patches;
		await until(() => patches > during, 15_000, 'patches while Redis is down');
		await until(() => boardMatchesModel(board, model()), 15_000, 'the board to match the PBX while Redis is down');
		// a supervisor command still runs (the node leads; nothing goes through Redis)
		const [agent] = await floorUsers(db, 'agent');
		const pause = await board.timeout(5000).emitWithAck('agent:pause', { agentId: agent!.id, reason: 'redis-fault' });
		expect(pause).toEqual({ ok: true, data: null });
		// a browser that connects during the outage is told at once
		const late = socketClient(spine.url, await sessionCookie(db, 'manager'));
		sockets.push(late);
		const lateHealth = await new Promise<HubHealth>((resolve) => late.once('hub:health', resolve));
		expect(lateHealth.degraded?.cause).toBe('redis_unreachable');
		expect((await floorSnapshot(late)).ok).toBe(true);

		await redis.start();
		await until(() => health.at(-1)?.degraded === null, 20_000, 'the notice to clear once Redis is back');
		await until(() => spine.services.realtime!.status().redis?.leader === true && !spine.services.realtime!.status().redis?.holding, 20_000, 'the lock to be taken again');
		expect((await readiness(spine.services)).ok).toBe(true);
		expect((await readiness(spine.services)).degraded).toEqual([]);
		const after = patches;
		await until(() => patches > after, 15_000, 'patches after Redis came back');
		await until(() => boardMatchesModel(board, model()), 15_000, 'the board to match the PBX after the recovery');
	}, 180_000);
});
