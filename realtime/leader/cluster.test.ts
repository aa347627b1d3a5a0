import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { FloorBatch } from '../hub/mirror';
import {
	createClusterBus,
	LeaderUnavailableError,
	RemoteCommandError,
	type ClusterBus,
	type FullFloor
} from './cluster';

const REDIS_URL = process.env.REDIS_URL;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connectRedis() {
	const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: 100 } });
	client.on('error', () => {});
	await client.connect();
	cleanups.push(() => {
		if (client.isOpen) client.destroy();
	});
	return client;
}

/** One app node: an HTTP server on a random port with socket.io on the Redis streams adapter. */
async function startNode(prefix: string) {
	const redis = await connectRedis();
	const http = createServer();
	const io = new Server(http, {
		transports: ['websocket'],
		// short XREAD blocks so a closed node lets go of its reader quickly
		adapter: createAdapter(redis, {
			streamName: `${prefix}:stream`,
			channelPrefix: prefix,
			blockTimeInMs: 500
		})
	});
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const port = (http.address() as AddressInfo).port;
	cleanups.push(async () => {
		io.disconnectSockets(true);
		await new Promise<void>((resolve) => io.close(() => resolve()));
		// let the adapter's duplicated clients (reader, subscriber) see the abort and disconnect
		await new Promise((r) => setTimeout(r, 600));
	});
	return { io, port, redis };
}

/** Two nodes sharing unique stream and channel names; resolves once each sees the other subscribed. */
async function startCluster() {
	const prefix = `sb:test:${randomUUID()}`;
	// registered first so it runs last, once both nodes (which write to the stream as they close) are gone
	const admin = await connectRedis();
	cleanups.push(async () => {
		await admin.del(`${prefix}:stream`);
	});
	const a = await startNode(prefix);
	const b = await startNode(prefix);
	await until(
		async () =>
			(await a.io.of('/').adapter.serverCount()) === 2 && (await b.io.of('/').adapter.serverCount()) === 2
	);
	return { a, b };
}

