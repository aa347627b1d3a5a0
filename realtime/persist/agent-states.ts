/**
 * Agent state intervals → `agent_state_log`, unique on (agent_id, started_at): the first interval
 * stored for a start wins and replays are no-ops. Intervals of agents without a `users` row are
 * skipped by the statement itself.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../src/lib/server/db';
import type { FloorEffect } from '../state/types';
import { uuidOrNull } from './calls';

export type StateEffect = Extract<FloorEffect, { kind: 'agentState' }>;

const MAX_MS = 8.64e15;

export function stateKey(e: StateEffect): string {
	return `s\0${e.agentId}\0${e.from}`;
}

/** Why an interval cannot be stored at all (null when it can). */
export function invalidState(e: StateEffect): string | null {
	if (uuidOrNull(e.agentId) === null) return 'agentId is not a uuid';
	if (typeof e.state !== 'string' || e.state.length === 0) return 'no state';
	if (!Number.isFinite(e.from) || Math.abs(e.from) > MAX_MS) return 'bad from';
	if (!Number.isFinite(e.to) || Math.abs(e.to) > MAX_MS || e.to < e.from) return 'bad to';
	return null;
}

export async function insertStates(db: DbOrTx, effects: readonly StateEffect[]): Promise<void> {
	if (effects.length === 0) return;
	const rows = effects.map((e) => ({
		agent_id: e.agentId,
		state: e.state,
		reason: e.reason,
		started_at: new Date(e.from).toISOString(),
		ended_at: new Date(e.to).toISOString()
	}));
	await db.execute(
		sql`insert into agent_state_log (agent_id, state, reason, started_at, ended_at)
		select v.agent_id, v.state, v.reason, v.started_at, v.ended_at
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
			agent_id uuid, state text, reason text, started_at timestamptz, ended_at timestamptz)
		where exists (select 1 from users u where u.id = v.agent_id)
		on conflict (agent_id, started_at) do nothing`
	);
}
