/**
 * Calls keyed by (pbx, linkedid): creation, OriginateResponse correlation, our SB_* variables,
 * the final outcome, and the call facts for persistence.
 */
import type { PbxEvent } from '../ami/normalize';
import { pk } from './context';
import type { Ctx } from './context';
import type { CallFact, CallRec, LegRec, PendingOriginate } from './types';

type OriginateEvent = Extract<PbxEvent, { kind: 'OriginateResponse' }>;

const NORMAL = 16;
/** a failed Originate matches a call on its endpoint started at most this long before */
const FAILURE_MATCH_WINDOW_MS = 180_000;

export function looksLikeNumber(s: string | null | undefined): s is string {
	return s !== null && s !== undefined && /^\+?[0-9*#]{2,}$/.test(s);
}

export function getCall(ctx: Ctx, pbx: string, linkedid: string): CallRec | undefined {
	return ctx.calls.get(pk(pbx, linkedid));
}

/** The call of that linkedid, created when first seen (and matched with an early OriginateResponse). */
export function ensureCall(ctx: Ctx, pbx: string, linkedid: string): CallRec {
	const key = pk(pbx, linkedid);
	const cur = ctx.calls.get(key);
	if (cur !== undefined) return cur;
	let call: CallRec = {
		key,
		pbx,
		linkedid,
		rootUniqueid: null,
		rootEndpoint: null,
		direction: null,
		agentId: null,
		agentEndpoint: null,
		number: null,
		queue: null,
		callId: null,
		leadId: null,
		projectId: null,
		company: null,
		recording: null,
		startedAt: ctx.now,
		answeredAt: null,
		endedAt: null,
		dialStatus: null,
		originateOk: null,
		originateReason: null,
		cause: null,
		abandoned: false,
		live: 0,
		gone: [],
		legs: {},
		fact: null
	};
	ctx.calls.set(key, call);
	ctx.touchedCalls.add(key);
	// an OriginateResponse (Success) that arrived before the channel's own events
	const pkey = 'u' + key;
	const pending = ctx.pendingOriginates.get(pkey);
	if (pending !== undefined) {
		ctx.pendingOriginates.delete(pkey);
		call = applyOriginate(ctx, call, pending);
	}
	return call;
}

/** Store a changed call; `visible` also re-derives the agents in it (their view shows call fields). */
export function putCall(ctx: Ctx, next: CallRec, visible: boolean): CallRec {
	ctx.calls.set(next.key, next);
	ctx.touchedCalls.add(next.key);
	if (visible) touchCallAgents(ctx, next);
	return next;
}

export function touchCallAgents(ctx: Ctx, call: CallRec): void {
	for (const endpoint in call.legs) ctx.touchEndpoint(call.pbx, endpoint);
}

export function putLeg(ctx: Ctx, call: CallRec, endpoint: string, leg: LegRec): CallRec {
	return putCall(ctx, { ...call, legs: { ...call.legs, [endpoint]: leg } }, false);
}

/** Merge a Hangup cause: the first specific one (not 0 / 16) wins over normal clearing and unknown. */
export function mergeCause(current: number | null, cause: number): number | null {
	if (current === null) return cause;
	if (current === 0 || current === NORMAL) {
		if (cause !== 0 && cause !== NORMAL) return cause;
		return current === 0 ? cause : current;
	}
	return current;
}

function applyOriginate(
	ctx: Ctx,
	call: CallRec,
	o: Pick<PendingOriginate, 'success' | 'reason' | 'callId' | 'exten'>
): CallRec {
	let next: CallRec = { ...call, originateOk: o.success, originateReason: o.reason };
	if (o.callId !== null && next.callId === null) {
		next = { ...next, callId: o.callId };
		ctx.callIds.set(o.callId, next.key);
	}
	if (next.number === null && next.queue === null && looksLikeNumber(o.exten))
		next = { ...next, number: o.exten };
	return putCall(ctx, next, true);
}

/**
 * OriginateResponse: Success carries the originated channel's Uniqueid, which is the linkedid of its
 * call (the first channel); it often arrives before that channel's events, so it waits in
 * pendingOriginates. Failure has no Uniqueid: match the latest call started on the dial string's
 * endpoint that has no originate result yet, else the call whose SB_CALL equals the hub's callId,
 * else wait (the SB_CALL VarSet may come later; a failure with a callId that never matches becomes
 * a standalone fact on tick).
 */
export function handleOriginate(ctx: Ctx, pbx: string, ev: OriginateEvent, callIdHint: string | null): void {
	const o: PendingOriginate = {
		pbx,
		success: ev.success,
		reason: ev.reason,
		callId: callIdHint ?? ev.vars?.['SB_CALL'] ?? null,
		exten: ev.exten,
		endpoint: ev.endpoint,
		at: ctx.now
	};
	if (ev.uniqueid !== null) {
		const call = getCall(ctx, pbx, ev.uniqueid);
		if (call !== undefined) applyOriginate(ctx, call, o);
		else ctx.pendingOriginates.set('u' + pk(pbx, ev.uniqueid), o);
		return;
	}
	let best: CallRec | undefined;
	if (o.callId !== null) {
		const key = ctx.callIds.get(o.callId);
		best = key === undefined ? undefined : ctx.calls.get(key);
	}
	if (best === undefined) {
		const since = ctx.now - FAILURE_MATCH_WINDOW_MS;
		for (const call of ctx.calls.values()) {
			if (call.pbx !== pbx || call.rootEndpoint !== ev.endpoint || call.originateOk !== null) continue;
			if (call.startedAt < since || (o.callId !== null && call.callId !== null)) continue;
			if (best === undefined || call.startedAt >= best.startedAt) best = call;
		}
	}
	if (best !== undefined) {
		applyOriginate(ctx, best, o);
		return;
	}
	if (o.callId !== null) ctx.pendingOriginates.set('f' + pk(pbx, o.callId), o);
}

/**
 * Where the PBX put a recording it started itself (a queue's monitor-format): MIXMONITOR_FILENAME
 * is a full path in its monitor spool, which the app mounts as its recordings root, so the part
 * after `/monitor/` (else the file name) is what `calls.recording_path` keeps.
 */
export function spoolRelative(file: string): string | null {
	const at = file.lastIndexOf('/monitor/');
	const rel = at === -1 ? file.slice(file.lastIndexOf('/') + 1) : file.slice(at + '/monitor/'.length);
	return rel === '' ? null : rel;
}

/**
 * Our channel variables (VarSet or ChanVariable): SB_CALL, SB_LEAD, SB_PROJECT, SB_COMPANY, SB_REC; and the
 * PBX's MIXMONITOR_FILENAME for a recording we did not name (inbound queue calls), which never
 * replaces our own SB_REC.
 */
export function applyCallVar(ctx: Ctx, call: CallRec, name: string, value: string): CallRec {
	const v = value === '' ? null : value;
	switch (name) {
		case 'SB_CALL': {
			if (call.callId === v) return call;
			let next = putCall(ctx, { ...call, callId: v, direction: call.direction ?? 'out' }, true);
			if (v !== null) {
				ctx.callIds.set(v, call.key);
				const pkey = 'f' + pk(call.pbx, v);
				const pending = ctx.pendingOriginates.get(pkey);
				if (pending !== undefined) {
					ctx.pendingOriginates.delete(pkey);
					next = applyOriginate(ctx, next, pending);
				}
			}
			return next;
		}
		case 'SB_LEAD':
			return call.leadId === v ? call : putCall(ctx, { ...call, leadId: v }, true);
		case 'SB_PROJECT':
			return call.projectId === v ? call : putCall(ctx, { ...call, projectId: v }, true);
		case 'SB_COMPANY':
			return call.company === v ? call : putCall(ctx, { ...call, company: v }, true);
		case 'SB_REC':
			return call.recording === v ? call : putCall(ctx, { ...call, recording: v }, false);
		case 'MIXMONITOR_FILENAME': {
			if (call.recording !== null || v === null) return call;
			return putCall(ctx, { ...call, recording: spoolRelative(v) }, false);
		}
		default:
			return call;
	}
}

const CAUSE_STATUS: Readonly<Record<number, string>> = {
	1: 'CHANUNAVAIL', // unallocated number
	2: 'CHANUNAVAIL', // no route to network
	3: 'CHANUNAVAIL', // no route to destination
	17: 'BUSY',
	18: 'NOANSWER', // no user responding
	19: 'NOANSWER', // user alerting, no answer
	20: 'CHANUNAVAIL', // subscriber absent
	21: 'BUSY', // call rejected
	22: 'CHANUNAVAIL', // number changed
	27: 'CHANUNAVAIL', // destination out of order
	28: 'CHANUNAVAIL', // invalid number format
	34: 'CONGESTION',
	38: 'CHANUNAVAIL', // network out of order
	41: 'CONGESTION',
	42: 'CONGESTION',
	44: 'CONGESTION'
};

const REASON_STATUS: Readonly<Record<number, string>> = {
	1: 'CANCEL',
	3: 'NOANSWER',
	4: 'ANSWER',
	5: 'BUSY',
	8: 'CONGESTION'
};

export function callDirection(call: CallRec): 'in' | 'out' {
	if (call.queue !== null) return 'in';
	if (call.agentEndpoint !== null) {
		const leg = call.legs[call.agentEndpoint];
		if (leg !== undefined) return leg.direction;
	}
	if (call.direction !== null) return call.direction;
	return call.callId !== null || call.originateOk !== null ? 'out' : 'in';
}

/** Final outcome; prefers a specific Hangup cause over DialEnd (DialEnd says NOANSWER for an unallocated number). */
export function callOutcome(call: CallRec): string | null {
	if (call.answeredAt !== null) return 'ANSWER';
	if (callDirection(call) === 'in' && (call.queue !== null || call.abandoned)) {
		return call.abandoned || call.endedAt !== null ? 'ABANDON' : null;
	}
	const byCause = call.cause === null ? undefined : CAUSE_STATUS[call.cause];
	if (byCause !== undefined) return byCause;
	if (call.dialStatus !== null && call.dialStatus !== '') return call.dialStatus;
	if (call.originateOk === false) return REASON_STATUS[call.originateReason ?? 0] ?? 'FAILED';
	if (call.endedAt === null) return null;
	return callDirection(call) === 'in' ? 'ABANDON' : 'CANCEL';
}

/** Calls worth a row: an agent took part, or it is ours (callId/lead/project), or it went through a queue. */
export function isRelevant(call: CallRec): boolean {
	return (
		call.agentId !== null ||
		call.callId !== null ||
		call.leadId !== null ||
		call.projectId !== null ||
		call.queue !== null
	);
}

export function factOf(call: CallRec): CallFact {
	return {
		pbx: call.pbx,
		linkedid: call.linkedid,
		uniqueid: call.rootUniqueid ?? call.linkedid,
		direction: callDirection(call),
		agentId: call.agentId,
		number: call.number,
		queue: call.queue,
		callId: call.callId,
		leadId: call.leadId,
		projectId: call.projectId,
		recording: call.recording,
		startedAt: call.startedAt,
		answeredAt: call.answeredAt,
		endedAt: call.endedAt,
		dialStatus: callOutcome(call),
		hangupCause: call.cause
	};
}

function sameFact(a: CallFact, b: CallFact | null): boolean {
	if (b === null) return false;
	for (const k in a) {
		if (a[k as keyof CallFact] !== b[k as keyof CallFact]) return false;
	}
	return true;
}

/** Emit a fact for every touched call whose row content changed. */
export function flushCallFacts(ctx: Ctx): void {
	for (const key of ctx.touchedCalls) {
		const call = ctx.calls.get(key);
		if (call === undefined || !isRelevant(call)) continue;
		const fact = factOf(call);
		if (sameFact(fact, call.fact)) continue;
		ctx.calls.set(key, { ...call, fact });
		ctx.effects.push({ kind: 'call', call: fact });
	}
}

/** tick: forget ended calls after the retention, expire unmatched OriginateResponses. */
export function expireCalls(ctx: Ctx): void {
	const now = ctx.now;
	const { callRetentionMs, originateGraceMs } = ctx.config;
	const drop: string[] = [];
	for (const call of ctx.base.calls.values()) {
		if (call.endedAt !== null && now - call.endedAt > callRetentionMs) drop.push(call.key);
	}
	for (const key of drop) {
		const call = ctx.calls.get(key);
		if (call === undefined) continue;
		ctx.calls.delete(key);
		if (call.callId !== null && ctx.callIds.get(call.callId) === key) ctx.callIds.delete(call.callId);
	}
	const expired: Array<[string, PendingOriginate]> = [];
	for (const [key, p] of ctx.base.pendingOriginates.entries()) {
		if (now - p.at > originateGraceMs) expired.push([key, p]);
	}
	for (const [key, p] of expired) {
		ctx.pendingOriginates.delete(key);
		if (key.startsWith('f') && p.callId !== null && !ctx.callIds.has(p.callId)) {
			// failed before any channel existed: a row of its own, keyed by our callId
			ctx.effects.push({
				kind: 'call',
				call: {
					pbx: p.pbx,
					linkedid: 'originate:' + p.callId,
					uniqueid: null,
					direction: 'out',
					agentId: ctx.agentOf(p.pbx, p.endpoint) ?? null,
					number: looksLikeNumber(p.exten) ? p.exten : null,
					queue: null,
					callId: p.callId,
					leadId: null,
					projectId: null,
					recording: null,
					startedAt: p.at,
					answeredAt: null,
					endedAt: p.at,
					dialStatus: REASON_STATUS[p.reason] ?? 'FAILED',
					hangupCause: null
				}
			});
		}
	}
}
