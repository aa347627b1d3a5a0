import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderLock, type LockClient } from './lock';

const REDIS_URL = process.env.REDIS_URL;
const TAKEOVER_DEADLINE_MS = 5000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(url = REDIS_URL) {
	const client = createClient({
		url,
		disableOfflineQueue: true,
		socket: { reconnectStrategy: 100, connectTimeout: 2000 }
	});
	client.on('error', () => {});
	await client.connect();
	cleanups.push(() => {
		if (client.isOpen) client.destroy();
	});
	return client;
}

function lock(client: LockClient, key: string, nodeId: string): LeaderLock {
	const l = new LeaderLock({ client, key, nodeId });
	cleanups.push(() => l.close());
	return l;
}

/** A key of its own per test, deleted afterwards. */
async function testKey(admin: Awaited<ReturnType<typeof connect>>): Promise<string> {
	const key = `sb:test:${randomUUID()}:leader`;
	cleanups.push(async () => {
		await admin.del(key);
	});
	return key;
}

/** Resolves with the elapsed ms once `cond` holds; rejects at the deadline. */
function until(cond: () => boolean, deadlineMs: number, since = performance.now()): Promise<number> {
	return new Promise((resolve, reject) => {
		const check = () => {
			const elapsed = performance.now() - since;
			if (cond()) return resolve(elapsed);
			if (elapsed > deadlineMs) return reject(new Error(`condition not met within ${deadlineMs} ms`));
			setTimeout(check, 10);
		};
		check();
	});
}

/** Samples both locks every 50 ms, and checks the other at every acquisition. */
function watch(a: LeaderLock, b: LeaderLock) {
	let samples = 0;
	let overlaps = 0;
	const timer = setInterval(() => {
		samples++;
		if (a.isLeader && b.isLeader) overlaps++;
	}, 50);
	const onA = () => {
		if (b.isLeader) overlaps++;
	};
	const onB = () => {
		if (a.isLeader) overlaps++;
	};
	a.on('acquired', onA);
	b.on('acquired', onB);
	return () => {
		clearInterval(timer);
		a.off('acquired', onA);
		b.off('acquired', onB);
		return { samples, overlaps };
	};
}

