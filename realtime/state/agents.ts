/**
 * Agents: the directory, and each agent's state derived from the channels on its endpoint, its
 * queue memberships (pause) and device state.
 *
 * Per call (linkedid) the agent's channels form one leg:
 * - bridged with a channel of another endpoint → talking (first time: connect counted, call answered);
 * - a leg that talked and is no longer bridged is finished (talk seconds added) → wrap-up;
 * - an `out` leg (the agent's channel is the call's first channel, or it dialled out) → dialing;
 * - an `in` leg: ringing, or talking once a channel is up.
 * Without a call: offline (never seen / device unavailable) > wrapup > paused > idle.
 * Pause never hides a call; the agent returns to paused after it.
 */
import type { AgentCallView, AgentCounters, AgentState, AgentView } from '../../src/lib/protocol';
import { putCall, putLeg } from './calls';
import { remotePeer } from './channels';
import { pk } from './context';
import type { Ctx } from './context';
import { getEndpoint, isPaused, putEndpoint } from './endpoints';
import type { AgentRec, CallRec, ChannelRec, DirectoryAgent, EndpointRec, LegRec } from './types';

const ZERO: AgentCounters = { dials: 0, connects: 0, talkSeconds: 0 };

const NONE = 0;
const RINGING = 1;
const DIALING = 2;
const TALKING = 3;
const ACTIVITY: readonly AgentState[] = ['idle', 'ringing', 'dialing', 'talking'];

/** Replace the directory: new agents appear (offline until seen), missing ones are removed. */
export function applyDirectory(ctx: Ctx, agents: readonly DirectoryAgent[]): void {
	const next = new Map<string, DirectoryAgent>();
	for (const a of agents) next.set(a.id, a);
	const removed: string[] = [];
	for (const rec of ctx.agents.values()) if (!next.has(rec.info.id)) removed.push(rec.info.id);
	for (const id of removed) {
		const rec = ctx.agents.get(id);
		if (rec === undefined) continue;
		closeInterval(ctx, rec);
		ctx.agents.delete(id);
		ctx.patches.push({ kind: 'agentRemoved', agentId: id });
	}
	const byEndpoint = new Map<string, string>();
	for (const a of next.values()) {
		byEndpoint.set(pk(a.pbx, a.endpoint), a.id);
		const cur = ctx.agents.get(a.id);
		if (cur === undefined) {
			ctx.agents.set(a.id, {
				info: a,
				state: 'offline',
				since: ctx.now,
				pauseReason: null,
				wrapupSince: null,
				wrapupWaived: false,
				today: ZERO,
				handRaised: false,
				view: null
			});
		} else if (!sameInfo(cur.info, a)) {
			ctx.agents.set(a.id, { ...cur, info: a });
		}
		ctx.touchedAgents.add(a.id);
	}
	ctx.agentByEndpoint = byEndpoint;
	// calls already running on a new agent's endpoint now belong to it
	for (const a of next.values()) {
		const ep = getEndpoint(ctx, a.pbx, a.endpoint);
		if (ep === undefined) continue;
		for (const uid of ep.channels) {
			const ch = ctx.channels.get(pk(a.pbx, uid));
			const call = ch === undefined ? undefined : ctx.calls.get(pk(a.pbx, ch.linkedid));
			if (call !== undefined && call.agentId === null) {
				putCall(ctx, { ...call, agentId: a.id, agentEndpoint: a.endpoint }, false);
			}
		}
	}
}

function sameInfo(a: DirectoryAgent, b: DirectoryAgent): boolean {
	return (
		a.name === b.name &&
		a.endpoint === b.endpoint &&
		a.pbx === b.pbx &&
		a.teamIds.length === b.teamIds.length &&
		a.teamIds.every((t, i) => b.teamIds[i] === t)
	);
}

export function addCounter(ctx: Ctx, agentId: string, field: keyof AgentCounters, n: number): void {
	const rec = ctx.agents.get(agentId);
	if (rec === undefined || n <= 0) return;
	ctx.agents.set(agentId, { ...rec, today: { ...rec.today, [field]: rec.today[field] + n } });
	ctx.touchedAgents.add(agentId);
}

export function setHand(ctx: Ctx, agentId: string, raised: boolean): void {
	const rec = ctx.agents.get(agentId);
	if (rec === undefined || rec.handRaised === raised) return;
	ctx.agents.set(agentId, { ...rec, handRaised: raised });
	ctx.touchedAgents.add(agentId);
}

/** A wrap-up ends (outcome recorded, pause, timeout). */
export function endWrapup(ctx: Ctx, agentId: string): void {
	const rec = ctx.agents.get(agentId);
	if (rec === undefined || rec.wrapupSince === null) return;
	ctx.agents.set(agentId, { ...rec, wrapupSince: null });
	ctx.touchedAgents.add(agentId);
}

/**
 * The agent recorded the outcome of their call: the wrap-up it was for is over. Recorded while the
 * call still runs, the wrap-up that would follow it is waived (the work it stands for is done).
 */
