/**
 * One batch, written in the caller's transaction: call rows (and the automatic dispositions of
 * our failed dials), state intervals, then the rollups of every key the batch touched (recomputed
 * from the raw rows just written).
 */
import type { DbOrTx } from '../../src/lib/server/db';
import { recordFailedDials } from '../../src/lib/server/leads/dispositions';
import { NIL_UUID } from '../../src/lib/server/db/schema';
import type { CallFact } from '../state/types';
import { insertStates } from './agent-states';
import type { StateEffect } from './agent-states';
import { upsertCalls } from './calls';
import { refreshRollups } from './rollups';
import type { Span, TimezoneOf } from './rollups';

export interface Batch {
	/** at most one (merged, sanitised) fact per call */
	calls: CallFact[];
	/** at most one interval per (agent, start) */
	states: StateEffect[];
}

export async function writeBatch(db: DbOrTx, batch: Batch, tzOf: TimezoneOf): Promise<void> {
	const spans: Span[] = [];
	for (const row of await upsertCalls(db, batch.calls)) {
		spans.push({
			agentId: row.agent_id,
			projectId: row.project_id ?? NIL_UUID,
			from: row.started_at,
			to: row.started_at
		});
	}
	// a dial we originated that failed (busy, no answer…) records its disposition with the call
	await recordFailedDials(db, batch.calls);
	await insertStates(db, batch.states);
	for (const e of batch.states) {
		if (e.state === 'paused')
			spans.push({ agentId: e.agentId, projectId: NIL_UUID, from: new Date(e.from), to: new Date(e.to) });
	}
	await refreshRollups(db, spans, tzOf);
}
