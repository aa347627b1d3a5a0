/**
 * Queue service-level counters beyond the transcripts: thresholds from the managed-queue settings
 * and the reset at the day boundary.
 */
import { describe, expect, it } from 'vitest';
import { initialFloorState, reduce, snapshot } from './index';
import type { FloorState } from './index';
import { directoryOf, hasTranscript, loadTranscript, replay } from './test-support';

function dayOf(now: number): string {
	return new Date(now).toISOString().slice(0, 10);
}

describe.skipIf(!hasTranscript('d_queue_inbound'))('queue service level', () => {
	const recs = loadTranscript('d_queue_inbound');
	const t0 = recs[0]!.now;
	const base = reduce(initialFloorState({ dayKey: dayOf }, t0), { type: 'directory', agents: directoryOf(['agent1', 'agent2', 'agent3']) }, t0).state;
	const sales = (s: FloorState) => snapshot(s, 1, s.now).queues.find((q) => q.name === 'sales');

	it('a queue setting changes the threshold the view shows and the next answers count against', () => {
		const withSetting = reduce(base, { type: 'queueSettings', serviceLevels: { sales: 0 } }, t0).state;
		const r = replay(withSetting, recs);
		expect(sales(r.state)).toMatchObject({ answered: 3, answeredInSl: 0, serviceLevelSeconds: 0 });
		const patched = reduce(r.state, { type: 'queueSettings', serviceLevels: { sales: 45 } }, r.state.now);
		expect(patched.patches).toContainEqual({ kind: 'queue', queue: expect.objectContaining({ name: 'sales', serviceLevelSeconds: 45 }) });
	});

	it('the counters start from zero on a new day, the waiting callers and members stay', () => {
		const r = replay(base, recs);
		expect(sales(r.state)).toMatchObject({ offered: 5, abandoned: 2 });
		const tomorrow = r.state.now + 24 * 3600_000;
		const next = reduce(r.state, { type: 'tick' }, tomorrow);
		expect(sales(next.state)).toMatchObject({ offered: 0, answered: 0, answeredInSl: 0, abandoned: 0, waitSeconds: 0, maxWaitSeconds: 0 });
		expect(sales(next.state)?.members).toBe(sales(r.state)?.members);
		expect(next.patches.some((p) => p.kind === 'queue' && p.queue.name === 'sales' && p.queue.offered === 0)).toBe(true);
	});
});
