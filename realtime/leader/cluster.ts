/**
 * The bus between the leader (the node holding the AMI links) and the followers, over the
 * socket.io server-side events of the cluster adapter (Redis streams adapter). It carries the
 * leader's floor stream to every follower as one full snapshot plus contiguous batches (a gap or a
 * new leader makes the follower fetch a fresh snapshot), and followers' commands to the leader.
 *
 * Adapter facts this relies on (socket.io 4.8, socket.io-adapter 2.5, redis-streams-adapter 0.3):
 * - server-side emits travel over Redis PUB/SUB, encoded with msgpack: at most once, in publish order
 *   per sender, never to the sending node itself. msgpack turns `undefined` into `null` and keeps
 *   Dates, so every payload is sent as a JSON string and has the JSON semantics browsers get.
 * - with an ack, every other node subscribed to the namespace must answer; the callback fires when
 *   all did, or after a fixed 5 s (socket.io-adapter's DEFAULT_TIMEOUT) with the answers so far.
 *   `io.timeout()` does not apply to server-side emits (BroadcastOperator has no serverSideEmit),
 *   so this bus keeps its own deadline, effectively capped at those 5 s per attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type { Hub } from '../hub';
import type { FloorBatch } from '../hub/mirror';

/** the whole floor with the engine sequence it is at (what `hub.load` takes, `engine.snapshot()` gives) */
export type FullFloor = Parameters<Hub['load']>[0];

/** every server-side event name of the bus */
export const CLUSTER_EVENTS = {
	batch: 'cluster:batch',
	full: 'cluster:full',
	fullRequest: 'cluster:full-request',
	command: 'cluster:command'
} as const;

/** A JSON string known to encode a T. */
export type Json<T> = string & { readonly __json?: T };

const encode = <T>(value: T): Json<T> => JSON.stringify(value);
const decode = <T>(json: Json<T>): T => JSON.parse(json) as T;

/**
 * leader → followers. `from` names the stream: the leader's node id and its leadership epoch on
 * this bus, so a node that leads again with a fresh engine (sequence restarting) is a new stream.
 */
export interface BatchEnvelope {
	from: string;
	batch: FloorBatch;
}

/** leader → followers, or leader → the follower that asked */
export interface FullEnvelope {
	from: string;
	full: FullFloor;
}

/** follower → leader */
export interface CommandRequest {
	name: string;
	payload: unknown;
}

/** What every node answers to a request; only the leader answers with data. */
export type LeaderReply<T> =
	| { leader: false }
	| { leader: true; from: string; ok: true; data: T }
	| { leader: true; from: string; ok: false; error: { code?: string; message: string } };

type LeaderAnswer<T> = Extract<LeaderReply<T>, { leader: true }>;
type Ack<T> = (reply: Json<LeaderReply<T>>) => void;

export interface ClusterEvents {
	[CLUSTER_EVENTS.batch]: (envelope: Json<BatchEnvelope>) => void;
	[CLUSTER_EVENTS.full]: (envelope: Json<FullEnvelope>) => void;
	[CLUSTER_EVENTS.fullRequest]: (ack: Ack<FullFloor>) => void;
	[CLUSTER_EVENTS.command]: (request: Json<CommandRequest>, ack: Ack<unknown>) => void;
}

/** No node answered as leader in time (none elected yet, or it did not answer). */
export class LeaderUnavailableError extends Error {
	override readonly name = 'LeaderUnavailableError';
	readonly code = 'unavailable';
}

/** The leader ran the command and it failed; `code` is the leader-side error's string `code`, if any. */
export class RemoteCommandError extends Error {
	override readonly name = 'RemoteCommandError';
	constructor(
		message: string,
		readonly code: string | undefined
	) {
		super(message);
	}
}

