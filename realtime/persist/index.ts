/**
 * realtime/persist: the reducer's effects → Postgres, batched and idempotent (DESIGN §1).
 *
 * - Effects wait in memory, coalesced: one merged fact per call (see calls.ts for the merge rules),
 *   one interval per (agent, start). A batch is written every `flushMs`, or as soon as `maxBatch`
 *   rows wait, in ONE transaction: calls upsert, agent_state_log insert, and (when due) the rollups
 *   of the touched keys recomputed from raw rows (rollups.ts).
 * - Rollups are recomputed at most every `rollupMs`, and never more than about a quarter of the
 *   time (the next one waits 3× the last one's duration): under load a key touched by many batches
 *   is recomputed once, not once per batch. The touched keys wait in memory (folded per agent and
 *   project) and go into the next batch's transaction, or a transaction of their own when no batch
 *   comes. `flush()` and `close()` always bring every rollup up to date; the result is the same
 *   whatever the timing (rollups are a function of the raw rows, see rebuildRollups). If the
 *   process dies in between, rollups of the last ≤ `rollupMs` may be stale until rebuildRollups.
 * - The work never holds the event loop for long (PGlite runs on its thread): calls are upserted
 *   in small statements, rollups a few keys per statement, with the loop free between statements
 *   and between batches.
 * - Nothing is dropped because the database is away: a failed batch goes back to the queue (merged
 *   under newer facts) and is retried with exponential backoff. Past `maxPending` rows the
 *   persister logs loudly but keeps everything.
 * - Bad data (Postgres says SQLSTATE 22/23) must not block good rows: the batch is retried row by
 *   row once, and only the rows the database refuses are logged and dropped.
 * - `stats` counts rows (after coalescing): written, failed (dropped as bad data or invalid), pending.
 */
import type { Db, DbOrTx } from '../../src/lib/server/db';
import type { CallFact, FloorEffect } from '../state/types';
import { invalidState, stateKey } from './agent-states';
import type { StateEffect } from './agent-states';
import { writeBatch, yieldToLoop } from './batch';
import type { Batch } from './batch';
import { callKey, invalidCall, mergeCalls, sanitizeCall } from './calls';
import { describeError, isBadData } from './errors';
import { refreshRollups, SpanSet, zoneResolver } from './rollups';
import type { Span, TimezoneOf } from './rollups';

export { rebuildRollups, refreshCallRollups } from './rollups';
export type { RebuildOptions, TimezoneOf } from './rollups';

export interface PersistLog {
	info(obj: object, msg: string): void;
	warn(obj: object, msg: string): void;
	error(obj: object, msg: string): void;
}

export interface FloorPersisterOptions {
	db: Db;
	/** a batch is written at most this long after its first effect (default 250) */
	flushMs?: number;
	/** rows per transaction; reaching it flushes at once (default 500) */
	maxBatch?: number;
	/** touched rollups are recomputed at most this often outside flush()/close() (default 1000) */
	rollupMs?: number;
	/** IANA zone of an agent's calendar day for rollups (default UTC) */
	timezone?: TimezoneOf;
	log?: PersistLog;
	/** pending rows beyond which the persister logs errors (it still keeps them) (default 100 000) */
	maxPending?: number;
	/** first retry delay after a failed batch, doubled per failure up to `maxRetryMs` (default 500 / 30 000) */
	retryMs?: number;
	maxRetryMs?: number;
	/** timer hook for tests: schedule `fn` after `ms`, return a cancel function */
	setTimer?: (fn: () => void, ms: number) => () => void;
}

export interface PersistStats {
	/** rows committed */
	written: number;
	/** rows dropped: refused by the database as bad data, or not storable at all */
	failed: number;
	/** rows waiting, in memory or in a transaction not yet committed */
	pending: number;
}

type Item =
	{ kind: 'call'; key: string; call: CallFact } | { kind: 'agentState'; key: string; state: StateEffect };

const SILENT: PersistLog = { info() {}, warn() {}, error() {} };

function defaultTimer(fn: () => void, ms: number): () => void {
	const t = setTimeout(fn, ms);
	t.unref();
	return () => clearTimeout(t);
}

/** `older` folded under `newer` (the queue keeps one item per key). */
function combine(older: Item, newer: Item): Item {
	if (older.kind === 'call' && newer.kind === 'call')
		return { ...newer, call: mergeCalls(older.call, newer.call) };
	// agent_state_log keeps the first interval stored for a start: so does the queue
	return older;
}

function toBatch(items: readonly Item[]): Batch {
	const batch: Batch = { calls: [], states: [] };
	for (const it of items) {
		if (it.kind === 'call') batch.calls.push(it.call);
		else batch.states.push(it.state);
	}
	return batch;
}

function describeItem(it: Item): object {
	return it.kind === 'call' ? { call: it.call } : { agentState: it.state };
}

export class FloorPersister {
	readonly #db: Db;
	readonly #flushMs: number;
	readonly #maxBatch: number;
	readonly #rollupMs: number;
	readonly #maxPending: number;
	readonly #retryMs: number;
	readonly #maxRetryMs: number;
	readonly #tzOf: TimezoneOf;
	readonly #log: PersistLog;
	readonly #setTimer: (fn: () => void, ms: number) => () => void;

