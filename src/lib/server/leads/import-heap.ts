/**
 * A tighter JavaScript heap while imports run.
 *
 * An import promotes every batch's rows to V8's old generation (they outlive a few young-generation
 * collections while the batch is written), and after each full collection V8 lets the old
 * generation grow up to 4× what survived before collecting again: ≈ 40 MB live, a heap left to grow
 * to 150–200 MB. Measured (bench `import`, 2 vCPUs): a factor of 2 takes the peak RSS of a CSV import
 * into Postgres from ≈ 360 to ≈ 245 MB at no measurable CPU cost; the embedded database, whose
 * WebAssembly memory and compiled code already take ≈ 100 MB of the process, gets 1.5 (CSV ≈ 525 →
 * ≈ 385 MB, the 100k-row XLSX ≈ 515 → ≈ 415 MB, then ≈ 375 MB with the collection below, ≤ 5 % more
 * CPU: its full collections are cheap, the live set is small).
 * A factor of 1.25 cost up to 40 % more CPU.
 *
 * V8 reads the factor each time it sets the next limit, after a full collection, so it is set while
 * at least one import runs and given back after the last one (the rest of the server keeps V8's own
 * heuristics); setting it starts with a full collection, or the import's first stretch grows to the
 * limit set before it: 4× what opening the database left live, ≈ 150 MB of heap, which was the
 * XLSX → PGlite run's peak (≈ 5 ms of CPU an import). A factor chosen on the command line
 * (`node --heap-growing-percent=…`) is left alone.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** growing factor − 1, in percent, while an import runs, by database driver */
export const IMPORT_HEAP_GROWING_PERCENT = { postgres: 100, pglite: 50 } as const;

// Node refuses this V8 option in NODE_OPTIONS: only the command line can carry it
const chosenByOperator = process.execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
let running = 0;

/** `work` with the old generation growing by `percent` between full collections (the first import's value). */
export async function withImportHeap<T>(percent: number, work: () => Promise<T>): Promise<T> {
	if (chosenByOperator) return work();
	if (running++ === 0) {
		setFlagsFromString(`--heap-growing-percent=${percent}`);
		collectGarbage();
	}
	try {
		return await work();
	} finally {
		// 0: V8's own dynamic factor again
		if (--running === 0) setFlagsFromString('--heap-growing-percent=0');
	}
}

let collect: (() => void) | null = null;

/** A full collection: `global.gc` when node runs with --expose-gc, else one taken from a new context created with the flag on. */
export function collectGarbage(): void {
	if (!collect) {
		const exposed = (globalThis as { gc?: () => void }).gc;
		if (exposed) collect = exposed;
		else {
			setFlagsFromString('--expose-gc');
			collect = runInNewContext('gc') as () => void;
			setFlagsFromString('--no-expose-gc');
		}
	}
	collect();
}
