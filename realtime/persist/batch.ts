/**
 * One batch, written in the caller's transaction: call rows (inbound ones first linked to their
 * lead and project, inbound.ts; and the automatic dispositions of our failed dials), state
 * intervals; returns the rollup spans the batch touched (old and new keys of its calls, its pause
 * intervals) for the caller to recompute (rollups.ts), in this transaction or a later one.
 *
 * Under PGlite every statement runs on the event loop's thread: calls are upserted in chunks of
 * `CALLS_PER_STATEMENT` and the batch yields to the event loop between statements, so socket I/O
 * and AMI pings are never held up for more than one short statement.
 */
import type { DbOrTx } from '../../src/lib/server/db';
import { recordFailedDials } from '../../src/lib/server/leads/dispositions';
import { NIL_UUID } from '../../src/lib/server/db/schema';
import type { CallFact } from '../state/types';
import { insertStates } from './agent-states';
import type { StateEffect } from './agent-states';
import { upsertCalls } from './calls';
import { linkInboundCalls } from './inbound';
import type { Span } from './rollups';

export interface Batch {
	/** at most one (merged, sanitised) fact per call */
	calls: CallFact[];
	/** at most one interval per (agent, start) */
	states: StateEffect[];
}

/** calls per upsert statement: bounds the time one statement holds the thread */
const CALLS_PER_STATEMENT = 100;

/** Let timers, sockets and other I/O run (between statements of a long batch). */
export function yieldToLoop(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

export async function writeBatch(db: DbOrTx, batch: Batch): Promise<Span[]> {
	const spans: Span[] = [];
	for (let i = 0; i < batch.calls.length; i += CALLS_PER_STATEMENT) {
		if (i > 0) await yieldToLoop();
		// a customer calling in carries no ids of ours: find their lead and project by the number
		const chunk = await linkInboundCalls(db, batch.calls.slice(i, i + CALLS_PER_STATEMENT));
		for (const row of await upsertCalls(db, chunk)) {
			spans.push({
				agentId: row.agent_id,
				projectId: row.project_id ?? NIL_UUID,
				from: row.started_at,
				to: row.started_at
			});
		}
	}
	// a dial we originated that failed (busy, no answer…) records its disposition with the call
	if (batch.calls.length > 0) await yieldToLoop();
	await recordFailedDials(db, batch.calls);
	await insertStates(db, batch.states);
	for (const e of batch.states) {
		if (e.state === 'paused')
			spans.push({ agentId: e.agentId, projectId: NIL_UUID, from: new Date(e.from), to: new Date(e.to) });
	}
	return spans;
}