	#queue = new Map<string, Item>();
	#inFlight = 0;
	#written = 0;
	#failed = 0;
	/** consecutive failed batches (0 = healthy) */
	#failures = 0;
	#overCap = false;
	#closed = false;
	#cancelTimer: (() => void) | null = null;
	#timerMs = 0;
	#chain: Promise<void> = Promise.resolve();
	/** rollup spans of committed rows whose rollups are not recomputed yet */
	readonly #dirty = new SpanSet();
	/** Date.now() from which the next deferred rollup is due */
	#rollupAt = 0;

	constructor(options: FloorPersisterOptions) {
		this.#db = options.db;
		this.#flushMs = Math.max(0, options.flushMs ?? 250);
		this.#maxBatch = Math.max(1, options.maxBatch ?? 500);
		this.#rollupMs = Math.max(0, options.rollupMs ?? 1000);
		this.#maxPending = options.maxPending ?? 100_000;
		this.#retryMs = Math.max(1, options.retryMs ?? 500);
		this.#maxRetryMs = Math.max(this.#retryMs, options.maxRetryMs ?? 30_000);
		this.#log = options.log ?? SILENT;
		this.#tzOf = zoneResolver(options.timezone, this.#log);
		this.#setTimer = options.setTimer ?? defaultTimer;
	}

	get stats(): PersistStats {
		return { written: this.#written, failed: this.#failed, pending: this.#queue.size + this.#inFlight };
	}

	/** Queue effects; never throws, never blocks. */
	push(effects: readonly FloorEffect[]): void {
		if (this.#closed) {
			this.#failed += effects.length;
			this.#log.error({ count: effects.length }, 'persist: effects pushed after close were not stored');
			return;
		}
		for (const e of effects) {
			const item = this.#item(e);
			if (item === null) continue;
			const cur = this.#queue.get(item.key);
			this.#queue.set(item.key, cur === undefined ? item : combine(cur, item));
		}
		this.#checkCap();
		if (this.#queue.size === 0) return;
		if (this.#queue.size >= this.#maxBatch && this.#failures === 0) this.#schedule(0);
		else this.#schedule(this.#failures === 0 ? this.#flushMs : this.#backoffMs());
	}

	/**
	 * Write everything queued (in batches of `maxBatch`). Rejects when the database is away: the
	 * effects stay queued and a retry is scheduled.
	 */
	flush(): Promise<void> {
		return this.#run(true);
	}

	/** `force`: also recompute every pending rollup (flush, close); the timer defers them when not due */
	#run(force: boolean): Promise<void> {
		this.#unschedule();
		const run = this.#chain.then(() => this.#drain(force));
		this.#chain = run.catch(() => {});
		return run;
	}

	/** Flush and stop. Rejects (with the count) when rows could not be written. */
	async close(): Promise<void> {
		this.#closed = true;
		try {
			await this.flush();
		} catch (error) {
			const pending = this.stats.pending;
			this.#log.error({ err: describeError(error), pending }, 'persist: closed with rows not written');
			throw new Error(`persist: ${pending} rows not written`, { cause: error });
		} finally {
			this.#unschedule();
		}
	}

	#item(e: FloorEffect): Item | null {
		if (e.kind === 'call') {
			const why = invalidCall(e.call);
			if (why !== null) return this.#reject(e, why);
			const call = sanitizeCall(e.call);
			return { kind: 'call', key: callKey(call), call };
		}
		const why = invalidState(e);
		if (why !== null) return this.#reject(e, why);
		return { kind: 'agentState', key: stateKey(e), state: e };
	}

	#reject(effect: FloorEffect, reason: string): null {
		this.#failed++;
		this.#log.error({ effect, reason }, 'persist: dropped an effect that cannot be stored');
		return null;
	}

