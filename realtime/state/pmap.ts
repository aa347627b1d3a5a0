/**
 * A small persistent (immutable) string-keyed map with structural sharing: 32 buckets, a write
 * copies one bucket and the bucket table, never the whole map. `draft()` gives a batch editor that
 * copies each touched bucket at most once per batch (one reduce step), then `done()` freezes it.
 */

const BUCKETS = 32;
const MASK = BUCKETS - 1;

type Bucket<V> = ReadonlyMap<string, V>;

function slot(key: string): number {
	// FNV-1a over the key; the distinguishing part of our keys is at the end, so hash it all.
	let h = 0x811c9dc5;
	for (let i = 0; i < key.length; i++) {
		h ^= key.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return (h >>> 0) & MASK;
}

export class PMap<V> {
	readonly size: number;
	readonly #buckets: ReadonlyArray<Bucket<V> | undefined>;

	private constructor(buckets: ReadonlyArray<Bucket<V> | undefined>, size: number) {
		this.#buckets = buckets;
		this.size = size;
	}

	static empty<V>(): PMap<V> {
		return new PMap<V>(new Array<Bucket<V> | undefined>(BUCKETS).fill(undefined), 0);
	}

	static from<V>(entries: Iterable<readonly [string, V]>): PMap<V> {
		const d = PMap.empty<V>().draft();
		for (const [k, v] of entries) d.set(k, v);
		return d.done();
	}

	/** @internal used by PMapDraft */
	static of<V>(buckets: ReadonlyArray<Bucket<V> | undefined>, size: number): PMap<V> {
		return new PMap(buckets, size);
	}

	/** @internal */
	get buckets(): ReadonlyArray<Bucket<V> | undefined> {
		return this.#buckets;
	}

	get(key: string): V | undefined {
		return this.#buckets[slot(key)]?.get(key);
	}

	has(key: string): boolean {
		return this.#buckets[slot(key)]?.has(key) ?? false;
	}

	set(key: string, value: V): PMap<V> {
		const d = this.draft();
		d.set(key, value);
		return d.done();
	}

	delete(key: string): PMap<V> {
		const d = this.draft();
		d.delete(key);
		return d.done();
	}

	draft(): PMapDraft<V> {
		return new PMapDraft(this);
	}

	*values(): IterableIterator<V> {
		for (const b of this.#buckets) if (b !== undefined) yield* b.values();
	}

	*entries(): IterableIterator<[string, V]> {
		for (const b of this.#buckets) if (b !== undefined) yield* b.entries();
	}

	*keys(): IterableIterator<string> {
		for (const b of this.#buckets) if (b !== undefined) yield* b.keys();
	}
}

/** Batch editor over a PMap; the source map is never modified. */
export class PMapDraft<V> {
	#base: PMap<V>;
	#buckets: Array<Bucket<V> | undefined> | null = null;
	#owned: Array<Map<string, V> | undefined> | null = null;
	#size: number;

	constructor(base: PMap<V>) {
		this.#base = base;
		this.#size = base.size;
	}

	get size(): number {
		return this.#size;
	}

	get(key: string): V | undefined {
		const b = (this.#buckets ?? this.#base.buckets)[slot(key)];
		return b?.get(key);
	}

	has(key: string): boolean {
		const b = (this.#buckets ?? this.#base.buckets)[slot(key)];
		return b?.has(key) ?? false;
	}

	#writable(i: number): Map<string, V> {
		if (this.#buckets === null || this.#owned === null) {
			this.#buckets = this.#base.buckets.slice();
			this.#owned = new Array<Map<string, V> | undefined>(BUCKETS).fill(undefined);
		}
		let m = this.#owned[i];
		if (m === undefined) {
			const src = this.#buckets[i];
			m = src === undefined ? new Map<string, V>() : new Map(src);
			this.#owned[i] = m;
			this.#buckets[i] = m;
		}
		return m;
	}

	set(key: string, value: V): void {
		const i = slot(key);
		const cur = (this.#buckets ?? this.#base.buckets)[i];
		if (cur !== undefined && cur.get(key) === value && (value !== undefined || cur.has(key))) return;
		const m = this.#writable(i);
		if (!m.has(key)) this.#size++;
		m.set(key, value);
	}

	delete(key: string): void {
		const i = slot(key);
		const cur = (this.#buckets ?? this.#base.buckets)[i];
		if (cur === undefined || !cur.has(key)) return;
		const m = this.#writable(i);
		m.delete(key);
		this.#size--;
	}

	*values(): IterableIterator<V> {
		for (const b of this.#buckets ?? this.#base.buckets) if (b !== undefined) yield* b.values();
	}

	*entries(): IterableIterator<[string, V]> {
		for (const b of this.#buckets ?? this.#base.buckets) if (b !== undefined) yield* b.entries();
	}

	/** true when something was written */
	get changed(): boolean {
		return this.#buckets !== null;
	}

	done(): PMap<V> {
		if (this.#buckets === null) return this.#base;
		const out = PMap.of<V>(this.#buckets, this.#size);
		// re-base: later writes to this draft copy again and never leak into the frozen map
		this.#base = out;
		this.#buckets = null;
		this.#owned = null;
		return out;
	}
}
