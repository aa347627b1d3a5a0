/**
 * Child process of import-heap.test.ts: holds a live set, then churns rows that outlive a few
 * young-generation collections (as an import's batches do) and prints the largest V8 heap seen.
 * Mode `import`: the churn runs inside `withImportHeap` (the embedded database's factor); `after`: an import ran and ended before
 * it (the factor must be given back); `plain`: no import at all.
 */
import { getHeapStatistics } from 'node:v8';
import { collectGarbage, IMPORT_HEAP_GROWING_PERCENT, withImportHeap } from './import-heap';

const mode = process.argv[2];
const live: { i: number; s: string }[] = [];
for (let i = 0; i < 500_000; i++) live.push({ i, s: `live${i}` });

// the last full collection before the churn is V8's own, as the database's opening is before an import
collectGarbage();

let largest = 0;
async function churn(): Promise<void> {
	let batch: { round: number; i: number; s: string }[] = [];
	for (let round = 0; round < 400; round++) {
		for (let i = 0; i < 20_000; i++) batch.push({ round, i, s: `row${i}` });
		if (batch.length > 100_000) batch = [];
		await new Promise((resolve) => setImmediate(resolve));
		largest = Math.max(largest, getHeapStatistics().total_heap_size);
	}
}

if (mode === 'import') await withImportHeap(IMPORT_HEAP_GROWING_PERCENT.pglite, churn);
else {
	if (mode === 'after') await withImportHeap(IMPORT_HEAP_GROWING_PERCENT.pglite, async () => {});
	await churn();
}
process.stdout.write(JSON.stringify({ largestMb: largest / 1048576, live: live.length }) + '\n');
