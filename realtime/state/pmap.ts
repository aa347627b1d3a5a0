/**
 * A small persistent (immutable) string-keyed map with structural sharing: a two-level table of
 * 32 × 32 buckets. A write copies two 32-slot arrays and one bucket (≈ size/1024 entries), never the
 * whole map. `draft()` gives a batch editor that copies each touched array/bucket at most once per
 * batch (one reduce step); `done()` freezes it.
 */

const WIDTH = 32;
const MASK = WIDTH - 1;

type Bucket<V> = ReadonlyMap<string, V>;
type Level<V> = ReadonlyArray<Bucket<V> | undefined>;
type Root<V> = ReadonlyArray<Level<V> | undefined>;

function hash(key: string): number {
	// FNV-1a over the whole key (our keys differ at the end)
	let h = 0x811c9dc5;
	for (let i = 0; i < key.length; i++) {
		h ^= key.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

function emptyRoot<V>(): Root<V> {
	return new Array<Level<V> | undefined>(WIDTH).fill(undefined);
}

function bucketOf<V>(root: Root<V>, h: number): Bucket<V> | undefined {
	return root[h & MASK]?.[(h >>> 5) & MASK];
}

function* iterate<V>(root: Root<V>): IterableIterator<Bucket<V>> {
	for (const level of root) {
		if (level === undefined) continue;
		for (const b of level) if (b !== undefined && b.size > 0) yield b;
	}
}

export class PMap<V> {
	readonly size: number;
	readonly #root: Root<V>;

	private constructor(root: Root<V>, size: number) {
		this.#root = root;
		this.size = size;
	}

	static empty<V>(): PMap<V> {
		return new PMap<V>(emptyRoot<V>(), 0);
	}

	static from<V>(entries: Iterable<readonly [string, V]>): PMap<V> {
		const d = PMap.empty<V>().draft();
		for (const [k, v] of entries) d.set(k, v);
		return d.done();
	}

	/** @internal used by PMapDraft */
	static of<V>(root: Root<V>, size: number): PMap<V> {
		return new PMap(root, size);
	}

	/** @internal */
	get root(): Root<V> {
		return this.#root;
	}

	get(key: string): V | undefined {
		return bucketOf(this.#root, hash(key))?.get(key);
	}

	has(key: string): boolean {
		return bucketOf(this.#root, hash(key))?.has(key) ?? false;
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
		for (const b of iterate(this.#root)) yield* b.values();
	}

	*entries(): IterableIterator<[string, V]> {
		for (const b of iterate(this.#root)) yield* b.entries();
	}

	*keys(): IterableIterator<string> {
		for (const b of iterate(this.#root)) yield* b.keys();
	}
}

/** Batch editor over a PMap; the source map is never modified. */
export class PMapDraft<V> {
	#base: PMap<V>;
	/** copied root, levels and buckets this draft owns (null: nothing written yet) */
	#root: Array<Level<V> | undefined> | null = null;
	#levels: Set<Level<V>> | null = null;
	#buckets: Set<Bucket<V>> | null = null;
	#size: number;

	constructor(base: PMap<V>) {
		this.#base = base;
		this.#size = base.size;
	}

	get size(): number {
		return this.#size;
	}

	#current(): Root<V> {
		return this.#root ?? this.#base.root;
	}

	get(key: string): V | undefined {
		return bucketOf(this.#current(), hash(key))?.get(key);
	}

	has(key: string): boolean {
		return bucketOf(this.#current(), hash(key))?.has(key) ?? false;
	}

	/** the bucket for `h`, copied on first write in this batch */
	#writable(h: number): Map<string, V> {
		const root = (this.#root ??= this.#base.root.slice());
		const levels = (this.#levels ??= new Set());
		const buckets = (this.#buckets ??= new Set());
		const i = h & MASK;
		const j = (h >>> 5) & MASK;
		let level = root[i];
		if (level === undefined || !levels.has(level)) {
			level = level === undefined ? new Array<Bucket<V> | undefined>(WIDTH).fill(undefined) : level.slice();
			levels.add(level);
			root[i] = level;
		}
		const mutableLevel = level as Array<Bucket<V> | undefined>;
		let bucket = mutableLevel[j];
		if (bucket === undefined || !buckets.has(bucket)) {
			bucket = bucket === undefined ? new Map<string, V>() : new Map(bucket);
			buckets.add(bucket);
			mutableLevel[j] = bucket;
		}
		return bucket as Map<string, V>;
	}

	set(key: string, value: V): void {
		const h = hash(key);
		const cur = bucketOf(this.#current(), h);
		if (cur !== undefined && cur.get(key) === value && cur.has(key)) return;
		const m = this.#writable(h);
		if (!m.has(key)) this.#size++;
		m.set(key, value);
	}

	delete(key: string): void {
		const h = hash(key);
		const cur = bucketOf(this.#current(), h);
		if (cur === undefined || !cur.has(key)) return;
		this.#writable(h).delete(key);
		this.#size--;
	}

	*values(): IterableIterator<V> {
		for (const b of iterate(this.#current())) yield* b.values();
	}

	*entries(): IterableIterator<[string, V]> {
		for (const b of iterate(this.#current())) yield* b.entries();
	}

	/** true when something was written */
	get changed(): boolean {
		return this.#root !== null;
	}

	done(): PMap<V> {
		if (this.#root === null) return this.#base;
		const out = PMap.of<V>(this.#root, this.#size);
		// re-base: later writes copy again and never leak into the frozen map
		this.#base = out;
		this.#root = null;
		this.#levels = null;
		this.#buckets = null;
		return out;
	}
}
