/**
 * Call facts → `calls` rows, keyed by (pbx, linkedid).
 *
 * Merge rules (the same in memory, for facts coalesced in one batch, and in SQL, against the row):
 * - ids, number, queue, recording, dial status, hangup cause: the latest known value wins, a null
 *   never erases a known one;
 * - started_at and answered_at: the earliest wins, ended_at: the latest wins (a resync after a
 *   reconnect only ever sees a call later than it really started or was answered);
 * - direction (never null): the latest fact wins, the reducer revises it as it learns (an
 *   originated call is `out` until its queue shows it is an inbound one);
 * - talk_seconds = ended − answered of the merged row; an answered call's status is ANSWER.
 * The rules are idempotent (applying a fact twice = once), so replays never change a row.
 *
 * SB ids come from channel variables and may be garbage: a value that is not a uuid is stored as
 * null, and a uuid without a row (project, lead, agent) is stored as null by the same statement.
 * A valid SB_CALL uuid becomes the row's `id` when no other row has it (other tables refer to calls
 * by the id the hub chose when it originated the call).
 */
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import type { CallFact } from '../state/types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ±8.64e15 ms is the range of a JS Date; Postgres refuses what lies outside its own (bad data). */
const MAX_MS = 8.64e15;

export function uuidOrNull(value: string | null | undefined): string | null {
	return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
}

export function callKey(call: CallFact): string {
	return `c\0${call.pbx}\0${call.linkedid}`;
}

function isMs(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_MS;
}

/** Why a fact cannot be stored at all (null when it can). */
export function invalidCall(call: CallFact): string | null {
	if (typeof call.pbx !== 'string' || call.pbx === '') return 'no pbx';
	if (typeof call.linkedid !== 'string' || call.linkedid === '') return 'no linkedid';
	if (call.direction !== 'in' && call.direction !== 'out') return 'bad direction';
	if (!isMs(call.startedAt)) return 'bad startedAt';
	if (call.answeredAt !== null && !isMs(call.answeredAt)) return 'bad answeredAt';
	if (call.endedAt !== null && !isMs(call.endedAt)) return 'bad endedAt';
	return null;
}

function minMs(a: number | null, b: number | null): number | null {
	if (a === null) return b;
	if (b === null) return a;
	return Math.min(a, b);
}

function maxMs(a: number | null, b: number | null): number | null {
	if (a === null) return b;
	if (b === null) return a;
	return Math.max(a, b);
}

/** `older` then `newer` folded into one fact, exactly as two successive upserts would leave the row. */
export function mergeCalls(older: CallFact, newer: CallFact): CallFact {
	return {
		pbx: newer.pbx,
		linkedid: newer.linkedid,
		uniqueid: newer.uniqueid ?? older.uniqueid,
		direction: newer.direction,
		agentId: newer.agentId ?? older.agentId,
		number: newer.number ?? older.number,
		queue: newer.queue ?? older.queue,
		callId: newer.callId ?? older.callId,
		leadId: newer.leadId ?? older.leadId,
		projectId: newer.projectId ?? older.projectId,
		recording: newer.recording ?? older.recording,
		startedAt: Math.min(older.startedAt, newer.startedAt),
		answeredAt: minMs(older.answeredAt, newer.answeredAt),
		endedAt: maxMs(older.endedAt, newer.endedAt),
		dialStatus: newer.dialStatus ?? older.dialStatus,
		hangupCause: newer.hangupCause ?? older.hangupCause
	};
}

