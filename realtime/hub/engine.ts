/**
 * The leader's live floor: every input goes through the pure reducer; patches are coalesced
 * (last view per agent/queue/monitor wins) and flushed as one numbered batch at most every
 * `flushMs`; effects go to persistence as they come.
 */
import type { FloorPatch } from '../../src/lib/protocol';
import {
	initialFloorState,
	reduce,
	snapshot,
	type FloorConfig,
	type FloorEffect,
	type FloorInput,
	type FloorState
} from '../state';
import type { FloorBatch } from './mirror';

export interface FloorEngineOptions {
	flushMs?: number;
	tickMs?: number;
	config?: Partial<FloorConfig>;
	now?: () => number;
	onBatch: (batch: FloorBatch) => void;
	onEffects?: (effects: FloorEffect[]) => void;
	onError?: (err: unknown, input: FloorInput) => void;
}

function patchKey(p: FloorPatch): string {
	switch (p.kind) {
		case 'agent':
			return `a:${p.agent.id}`;
		case 'agentRemoved':
			return `ar:${p.agentId}`;
		case 'queue':
			return `q:${p.queue.id}`;
		case 'monitor':
			return `m:${p.monitor.id}`;
		case 'monitorEnded':
			return `me:${p.monitorId}`;
		case 'pbx':
			return `p:${p.pbx.name}`;
	}
}

export class FloorEngine {
	#state: FloorState;
	#seq = 0;
	readonly #pending = new Map<string, FloorPatch>();
	readonly #opts: Required<Pick<FloorEngineOptions, 'flushMs' | 'tickMs' | 'now'>> & FloorEngineOptions;
	#flushTimer: NodeJS.Timeout | null = null;
	#tickTimer: NodeJS.Timeout | null = null;
	#immediate: NodeJS.Immediate | null = null;
	#lastFlushAt = 0;
	#inputs = 0;

	constructor(opts: FloorEngineOptions) {
		this.#opts = { flushMs: 100, tickMs: 1000, now: Date.now, ...opts };
		this.#state = initialFloorState(opts.config ?? {}, this.#opts.now());
		this.#tickTimer = setInterval(() => this.input({ type: 'tick' }), this.#opts.tickMs);
		this.#tickTimer.unref();
	}

	get seq(): number {
		return this.#seq;
	}

	get inputs(): number {
		return this.#inputs;
	}

	input(input: FloorInput): void {
		this.#inputs++;
		let result;
		try {
			result = reduce(this.#state, input, this.#opts.now());
		} catch (err) {
			// A reducer bug must not take the floor down: drop this input, keep the state.
			this.#opts.onError?.(err, input);
			return;
		}
		this.#state = result.state;
		if (result.effects.length) this.#opts.onEffects?.(result.effects);
		if (!result.patches.length) return;
		for (const p of result.patches) {
			const key = patchKey(p);
			this.#pending.delete(key);
			this.#pending.set(key, p);
		}
		this.#schedule();
	}

	/**
	 * Leading-edge throttle: a change on a quiet floor goes out at the end of this I/O turn (so a
	 * burst read from one TCP chunk still travels as one batch); during activity, batches leave at
	 * most every flushMs.
	 */
	#schedule(): void {
		if (this.#flushTimer || this.#immediate) return;
		const wait = this.#lastFlushAt + this.#opts.flushMs - this.#opts.now();
		if (wait <= 0) this.#immediate = setImmediate(() => this.flush());
		else this.#flushTimer = setTimeout(() => this.flush(), wait);
	}

	flush(): void {
		if (this.#flushTimer) clearTimeout(this.#flushTimer);
		if (this.#immediate) clearImmediate(this.#immediate);
		this.#flushTimer = null;
		this.#immediate = null;
		if (!this.#pending.size) return;
		this.#lastFlushAt = this.#opts.now();
		const patches = [...this.#pending.values()];
		this.#pending.clear();
		this.#seq++;
		this.#opts.onBatch({ seq: this.#seq, serverTime: this.#opts.now(), patches });
	}

	/** Full view at the current sequence (pending patches flushed first so both agree). */
	snapshot() {
		this.flush();
		const snap = snapshot(this.#state, 0, this.#opts.now());
		return { ...snap, seq: this.#seq };
	}

	close(): void {
		if (this.#flushTimer) clearTimeout(this.#flushTimer);
		if (this.#immediate) clearImmediate(this.#immediate);
		this.#immediate = null;
		if (this.#tickTimer) clearInterval(this.#tickTimer);
		this.#flushTimer = null;
		this.#tickTimer = null;
	}
}
