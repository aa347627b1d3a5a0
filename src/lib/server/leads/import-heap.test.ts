import { describe, expect, it } from 'vitest';
import { runScript } from '../../../../tests/run-script';

const PROBE = 'src/lib/server/leads/import-heap.probe.ts';

async function largestHeapMb(mode: 'import' | 'after' | 'plain'): Promise<number> {
	const run = await runScript(PROBE, [mode], {});
	expect(run.code, run.stderr).toBe(0);
	return (JSON.parse(run.stdout.trim()) as { largestMb: number }).largestMb;
}

describe('withImportHeap', () => {
	it('keeps the heap tighter while an import runs, and gives V8 its own factor back after', async () => {
		// one at a time: each holds a few hundred MB
		const during = await largestHeapMb('import');
		const after = await largestHeapMb('after');
		const plain = await largestHeapMb('plain');
		// the same churn over the same ≈ 40 MB live set: ≈ 130 MB of heap at 1.5, ≈ 215 MB with V8's own factor
		expect(during).toBeLessThan(plain * 0.75);
		expect(after).toBeGreaterThan(during / 0.75);
	}, 60_000);
});