	#checkCap(): void {
		const pending = this.#queue.size + this.#inFlight;
		if (pending > this.#maxPending && !this.#overCap) {
			this.#overCap = true;
			this.#log.error(
				{ pending, maxPending: this.#maxPending },
				'persist: pending effects over the cap; the database is not keeping up or is down (nothing is dropped)'
			);
		} else if (pending <= this.#maxPending && this.#overCap) {
			this.#overCap = false;
			this.#log.info({ pending }, 'persist: pending effects back under the cap');
		}
	}

	#backoffMs(): number {
		return Math.min(this.#maxRetryMs, this.#retryMs * 2 ** Math.max(0, this.#failures - 1));
	}

	/** Arm the flush timer; an earlier deadline replaces a later one. */
	#schedule(ms: number): void {
		if (this.#cancelTimer !== null) {
			if (this.#timerMs <= ms) return;
			this.#unschedule();
		}
		this.#timerMs = ms;
		this.#cancelTimer = this.#setTimer(() => {
			this.#cancelTimer = null;
			this.#run(false).catch(() => {
				// logged by #drain; a retry is scheduled
			});
		}, ms);
	}

	#unschedule(): void {
		this.#cancelTimer?.();
		this.#cancelTimer = null;
	}

	#take(): Item[] {
		const items: Item[] = [];
		for (const [key, item] of this.#queue) {
			if (items.length >= this.#maxBatch) break;
			items.push(item);
			this.#queue.delete(key);
		}
		this.#inFlight = items.length;
		return items;
	}

	/** Put unwritten items back in front, each merged under whatever newer came for its key. */
	#requeue(items: readonly Item[]): void {
		const next = new Map<string, Item>();
		for (const it of items) {
			const newer = this.#queue.get(it.key);
			next.set(it.key, newer === undefined ? it : combine(it, newer));
		}
		for (const [key, it] of this.#queue) if (!next.has(key)) next.set(key, it);
		this.#queue = next;
	}

	#rollupDue(): boolean {
		return Date.now() >= this.#rollupAt;
	}

	/** Recompute the pending rollups (and `spans`) in `tx`; they are cleared once it commits. */
	async #rollups(tx: DbOrTx, spans: readonly Span[]): Promise<() => void> {
		const started = Date.now();
		const all = new SpanSet();
		all.addAll(this.#dirty.spans());
		all.addAll(spans);
		await refreshRollups(tx, all.spans(), this.#tzOf);
		const took = Date.now() - started;
		return () => {
			this.#dirty.clear();
			this.#rollupAt = Date.now() + Math.max(this.#rollupMs, 3 * took);
		};
	}

	async #drain(force: boolean): Promise<void> {
		for (let first = true; ; first = false) {
			// between batches: let sockets, timers and AMI pings run
			if (!first) await yieldToLoop();
			const items = this.#take();
			if (items.length === 0) {
				if (this.#dirty.size === 0) return;
				if (force || this.#rollupDue()) await this.#rollupOnly();
				else if (!this.#closed) this.#schedule(Math.max(0, this.#rollupAt - Date.now()));
				return;
			}
			const withRollups = (force && this.#queue.size === 0) || this.#rollupDue();
			let retry: { items: Item[]; error: unknown } | null;
			try {
				retry = await this.#write(items, withRollups);
			} finally {
				this.#inFlight = 0;
			}
			if (retry === null) {
				this.#resumed();
				continue;
			}
			this.#requeue(retry.items);
			this.#failedWrite(retry.error);
			throw retry.error;
		}
	}

	#resumed(): void {
		if (this.#failures > 0) this.#log.info({ failures: this.#failures }, 'persist: database writes resumed');
		this.#failures = 0;
		this.#checkCap();
	}

	/** A rollup transaction of its own, for keys no batch carried. */
	async #rollupOnly(): Promise<void> {
		try {
			const settle = await this.#db.transaction((tx) => this.#rollups(tx, []));
			settle();
		} catch (error) {
			if (isBadData(error)) {
				// cannot happen with spans of committed rows; do not retry forever (rebuildRollups repairs)
				this.#log.error({ err: describeError(error) }, 'persist: rollups refused, left to rebuildRollups');
				this.#dirty.clear();
				return;
			}
			this.#failedWrite(error);
			throw error;
		}
		this.#resumed();
	}

	/** Count a failed transaction and schedule its retry. */
	#failedWrite(error: unknown): void {
		this.#failures++;
		const delay = this.#backoffMs();
		this.#log.warn(
			{
				err: describeError(error),
				failures: this.#failures,
				pending: this.#queue.size,
				retryInMs: delay
			},
			'persist: batch not written, will retry'
		);
		if (!this.#closed) this.#schedule(delay);
	}

	/** One transaction: the rows, and the pending rollups too when `withRollups`. */
	async #tx(items: readonly Item[], withRollups: boolean): Promise<void> {
		const batch = toBatch(items);
		let settle: (() => void) | null = null;
		let spans: Span[] = [];
		await this.#db.transaction(async (tx) => {
			spans = await writeBatch(tx, batch);
			if (withRollups) settle = await this.#rollups(tx, spans);
		});
		// committed: the rollups are either done or pending
		if (settle !== null) (settle as () => void)();
		else this.#dirty.addAll(spans);
	}

	/** Write one batch; returns what must be retried later (null when all is settled). */
	async #write(items: Item[], withRollups: boolean): Promise<{ items: Item[]; error: unknown } | null> {
		try {
			await this.#tx(items, withRollups);
			this.#written += items.length;
			return null;
		} catch (error) {
			if (!isBadData(error)) return { items, error };
			this.#log.warn(
				{ err: describeError(error), rows: items.length },
				'persist: batch refused, retrying row by row'
			);
		}
		for (let i = 0; i < items.length; i++) {
			const it = items[i] as Item;
			try {
				await this.#tx([it], false);
				this.#written++;
			} catch (error) {
				if (!isBadData(error)) return { items: items.slice(i), error };
				this.#failed++;
				this.#log.error(
					{ err: describeError(error), ...describeItem(it) },
					'persist: dropped a row the database refused'
				);
			}
		}
		return null;
	}
}