export function outcomeRecorded(ctx: Ctx, agentId: string): void {
	const rec = ctx.agents.get(agentId);
	if (rec === undefined) return;
	if (rec.wrapupSince !== null) return endWrapup(ctx, agentId);
	if ((rec.state === 'talking' || rec.state === 'dialing') && !rec.wrapupWaived) {
		ctx.agents.set(agentId, { ...rec, wrapupWaived: true });
		ctx.touchedAgents.add(agentId);
	}
}

/** tick: wrap-ups that ran out */
export function expireWrapups(ctx: Ctx): void {
	const ms = ctx.config.wrapupSeconds * 1000;
	const due: string[] = [];
	for (const rec of ctx.base.agents.values()) {
		if (rec.wrapupSince !== null && ctx.now - rec.wrapupSince >= ms) due.push(rec.info.id);
	}
	for (const id of due) endWrapup(ctx, id);
}

/** New day: every counter back to zero. */
export function resetCounters(ctx: Ctx): void {
	const ids: string[] = [];
	for (const rec of ctx.agents.values()) if (rec.today !== ZERO) ids.push(rec.info.id);
	for (const id of ids) {
		const rec = ctx.agents.get(id);
		if (rec === undefined) continue;
		ctx.agents.set(id, { ...rec, today: ZERO });
		ctx.touchedAgents.add(id);
	}
}

function closeInterval(ctx: Ctx, rec: AgentRec): void {
	if (ctx.now <= rec.since) return;
	ctx.effects.push({
		kind: 'agentState',
		agentId: rec.info.id,
		state: rec.state,
		reason: rec.pauseReason,
		from: rec.since,
		to: ctx.now
	});
}

interface Leg {
	call: CallRec;
	leg: LegRec;
	peer: ChannelRec | undefined;
	activity: number;
	/** its talk ended just now */
	finished: boolean;
}

/** Close the talk of a leg: talk seconds counted once, at its end. True when it closed now. */
function finishTalk(ctx: Ctx, agentId: string, call: CallRec, endpoint: string): boolean {
	const leg = call.legs[endpoint];
	if (leg === undefined || leg.talkedAt === null || leg.doneAt !== null) return false;
	putLeg(ctx, call, endpoint, { ...leg, doneAt: ctx.now });
	addCounter(ctx, agentId, 'talkSeconds', Math.round((ctx.now - leg.talkedAt) / 1000));
	return true;
}

/** Evaluate one of the agent's calls from its channels on the agent's endpoint. */
function evalLeg(ctx: Ctx, agentId: string, ep: EndpointRec, linkedid: string): Leg | null {
	const pbx = ep.pbx;
	let call = ctx.calls.get(pk(pbx, linkedid));
	if (call === undefined) return null;
	let leg = call.legs[ep.endpoint];
	if (leg === undefined) return null;
	let peer: ChannelRec | undefined;
	let up = false;
	for (const uid of ep.channels) {
		const ch = ctx.channels.get(pk(pbx, uid));
		if (ch === undefined || ch.linkedid !== linkedid) continue;
		if (ch.state === 'up') up = true;
		if (peer === undefined || peer.callerNum === null) peer = remotePeer(ctx, ch, ep.endpoint) ?? peer;
	}
	if (peer !== undefined) {
		if (leg.talkedAt === null) {
			leg = { ...leg, talkedAt: ctx.now };
			call = putCall(
				ctx,
				{
					...call,
					legs: { ...call.legs, [ep.endpoint]: leg },
					answeredAt: call.answeredAt ?? ctx.now,
					agentId,
					agentEndpoint: ep.endpoint,
					number: call.number ?? peer.callerNum
				},
				false
			);
			addCounter(ctx, agentId, 'connects', 1);
		}
		return { call, leg, peer, activity: TALKING, finished: false };
	}
	if (leg.talkedAt !== null) {
		return { call, leg, peer, activity: NONE, finished: finishTalk(ctx, agentId, call, ep.endpoint) };
	}
	if (leg.direction === 'out') return { call, leg, peer, activity: DIALING, finished: false };
	return { call, leg, peer, activity: up ? TALKING : RINGING, finished: false };
}

function callView(l: Leg): AgentCallView {
	const c = l.call;
	return {
		linkedid: c.linkedid,
		direction: l.leg.direction,
		number: l.peer?.callerNum ?? c.number ?? '',
		projectId: c.projectId,
		company: c.company,
		leadId: c.leadId,
		callId: c.callId,
		queue: c.queue,
		startedAt: c.startedAt,
		answeredAt: l.leg.talkedAt
	};
}