export interface ClusterBusOptions {
	isLeader(): boolean;
	/** leader side: the full floor, at the sequence of the last batch it broadcast */
	getFullSnapshot(): FullFloor;
	/** follower side: the next batch of the current leader, in order; return false if it could not be applied (triggers a resync) */
	onBatch(batch: FloorBatch): boolean | void;
	/** follower side: replace the whole floor */
	onFull(full: FullFloor): void;
	/** leader side: run a command forwarded by a follower */
	onCommand(name: string, payload: unknown): Promise<unknown>;
	/** per `requestFull` / `forward` call (default 5000; an attempt never waits longer than 5 s) */
	timeoutMs?: number;
	/** pause between attempts while every node answers "not leader" (default 250) */
	retryMs?: number;
	/** this node's id on the bus (default: a random UUID) */
	nodeId?: string;
	log?: { warn(obj: object, msg: string): void };
}

export interface ClusterBus {
	readonly nodeId: string;
	/** leader: send one engine batch to every follower; false (nothing sent) when not leader */
	broadcastBatch(batch: FloorBatch): boolean;
	/** leader: send the full floor to every follower (after taking over, after an AMI resync) */
	broadcastFull(): boolean;
	/** the leader's full floor (the local one when this node leads) */
	requestFull(): Promise<FullFloor>;
	/**
	 * follower: fetch the leader's full floor and hand it to `onFull`; batches arriving meanwhile are
	 * applied after it. Runs by itself on a gap or a new leader; call it when a follower starts or
	 * loses the lead. Resolves false (logged, never rejects) when no leader answered.
	 */
	resync(): Promise<boolean>;
	/** run a command on the leader (locally when this node leads) */
	forward(name: string, payload: unknown): Promise<unknown>;
	close(): void;
}

/** Any socket.io Server, whatever its typed events (`HubServer` declares no inter-server events; the bus owns them). */
export interface AnyServer {
	serverSideEmit(...args: never[]): boolean;
	on(...args: never[]): unknown;
	off(...args: never[]): unknown;
}
type ClusterServer = Server<Record<string, never>, Record<string, never>, ClusterEvents>;

function errorBody(err: unknown): { code?: string; message: string } {
	const message = err instanceof Error ? err.message : String(err);
	const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
	return code === undefined ? { message } : { code, message };
}