/** A TCP proxy to Redis that can freeze: bytes stop flowing both ways, sockets stay open (a dead host, no RST). */
async function freezableProxy(target: URL) {
	const sockets = new Set<Socket>();
	let frozen = false;
	const server: NetServer = createServer((inbound) => {
		const outbound = createConnection(Number(target.port || 6379), target.hostname);
		sockets.add(inbound).add(outbound);
		inbound.on('data', (d) => frozen || outbound.write(d));
		outbound.on('data', (d) => frozen || inbound.write(d));
		for (const s of [inbound, outbound]) {
			s.on('error', () => {});
			s.on('close', () => {
				inbound.destroy();
				outbound.destroy();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('no proxy port');
	cleanups.push(
		() =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			})
	);
	return {
		url: `redis://127.0.0.1:${address.port}`,
		freeze() {
			frozen = true;
		}
	};
}

describe.skipIf(!REDIS_URL)('LeaderLock (real Redis)', () => {
	it('elects exactly one leader and keeps it through renewals', async () => {
		const admin = await connect();
		const key = await testKey(admin);
		const a = lock(await connect(), key, 'node-a');
		const b = lock(await connect(), key, 'node-b');
		a.start();
		b.start();
		await until(() => a.isLeader || b.isLeader, TAKEOVER_DEADLINE_MS);
		const leader = a.isLeader ? a : b;
		const stop = watch(a, b);
		let changes = 0;
		const count = () => changes++;
		for (const l of [a, b]) l.on('acquired', count).on('lost', count);
		// Three renewal periods.
		await new Promise((r) => setTimeout(r, 3 * leader.renewMs + 200));
		const { samples, overlaps } = stop();
		expect(samples).toBeGreaterThan(10);
		expect(overlaps).toBe(0);
		expect(changes).toBe(0);
		expect(leader.isLeader).toBe(true);
		expect([a, b].filter((l) => l.isLeader)).toHaveLength(1);
		expect(await admin.get(key)).toBe(leader.nodeId);
	});

	it('hands over when the leader closes, releasing the key only while it is still ours', async () => {
		const admin = await connect();
		const key = await testKey(admin);
		const a = lock(await connect(), key, 'node-a');
		const b = lock(await connect(), key, 'node-b');
		a.start();
		await until(() => a.isLeader, TAKEOVER_DEADLINE_MS);
		b.start();
		const stop = watch(a, b);
		const lost: string[] = [];
		a.on('lost', (reason) => lost.push(reason));

		const closedAt = performance.now();
		await a.close();
		const takeover = await until(() => b.isLeader, TAKEOVER_DEADLINE_MS, closedAt);
		const { overlaps } = stop();
		console.info(`takeover after close: ${Math.round(takeover)} ms`);
		expect(overlaps).toBe(0);
		expect(lost).toEqual(['closed']);
		expect(a.isLeader).toBe(false);
		expect(takeover).toBeLessThan(TAKEOVER_DEADLINE_MS);
		expect(await admin.get(key)).toBe('node-b');

		// A node closing after it lost the key must not delete the new leader's key.
		const c = lock(await connect(), key, 'node-c');
		c.start();
		await c.close();
		expect(await admin.get(key)).toBe('node-b');
	});

	it('steps down when its Redis client dies, and the follower takes over without overlap', async () => {
		const admin = await connect();
		const key = await testKey(admin);
		const aClient = await connect();
		const a = lock(aClient, key, 'node-a');
		const b = lock(await connect(), key, 'node-b');
		a.start();
		await until(() => a.isLeader, TAKEOVER_DEADLINE_MS);
		b.start();
		const stop = watch(a, b);
		const lost: string[] = [];
		a.on('lost', (reason) => lost.push(reason));

		const diedAt = performance.now();
		aClient.destroy();
		const stepDown = await until(() => lost.length > 0, TAKEOVER_DEADLINE_MS, diedAt);
		const takeover = await until(() => b.isLeader, TAKEOVER_DEADLINE_MS, diedAt);
		const { samples, overlaps } = stop();
		console.info(
			`client destroyed: stepped down after ${Math.round(stepDown)} ms, taken over after ${Math.round(takeover)} ms`
		);
		expect(samples).toBeGreaterThan(10);
		expect(overlaps).toBe(0);
		expect(lost[0]).toMatch(/no successful renewal/);
		expect(stepDown).toBeLessThan(takeover);
		expect(takeover).toBeLessThan(TAKEOVER_DEADLINE_MS);
		expect(await admin.get(key)).toBe('node-b');
	});

	it('steps down when Redis stops answering (frozen link), before its key can expire', async () => {
		const admin = await connect();
		const key = await testKey(admin);
		const proxy = await freezableProxy(new URL(REDIS_URL ?? ''));
		const a = lock(await connect(proxy.url), key, 'node-a');
		const b = lock(await connect(), key, 'node-b');
		a.start();
		await until(() => a.isLeader, TAKEOVER_DEADLINE_MS);
		b.start();
		const stop = watch(a, b);
		const lost: string[] = [];
		a.on('lost', (reason) => lost.push(reason));

		const frozenAt = performance.now();
		proxy.freeze();
		const stepDown = await until(() => lost.length > 0, TAKEOVER_DEADLINE_MS, frozenAt);
		const takeover = await until(() => b.isLeader, TAKEOVER_DEADLINE_MS, frozenAt);
		const { overlaps } = stop();
		console.info(
			`link frozen: stepped down after ${Math.round(stepDown)} ms, taken over after ${Math.round(takeover)} ms`
		);
		expect(overlaps).toBe(0);
		expect(lost[0]).toMatch(/no successful renewal/);
		expect(stepDown).toBeLessThan(takeover);
		expect(takeover).toBeLessThan(TAKEOVER_DEADLINE_MS);
	});
});

describe('LeaderLock', () => {
	it('validates its options', () => {
		const client = { sendCommand: () => Promise.resolve(null) };
		expect(() => new LeaderLock({ client, nodeId: '' })).toThrow(/nodeId/);
		expect(() => new LeaderLock({ client, nodeId: 'x', ttlMs: 1000, renewMs: 1000 })).toThrow(/twice/);
	});
});