/** Re-derive one agent's state and view; patch when the view changed. */
export function deriveAgent(ctx: Ctx, agentId: string): void {
	const rec0 = ctx.agents.get(agentId);
	if (rec0 === undefined) return;
	const { pbx, endpoint } = rec0.info;
	let ep = getEndpoint(ctx, pbx, endpoint);
	let best: Leg | null = null;
	let finished = false;
	if (ep !== undefined) {
		const linkedids: string[] = [];
		for (const uid of ep.channels) {
			const ch = ctx.channels.get(pk(pbx, uid));
			if (ch !== undefined && !linkedids.includes(ch.linkedid)) linkedids.push(ch.linkedid);
		}
		const open: string[] = [];
		for (const linkedid of linkedids) {
			const l = evalLeg(ctx, agentId, ep, linkedid);
			if (l === null) continue;
			if (l.activity === TALKING && l.leg.talkedAt !== null) open.push(linkedid);
			if (l.finished) finished = true;
			if (l.activity > (best?.activity ?? NONE)) best = l;
		}
		// talks whose channels are all gone
		for (const linkedid of ep.openTalks) {
			if (open.includes(linkedid) || linkedids.includes(linkedid)) continue;
			const call = ctx.calls.get(pk(pbx, linkedid));
			if (call === undefined || finishTalk(ctx, agentId, call, endpoint)) finished = true;
		}
		if (open.length !== ep.openTalks.length || open.some((l, i) => ep?.openTalks[i] !== l)) {
			ep = { ...ep, openTalks: open };
			putEndpoint(ctx, ep);
		}
	}
	const rec = ctx.agents.get(agentId) ?? rec0;
	let wrapupSince = rec.wrapupSince;
	let wrapupWaived = rec.wrapupWaived;
	let state: AgentState;
	let reason: string | null = null;
	if (best !== null && best.activity !== NONE) {
		state = ACTIVITY[best.activity] ?? 'idle';
		if (best.activity !== RINGING) wrapupSince = null;
	} else {
		best = null;
		if ((finished || rec.state === 'talking') && ctx.config.wrapupSeconds > 0 && !wrapupWaived) wrapupSince = ctx.now;
		// a waiver covers the call it was recorded on, never a later one
		wrapupWaived = false;
		if (ep === undefined || !ep.seen || ep.device === 'unavailable') state = 'offline';
		else if (wrapupSince !== null) state = 'wrapup';
		else if (isPaused(ep)) {
			state = 'paused';
			reason = ep.pauseReason;
		} else state = 'idle';
	}
	let since = rec.since;
	if (state !== rec.state || reason !== rec.pauseReason) {
		closeInterval(ctx, rec);
		since = ctx.now;
	}
	const view: AgentView = {
		id: agentId,
		name: rec.info.name,
		endpoint,
		pbx,
		teamIds: rec.info.teamIds,
		state,
		since,
		pauseReason: reason,
		call: best === null ? null : callView(best),
		today: rec.today,
		handRaised: rec.handRaised,
		queues: memberQueues(ep?.members, rec.view?.queues)
	};
	const changed = !sameView(view, rec.view);
	if (
		changed ||
		state !== rec.state ||
		since !== rec.since ||
		reason !== rec.pauseReason ||
		wrapupSince !== rec.wrapupSince ||
		wrapupWaived !== rec.wrapupWaived
	) {
		ctx.agents.set(agentId, {
			...rec,
			state,
			since,
			pauseReason: reason,
			wrapupSince,
			wrapupWaived,
			view: changed ? view : rec.view
		});
	}
	if (changed) ctx.patches.push({ kind: 'agent', agent: view });
}

/** The endpoint's queues, sorted; the previous array when unchanged so views compare by reference. */
function memberQueues(members: Readonly<Record<string, unknown>> | undefined, prev: readonly string[] | undefined): string[] {
	const next = members === undefined ? [] : Object.keys(members).sort();
	if (prev !== undefined && prev.length === next.length && prev.every((q, i) => q === next[i])) return prev as string[];
	return next;
}

function sameCall(a: AgentCallView | null, b: AgentCallView | null): boolean {
	if (a === null || b === null) return a === b;
	return (
		a.linkedid === b.linkedid &&
		a.direction === b.direction &&
		a.number === b.number &&
		a.projectId === b.projectId &&
		a.company === b.company &&
		a.leadId === b.leadId &&
		a.callId === b.callId &&
		a.queue === b.queue &&
		a.startedAt === b.startedAt &&
		a.answeredAt === b.answeredAt
	);
}

function sameView(a: AgentView, b: AgentView | null): boolean {
	return (
		b !== null &&
		a.state === b.state &&
		a.since === b.since &&
		a.pauseReason === b.pauseReason &&
		a.handRaised === b.handRaised &&
		a.name === b.name &&
		a.endpoint === b.endpoint &&
		a.pbx === b.pbx &&
		a.teamIds === b.teamIds &&
		a.today.dials === b.today.dials &&
		a.today.connects === b.today.connects &&
		a.today.talkSeconds === b.today.talkSeconds &&
		a.queues === b.queues &&
		sameCall(a.call, b.call)
	);
}

/** Derive every touched agent (directly, or through its endpoint). */
export function flushAgents(ctx: Ctx): void {
	for (const key of ctx.touchedEndpoints) {
		const id = ctx.agentByEndpoint.get(key);
		if (id !== undefined) ctx.touchedAgents.add(id);
	}
	for (const id of ctx.touchedAgents) deriveAgent(ctx, id);
}