export function createClusterBus(server: AnyServer, opts: ClusterBusOptions): ClusterBus {
	const io = server as unknown as ClusterServer;
	const nodeId = opts.nodeId ?? randomUUID();
	const timeoutMs = opts.timeoutMs ?? 5000;
	const retryMs = opts.retryMs ?? 250;
	let closed = false;
	/** leadership as last observed, and how many times this node started leading */
	let leading = false;
	let epoch = 0;
	/** follower: where its copy of the stream stands (null: unknown, the next batch triggers a resync) */
	let position: { from: string; seq: number; serverTime: number } | null = null;
	let syncing: Promise<boolean> | null = null;
	/** batches received while a resync is in flight, or that did not follow */
	let held: BatchEnvelope[] = [];
	/** pending waits, settled at once by close() */
	const cancels = new Set<() => void>();

	function wait(ms: number): { promise: Promise<void>; cancel(): void } {
		let cancel = () => {};
		const promise = new Promise<void>((resolve) => {
			const timer = setTimeout(() => cancel(), ms);
			cancel = () => {
				clearTimeout(timer);
				cancels.delete(cancel);
				resolve();
			};
			cancels.add(cancel);
		});
		return { promise, cancel };
	}

	/** isLeader(), noting each start of a leadership: a new stream for the followers */
	function leaderNow(): boolean {
		const now = opts.isLeader();
		if (now && !leading) {
			epoch++;
			position = null;
			held = [];
		}
		leading = now;
		return now;
	}

	const streamId = () => `${nodeId}#${epoch}`;

	function parse<T>(json: Json<T>, event: string): T | undefined {
		try {
			return decode(json);
		} catch (err) {
			opts.log?.warn({ err, event }, 'cluster bus: dropped a malformed message');
			return undefined;
		}
	}

	/** One ack round: the leader's reply; 'none' when every other node answered "not leader"; 'timeout' otherwise. */
	function ask<T>(
		emit: (ack: (err: Error | null, replies: Json<LeaderReply<T>>[]) => void) => void,
		ms: number
	) {
		return new Promise<LeaderAnswer<T> | 'none' | 'timeout'>((resolve) => {
			const deadline = wait(ms);
			let result: LeaderAnswer<T> | 'none' | 'timeout' = 'timeout';
			void deadline.promise.then(() => resolve(result));
			emit((err, replies) => {
				// On the adapter's own 5 s timeout the answers received so far still count.
				result = err ? 'timeout' : 'none';
				for (const json of replies ?? []) {
					const reply = parse(json, 'reply');
					if (reply?.leader) result = reply;
				}
				deadline.cancel();
			});
		});
	}

	/** Asks until the leader answers, or throws LeaderUnavailableError at the deadline. */
	async function askLeader<T>(
		what: string,
		emit: (ack: (err: Error | null, replies: Json<LeaderReply<T>>[]) => void) => void
	) {
		const deadline = performance.now() + timeoutMs;
		let sawNoLeader = false;
		while (!closed) {
			const left = deadline - performance.now();
			if (left <= 0) break;
			const result = await ask(emit, left);
			if (result === 'timeout') break;
			if (result !== 'none') return result;
			sawNoLeader = true;
			await wait(Math.min(retryMs, Math.max(0, deadline - performance.now()))).promise;
		}
		throw new LeaderUnavailableError(
			closed
				? 'the cluster bus is closed'
				: sawNoLeader
					? `no leader answered ${what} within ${timeoutMs} ms (no node holds the leader lock)`
					: `the leader did not answer ${what} within ${timeoutMs} ms`
		);
	}

	/**
	 * Applies a batch that follows the position. 'old': at or before it (in a live stream that can
	 * only be the same leader restarting its engine: PUB/SUB never delivers twice); 'gap': it does
	 * not follow, or it could not be applied.
	 */
	function deliver({ from, batch }: BatchEnvelope): 'applied' | 'old' | 'gap' {
		if (!position || position.from !== from) return 'gap';
		if (batch.seq <= position.seq) return 'old';
		if (batch.seq > position.seq + 1) return 'gap';
		position.seq = batch.seq;
		position.serverTime = batch.serverTime;
		if (opts.onBatch(batch) !== false) return 'applied';
		position = null;
		return 'gap';
	}

	/** Installs a full floor, then the held batches that follow it; false when one of them leaves a gap. */
	function load(from: string, full: FullFloor): boolean {
		// Already past this snapshot of the same stream (a pushed full overtook the fetched one)?
		const behind =
			position?.from === from && full.seq <= position.seq && full.serverTime <= position.serverTime;
		if (!behind) {
			position = { from, seq: full.seq, serverTime: full.serverTime };
			opts.onFull(full);
		}
		const pending = held;
		held = [];
		for (const [i, envelope] of pending.entries()) {
			// another stream's batches: an earlier leader's, or a newer one's (whose next batch resyncs)
			if (envelope.from !== from) continue;
			if (deliver(envelope) === 'gap') {
				held = pending.slice(i);
				return false;
			}
		}
		return true;
	}

	async function fetchFull(): Promise<FullEnvelope> {
		if (leaderNow()) return { from: streamId(), full: opts.getFullSnapshot() };
		const reply = await askLeader<FullFloor>(`"${CLUSTER_EVENTS.fullRequest}"`, (ack) =>
			io.serverSideEmit(CLUSTER_EVENTS.fullRequest, ack)
		);
		if (!reply.ok) throw new RemoteCommandError(reply.error.message, reply.error.code);
		return { from: reply.from, full: reply.data };
	}

	function resync(): Promise<boolean> {
		syncing ??= (async () => {
			try {
				for (let attempt = 0; attempt < 3; attempt++) {
					const { from, full } = await fetchFull();
					if (closed || leaderNow()) break;
					if (load(from, full)) return true;
				}
				opts.log?.warn({}, 'cluster bus: the leader stream kept leaving gaps; waiting for the next batch');
			} catch (err) {
				opts.log?.warn({ err }, 'cluster bus: could not fetch the full floor from the leader');
			} finally {
				syncing = null;
			}
			// Unsynchronised: the next batch or full broadcast tries again.
			position = null;
			held = [];
			return false;
		})();
		return syncing;
	}

	const onBatchMessage = (json: Json<BatchEnvelope>) => {
		if (leaderNow()) return;
		const envelope = parse(json, CLUSTER_EVENTS.batch);
		if (!envelope) return;
		if (syncing) held.push(envelope);
		else if (deliver(envelope) !== 'applied') {
			held.push(envelope);
			void resync();
		}
	};

	const onFullMessage = (json: Json<FullEnvelope>) => {
		if (leaderNow()) return;
		const envelope = parse(json, CLUSTER_EVENTS.full);
		if (envelope && !load(envelope.from, envelope.full)) void resync();
	};

	const onFullRequest = (ack: Ack<FullFloor>) => {
		if (typeof ack !== 'function') return;
		if (!leaderNow()) return ack(encode<LeaderReply<FullFloor>>({ leader: false }));
		try {
			ack(
				encode<LeaderReply<FullFloor>>({
					leader: true,
					from: streamId(),
					ok: true,
					data: opts.getFullSnapshot()
				})
			);
		} catch (err) {
			ack(
				encode<LeaderReply<FullFloor>>({ leader: true, from: streamId(), ok: false, error: errorBody(err) })
			);
		}
	};

	const onCommandMessage = (json: Json<CommandRequest>, ack: Ack<unknown>) => {
		if (typeof ack !== 'function') return;
		const request = parse(json, CLUSTER_EVENTS.command);
		if (!request || !leaderNow()) return ack(encode<LeaderReply<unknown>>({ leader: false }));
		opts.onCommand(request.name, request.payload).then(
			(data) => ack(encode<LeaderReply<unknown>>({ leader: true, from: streamId(), ok: true, data })),
			(err: unknown) =>
				ack(
					encode<LeaderReply<unknown>>({ leader: true, from: streamId(), ok: false, error: errorBody(err) })
				)
		);
	};

	io.on(CLUSTER_EVENTS.batch, onBatchMessage);
	io.on(CLUSTER_EVENTS.full, onFullMessage);
	io.on(CLUSTER_EVENTS.fullRequest, onFullRequest);
	io.on(CLUSTER_EVENTS.command, onCommandMessage);

	return {
		nodeId,
		broadcastBatch(batch) {
			if (closed || !leaderNow()) return false;
			return io.serverSideEmit(CLUSTER_EVENTS.batch, encode<BatchEnvelope>({ from: streamId(), batch }));
		},
		broadcastFull() {
			if (closed || !leaderNow()) return false;
			return io.serverSideEmit(
				CLUSTER_EVENTS.full,
				encode<FullEnvelope>({ from: streamId(), full: opts.getFullSnapshot() })
			);
		},
		async requestFull() {
			return (await fetchFull()).full;
		},
		resync,
		async forward(name, payload) {
			if (leaderNow()) return opts.onCommand(name, payload);
			const request = encode<CommandRequest>({ name, payload });
			const reply = await askLeader<unknown>(`command "${name}"`, (ack) =>
				io.serverSideEmit(CLUSTER_EVENTS.command, request, ack)
			);
			if (!reply.ok) throw new RemoteCommandError(reply.error.message, reply.error.code);
			return reply.data;
		},
		close() {
			closed = true;
			io.off(CLUSTER_EVENTS.batch, onBatchMessage);
			io.off(CLUSTER_EVENTS.full, onFullMessage);
			io.off(CLUSTER_EVENTS.fullRequest, onFullRequest);
			io.off(CLUSTER_EVENTS.command, onCommandMessage);
			for (const cancel of [...cancels]) cancel();
		}
	};
}