async function until(cond: () => boolean | Promise<boolean>, deadlineMs = 5000): Promise<void> {
	const deadline = Date.now() + deadlineMs;
	while (!(await cond())) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${deadlineMs} ms`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

/** A node's floor as the engine (leader side) and the mirror (follower side) would see it. */
function floorNode(name: string) {
	const state = {
		leader: false,
		full: { seq: 0, serverTime: 1, agents: [], queues: [], monitors: [], pbx: [] } as FullFloor,
		batches: [] as FloorBatch[],
		fulls: [] as FullFloor[],
		commands: [] as { name: string; payload: unknown }[],
		onCommand: async (command: string, payload: unknown): Promise<unknown> => ({
			ran: command,
			on: name,
			payload
		})
	};
	return state;
}

function bus(io: Server, node: ReturnType<typeof floorNode>, timeoutMs = 5000): ClusterBus {
	const b = createClusterBus(io, {
		isLeader: () => node.leader,
		getFullSnapshot: () => node.full,
		onBatch: (batch) => {
			node.batches.push(batch);
			node.full = { ...node.full, seq: batch.seq };
		},
		onFull: (full) => {
			node.fulls.push(full);
			node.full = full;
		},
		onCommand: (name, payload) => {
			node.commands.push({ name, payload });
			return node.onCommand(name, payload);
		},
		timeoutMs
	});
	cleanups.push(() => b.close());
	return b;
}

/** the engines' clock: server time only moves forward */
let clock = 1_000;

function batch(seq: number): FloorBatch {
	return { seq, serverTime: ++clock, patches: [{ kind: 'agentRemoved', agentId: `agent-${seq}` }] };
}

/** Leader side: what the engine's onBatch does — advance the floor and broadcast. */
function emitBatch(node: ReturnType<typeof floorNode>, bus: ClusterBus, seq: number): FloorBatch {
	const b = batch(seq);
	node.full = { ...node.full, seq, serverTime: b.serverTime };
	expect(bus.broadcastBatch(b)).toBe(true);
	return b;
}

/** Leader side: a fresh engine (after taking over), at sequence 0. */
function freshEngine(node: ReturnType<typeof floorNode>): void {
	node.full = { seq: 0, serverTime: ++clock, agents: [], queues: [], monitors: [], pbx: [] };
}

describe.skipIf(!REDIS_URL)(
	'cluster bus over the Redis streams adapter (real Redis, two socket.io servers)',
	() => {
		it('delivers the leader batches to a follower in order, after the snapshot it fetched', async () => {
			const { a, b } = await startCluster();
			const nodeA = floorNode('a');
			const nodeB = floorNode('b');
			nodeA.leader = true;
			nodeA.full = { ...nodeA.full, seq: 7, agents: [] };
			const busA = bus(a.io, nodeA);
			const busB = bus(b.io, nodeB);

			expect(await busB.resync()).toBe(true);
			expect(nodeB.fulls).toEqual([nodeA.full]);

			const sent = Array.from({ length: 200 }, (_, i) => emitBatch(nodeA, busA, 8 + i));
			await until(() => nodeB.batches.length === sent.length);
			expect(nodeB.batches).toEqual(sent);
			expect(nodeB.fulls).toHaveLength(1);
			// a follower never broadcasts
			expect(busB.broadcastBatch(batch(1))).toBe(false);
		});

		it('resyncs a follower on a gap and on a new leader, keeping batches that arrive meanwhile', async () => {
			const { a, b } = await startCluster();
			const nodeA = floorNode('a');
			const nodeB = floorNode('b');
			nodeA.leader = true;
			const busA = bus(a.io, nodeA);
			const busB = bus(b.io, nodeB);

			// A follower that never synced fetches the floor on the first batch it sees.
			emitBatch(nodeA, busA, 1);
			await until(() => nodeB.fulls.length === 1);
			expect(nodeB.fulls[0]?.seq).toBe(1);
			const two = emitBatch(nodeA, busA, 2);
			await until(() => nodeB.batches.length === 1);

			// A lost batch (3 never arrives) makes it fetch again; 5 and 6 arrive while it does and are
			// applied after the snapshot (sent here without advancing A's snapshot, which stays at 4).
			nodeA.full = { ...nodeA.full, seq: 3 };
			emitBatch(nodeA, busA, 4);
			const [five, six] = [batch(5), batch(6)];
			expect(busA.broadcastBatch(five)).toBe(true);
			expect(busA.broadcastBatch(six)).toBe(true);
			await until(() => nodeB.batches.length === 3);
			expect(nodeB.fulls.map((f) => f.seq)).toEqual([1, 4]);
			expect(nodeB.batches).toEqual([two, five, six]);

			// Handover: B leads with a fresh engine, A follows and resyncs from B.
			nodeA.leader = false;
			nodeB.leader = true;
			freshEngine(nodeB);
			emitBatch(nodeB, busB, 1);
			await until(() => nodeA.fulls.length === 1);
			expect(nodeA.fulls[0]?.seq).toBe(1);
			const bTwo = emitBatch(nodeB, busB, 2);
			await until(() => nodeA.batches.length === 1);
			expect(nodeA.batches).toEqual([bTwo]);

			// A leader's pushed full replaces the followers' floor at once.
			nodeB.full = { ...nodeB.full, seq: 40, serverTime: ++clock };
			expect(busB.broadcastFull()).toBe(true);
			await until(() => nodeA.fulls.length === 2);
			expect(nodeA.fulls[1]).toEqual(nodeB.full);

			// B restarts its engine (sequence back to 0) without the bus noticing a change of leader:
			// its batch 1 is "old" for A, which resyncs rather than drop it.
			freshEngine(nodeB);
			emitBatch(nodeB, busB, 1);
			await until(() => nodeA.fulls.length === 3);
			expect(nodeA.fulls[2]).toEqual(nodeB.full);
			const restartedTwo = emitBatch(nodeB, busB, 2);
			await until(() => nodeA.batches.length === 2);
			expect(nodeA.batches[1]).toEqual(restartedTwo);
		});

		it("answers a follower's full-snapshot request from the leader only", async () => {
			const { a, b } = await startCluster();
			const nodeA = floorNode('a');
			const nodeB = floorNode('b');
			nodeA.leader = true;
			nodeA.full = { ...nodeA.full, seq: 42, serverTime: 123 };
			bus(a.io, nodeA);
			const busB = bus(b.io, nodeB);
			expect(await busB.requestFull()).toEqual(nodeA.full);
			// the leader answers itself without a round trip
			nodeB.leader = true;
			nodeA.leader = false;
			expect(await busB.requestFull()).toBe(nodeB.full);
		});

		it("forwards a follower's command to the leader and returns its result or its error", async () => {
			const { a, b } = await startCluster();
			const nodeA = floorNode('a');
			const nodeB = floorNode('b');
			nodeA.leader = true;
			bus(a.io, nodeA);
			const busB = bus(b.io, nodeB);

			const result = await busB.forward('monitorStart', {
				agentId: 'agent-1',
				mode: 'listen',
				at: new Date(0),
				note: undefined
			});
			// JSON semantics on the wire, as for browsers: Dates become strings, undefined fields vanish
			const payload = { agentId: 'agent-1', mode: 'listen', at: '1970-01-01T00:00:00.000Z' };
			expect(nodeA.commands).toEqual([{ name: 'monitorStart', payload }]);
			expect(result).toEqual({ ran: 'monitorStart', on: 'a', payload });
			expect(nodeB.commands).toEqual([]);

			nodeA.onCommand = async () => {
				throw Object.assign(new Error('this agent is not in your teams'), { code: 'forbidden' });
			};
			const failure = busB.forward('pause', { agentId: 'agent-2' });
			await expect(failure).rejects.toBeInstanceOf(RemoteCommandError);
			await expect(failure).rejects.toMatchObject({
				code: 'forbidden',
				message: 'this agent is not in your teams'
			});

			nodeA.onCommand = async () => undefined;
			await expect(busB.forward('unpause', { agentId: 'agent-2' })).resolves.toBeUndefined();
		});

		it('rejects a forwarded command with a timeout error when no leader answers', async () => {
			const { a, b } = await startCluster();
			const nodeA = floorNode('a');
			const nodeB = floorNode('b');
			bus(a.io, nodeA);
			const busB = bus(b.io, nodeB, 800);

			// nobody holds the lock: every node says so, the follower retries until its deadline
			const none = busB.forward('pause', { agentId: 'agent-1' });
			await expect(none).rejects.toBeInstanceOf(LeaderUnavailableError);
			await expect(none).rejects.toThrow(/no leader answered command "pause" within 800 ms/);
			expect(nodeA.commands).toEqual([]);

			// a leader that does not answer in time
			nodeA.leader = true;
			nodeA.onCommand = () => new Promise(() => {});
			const silent = busB.forward('pause', { agentId: 'agent-1' });
			await expect(silent).rejects.toMatchObject({ name: 'LeaderUnavailableError', code: 'unavailable' });
			await expect(silent).rejects.toThrow(/the leader did not answer command "pause" within 800 ms/);

			// a follower that cannot reach a leader stays unsynchronised, without throwing
			nodeA.leader = false;
			expect(await busB.resync()).toBe(false);
		});

		it('broadcasts io.emit from node A to a browser connected to node B (adapter works with node-redis v6)', async () => {
			const { a, b } = await startCluster();
			const client: ClientSocket = connectClient(`http://127.0.0.1:${b.port}`, {
				transports: ['websocket'],
				reconnection: false
			});
			cleanups.push(() => {
				client.disconnect();
			});
			await new Promise<void>((resolve, reject) => {
				client.once('connect', resolve);
				client.once('connect_error', reject);
			});
			const received: number[] = [];
			client.on('hello', (n: number) => received.push(n));

			// The adapter's stream reader starts asynchronously (XREAD from "$"): emit until it is reading.
			let n = 0;
			await until(() => {
				a.io.emit('hello', n++);
				return received.length > 0;
			});
			const first = n;
			for (let i = 0; i < 50; i++) a.io.emit('hello', first + i);
			await until(() => received.at(-1) === first + 49);
			expect(received.slice(received.indexOf(first))).toEqual(
				Array.from({ length: 50 }, (_, i) => first + i)
			);

			// rooms work across nodes too: B's socket joins a room, A emits to it
			const [remote] = await a.io.in(client.id ?? '').fetchSockets();
			expect(remote?.id).toBe(client.id);
			remote?.join('team:t1');
			await until(async () => (await a.io.in('team:t1').fetchSockets()).length === 1);
			const inRoom = new Promise((resolve) => client.once('room', resolve));
			a.io.to('team:t1').emit('room', 'ok');
			expect(await inRoom).toBe('ok');
		});
	}
);
