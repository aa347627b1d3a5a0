/**
 * Time and randomness for the simulator, injected so the PBX model is deterministic in tests.
 *
 * - `systemClock`: wall time and real timers (the CLI, e2e, benchmarks).
 * - `FakeClock`: time only moves when a test calls `advance(ms)`; due timers run in time order
 *   (ties in scheduling order), each seeing `now()` equal to its due time.
 * - `createRng(seed)`: mulberry32, a small fast seeded PRNG (not for secrets).
 */

export type TimerId = number;

export interface SimClock {
	/** milliseconds since the Unix epoch */
	now(): number;
	setTimeout(fn: () => void, ms: number): TimerId;
	clearTimeout(id: TimerId): void;
}

class SystemClock implements SimClock {
	#next = 1;
	readonly #timers = new Map<TimerId, NodeJS.Timeout>();

	now(): number {
		return Date.now();
	}

	setTimeout(fn: () => void, ms: number): TimerId {
		const id = this.#next++;
		const t = setTimeout(
			() => {
				this.#timers.delete(id);
				fn();
			},
			Math.max(0, ms)
		);
		this.#timers.set(id, t);
		return id;
	}

	clearTimeout(id: TimerId): void {
		const t = this.#timers.get(id);
		if (t !== undefined) {
			clearTimeout(t);
			this.#timers.delete(id);
		}
	}
}

/** Wall-clock time with real timers. Each call returns an independent timer table. */
export function createSystemClock(): SimClock {
	return new SystemClock();
}

interface FakeTimer {
	at: number;
	seq: number;
	fn: () => void;
}

/** Manually advanced clock for deterministic tests. */
export class FakeClock implements SimClock {
	#now: number;
	#seq = 0;
	readonly #timers = new Map<TimerId, FakeTimer>();

	/** default start: 2026-11-25 12:00:00 UTC */
	constructor(startMs = Date.UTC(2026, 10, 25, 12, 0, 0)) {
		this.#now = startMs;
	}

	now(): number {
		return this.#now;
	}

	setTimeout(fn: () => void, ms: number): TimerId {
		const id = ++this.#seq;
		this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
		return id;
	}

	clearTimeout(id: TimerId): void {
		this.#timers.delete(id);
	}

	/** number of scheduled timers */
	get pending(): number {
		return this.#timers.size;
	}

	/** Move time forward by `ms`, running every timer that falls due (including ones scheduled meanwhile). */
	advance(ms: number): void {
		const target = this.#now + Math.max(0, ms);
		for (;;) {
			let nextId: TimerId | null = null;
			let next: FakeTimer | null = null;
			for (const [id, t] of this.#timers) {
				if (t.at > target) continue;
				if (next === null || t.at < next.at || (t.at === next.at && t.seq < next.seq)) {
					next = t;
					nextId = id;
				}
			}
			if (next === null || nextId === null) break;
			this.#timers.delete(nextId);
			this.#now = Math.max(this.#now, next.at);
			next.fn();
		}
		this.#now = target;
	}
}

export interface Rng {
	/** uniform in [0, 1) */
	next(): number;
	/** integer in [min, max] */
	int(min: number, max: number): number;
	/** uniform in [min, max) */
	range(min: number, max: number): number;
	chance(p: number): boolean;
	pick<T>(items: readonly T[]): T;
	/** random UUID v4 text (for bridge ids) */
	uuid(): string;
}

/** mulberry32 seeded PRNG. */
export function createRng(seed: number): Rng {
	let a = seed >>> 0;
	const next = (): number => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const hex = (n: number): string => {
		let s = '';
		for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
		return s;
	};
	return {
		next,
		int: (min, max) => min + Math.floor(next() * (max - min + 1)),
		range: (min, max) => min + next() * (max - min),
		chance: (p) => next() < p,
		pick: <T>(items: readonly T[]): T => {
			if (items.length === 0) throw new RangeError('pick from an empty list');
			return items[Math.floor(next() * items.length)] as T;
		},
		uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`
	};
}