/** garbage SB ids become null here, so a garbage later value never hides a good earlier one */
export function sanitizeCall(call: CallFact): CallFact {
	return {
		...call,
		agentId: uuidOrNull(call.agentId),
		callId: uuidOrNull(call.callId),
		leadId: uuidOrNull(call.leadId),
		projectId: uuidOrNull(call.projectId)
	};
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** A row of `calls` touched by a batch, before or after: its rollup key and start. */
export interface CallSpanRow {
	agent_id: string;
	project_id: string | null;
	started_at: Date | string;
}

const talkSeconds = (answered: SQL, ended: SQL): SQL =>
	sql`case when ${answered} is not null and ${ended} is not null
		then greatest(0, round(extract(epoch from ${ended} - ${answered})))::integer end`;

const MERGED_ANSWERED = sql`least(c.answered_at, excluded.answered_at)`;
const MERGED_ENDED = sql`greatest(c.ended_at, excluded.ended_at)`;

/**
 * Upsert the facts (at most one per call) and return the (agent, project, start) of every row they
 * touched, both as it was before and as it is now: the rollup keys to recompute.
 */
export async function upsertCalls(db: DbOrTx, facts: readonly CallFact[]): Promise<CallSpanRow[]> {
	if (facts.length === 0) return [];
	const idTaken = new Set<string>();
	const rows = facts.map((f) => {
		// two facts of one batch must not claim the same id
		let callId = f.callId;
		if (callId !== null && idTaken.has(callId)) callId = null;
		if (callId !== null) idTaken.add(callId);
		return {
			call_id: callId,
			pbx: f.pbx,
			linkedid: f.linkedid,
			uniqueid: f.uniqueid,
			direction: f.direction,
			agent_id: f.agentId,
			number: f.number,
			queue: f.queue,
			lead_id: f.leadId,
			project_id: f.projectId,
			recording: f.recording,
			started_at: iso(f.startedAt),
			answered_at: isoOrNull(f.answeredAt),
			ended_at: isoOrNull(f.endedAt),
			dial_status: f.dialStatus,
			hangup_cause: f.hangupCause
		};
	});
	return queryRows<CallSpanRow>(
		db,
		sql`with v as (
			select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
				call_id uuid, pbx text, linkedid text, uniqueid text, direction text, agent_id uuid,
				number text, queue text, lead_id uuid, project_id uuid, recording text,
				started_at timestamptz, answered_at timestamptz, ended_at timestamptz,
				dial_status text, hangup_cause integer)
		),
		old as (
			select c.agent_id, c.project_id, c.started_at
			from calls c join v on c.pbx = v.pbx and c.linkedid = v.linkedid
		),
		up as (
			insert into calls as c (id, pbx, linkedid, uniqueid, direction, agent_id, number, queue,
				lead_id, project_id, recording_path, started_at, answered_at, ended_at, talk_seconds,
				dial_status, hangup_cause)
			select
				case when v.call_id is not null and not exists (select 1 from calls x where x.id = v.call_id)
					then v.call_id else gen_random_uuid() end,
				v.pbx, v.linkedid, v.uniqueid, v.direction::call_direction,
				(select u.id from users u where u.id = v.agent_id),
				v.number, v.queue,
				(select l.id from leads l where l.id = v.lead_id),
				(select p.id from projects p where p.id = v.project_id),
				v.recording, v.started_at, v.answered_at, v.ended_at,
				${talkSeconds(sql`v.answered_at`, sql`v.ended_at`)},
				case when v.answered_at is not null then 'ANSWER' else v.dial_status end,
				v.hangup_cause
			from v
			on conflict (pbx, linkedid) do update set
				uniqueid = coalesce(excluded.uniqueid, c.uniqueid),
				direction = excluded.direction,
				agent_id = coalesce(excluded.agent_id, c.agent_id),
				number = coalesce(excluded.number, c.number),
				queue = coalesce(excluded.queue, c.queue),
				lead_id = coalesce(excluded.lead_id, c.lead_id),
				project_id = coalesce(excluded.project_id, c.project_id),
				recording_path = coalesce(excluded.recording_path, c.recording_path),
				started_at = least(c.started_at, excluded.started_at),
				answered_at = ${MERGED_ANSWERED},
				ended_at = ${MERGED_ENDED},
				talk_seconds = ${talkSeconds(MERGED_ANSWERED, MERGED_ENDED)},
				dial_status = case when ${MERGED_ANSWERED} is not null then 'ANSWER'
					else coalesce(excluded.dial_status, c.dial_status) end,
				hangup_cause = coalesce(excluded.hangup_cause, c.hangup_cause)
			returning c.agent_id, c.project_id, c.started_at
		)
		select agent_id, project_id, started_at from old where agent_id is not null
		union
		select agent_id, project_id, started_at from up where agent_id is not null`
	);
}
