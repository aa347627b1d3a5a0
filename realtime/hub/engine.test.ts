import { describe, expect, it } from 'vitest';
import { FloorEngine } from './engine';
import type { FloorBatch } from './mirror';

describe('FloorEngine flush throttle', () => {
	it('sends a change on a quiet floor at once, then at most one batch per window, coalesced', async () => {
		let now = 1_000_000;
		const batches: FloorBatch[] = [];
		const engine = new FloorEngine({ flushMs: 100, now: () => now, onBatch: (b) => batches.push(b) });
		engine.input({ type: 'link', pbx: 'a', connected: true });
		await new Promise((r) => setImmediate(r));
		expect(batches).toHaveLength(1);
		// inside the window: held back and coalesced (last view per key wins)
		engine.input({ type: 'link', pbx: 'a', connected: false });
		engine.input({ type: 'link', pbx: 'b', connected: true });
		engine.input({ type: 'link', pbx: 'a', connected: true });
		await new Promise((r) => setImmediate(r));
		expect(batches).toHaveLength(1);
		now += 100;
		engine.flush();
		expect(batches).toHaveLength(2);
		expect(batches[1]!.seq).toBe(2);
		expect(
			batches[1]!.patches.map((p) => (p.kind === 'pbx' ? `${p.pbx.name}:${p.pbx.connected}` : p.kind))
		).toEqual(['b:true', 'a:true']);
		engine.close();
	});
});
