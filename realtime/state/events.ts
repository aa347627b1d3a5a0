/**
 * One typed PBX event → changes to channels, calls, queues, endpoints and monitors.
 * Agents are re-derived afterwards (reduce.ts) from what was touched here.
 */
import type { ChannelInfo, PbxEvent } from '../ami/normalize';
import { addCounter, endWrapup } from './agents';
import { applyChannelVar, enterBridge, hangup, leaveBridge, upsertChannel } from './channels';
import { getCall, handleOriginate, looksLikeNumber, putCall, putLeg } from './calls';
import { pk } from './context';
import type { Ctx } from './context';
import { availabilityOfDeviceState, ensureEndpoint, putEndpoint } from './endpoints';
import { spyStart, spyStop } from './monitors';
import { addCaller, applyMember, countAbandoned, countAnswered, ensureQueue, removeCaller } from './queues';
import type { CallRec } from './types';

type Ev<K extends PbxEvent['kind']> = Extract<PbxEvent, { kind: K }>;

export function applyPbxEvent(ctx: Ctx, pbx: string, ev: PbxEvent, callIdHint: string | null): void {
	switch (ev.kind) {
		case 'Newchannel':
		case 'Newstate':
			upsertChannel(ctx, pbx, ev.channel);
			return;
		case 'Hangup':
			hangup(ctx, pbx, ev.channel, ev.cause);
			return;
		case 'DialBegin':
			dialBegin(ctx, pbx, ev);
			return;
		case 'DialEnd':
			dialEnd(ctx, pbx, ev);
			return;
		case 'BridgeEnter': {
			const ch = upsertChannel(ctx, pbx, ev.channel);
			if (ch !== null) enterBridge(ctx, ch, ev.bridgeId);
			return;
		}
		case 'BridgeLeave': {
			const ch = ctx.channels.get(pk(pbx, ev.channel.uniqueid));
			if (ch !== undefined && ch.bridgeId === ev.bridgeId) leaveBridge(ctx, ch);
			if (ch !== undefined) upsertChannel(ctx, pbx, ev.channel);
			return;
		}
		case 'VarSet': {
			const ch = upsertChannel(ctx, pbx, ev.channel);
			if (ch !== null) applyChannelVar(ctx, ch, ev.name, ev.value);
			return;
		}
		case 'QueueMemberStatus':
		case 'QueueMemberPause':
		case 'QueueMemberAdded':
		case 'QueueMemberRemoved':
		case 'QueueMember':
			applyMember(ctx, pbx, ev.member, ev.kind);
			if (ev.kind === 'QueueMemberPause' && ev.member.paused) {
				// pausing during wrap-up ends the wrap-up (a pause active before the call resumes after it)
				const agentId = ctx.agentOf(pbx, ev.member.endpoint);
				if (agentId !== undefined) endWrapup(ctx, agentId);
			}
			return;
		case 'QueueCallerJoin':
			callerJoin(ctx, pbx, ev.queue, ev.channel, ctx.now);
			return;
		case 'QueueCallerLeave':
		case 'QueueCallerAbandon':
			if (ev.kind === 'QueueCallerAbandon') countAbandoned(ctx, pbx, ev.queue);
			callerLeave(ctx, pbx, ev.queue, ev.channel, ev.kind === 'QueueCallerAbandon');
			return;
		case 'AgentCalled':
		case 'AgentConnect':
		case 'AgentComplete':
		case 'AgentRingNoAnswer':
			if (ev.kind === 'AgentConnect') countAnswered(ctx, pbx, ev.queue, ev.holdTimeSeconds);
			queueAgent(ctx, pbx, ev);
			return;
		case 'ChanSpyStart': {
			const spyer = upsertChannel(ctx, pbx, ev.spyer);
			if (ev.spyee !== null) upsertChannel(ctx, pbx, ev.spyee);
			const monitorId = spyer?.monitorId ?? ev.spyer.vars?.['SB_MONITOR'] ?? null;
			spyStart(ctx, pbx, ev.spyer, ev.spyee, monitorId === '' ? null : monitorId);
			return;
		}
		case 'ChanSpyStop':
			spyStop(ctx, pbx, ev.spyer.uniqueid);
			return;
		case 'OriginateResponse':
			handleOriginate(ctx, pbx, ev, callIdHint);
			return;
		case 'DeviceStateChange':
			deviceState(ctx, pbx, ev.device, ev.state);
			return;
		case 'ChannelListItem': {
			const ch = upsertChannel(ctx, pbx, ev.channel, ctx.now - ev.durationSeconds * 1000);
			if (ch === null) return;
			if (ev.bridgeId !== null) enterBridge(ctx, ch, ev.bridgeId);
			else if (ch.bridgeId !== null) leaveBridge(ctx, ch);
			return;
		}
		case 'QueueParams':
			ensureQueue(ctx, pbx, ev.queue);
			return;
		case 'QueueEntry': {
			addCaller(ctx, pbx, ev.queue, ev.uniqueid, ctx.now - ev.waitSeconds * 1000);
			const ch = ctx.channels.get(pk(pbx, ev.uniqueid));
			if (ch !== undefined && ch.queue !== ev.queue)
				ctx.channels.set(pk(pbx, ev.uniqueid), { ...ch, queue: ev.queue });
			return;
		}
		case 'Cdr':
			return;
	}
}

/** The number an agent dialled: Dest caller id (the dialled number), else Dest exten, else the dial string. */
function dialedNumber(ev: Ev<'DialBegin'>): string | null {
	if (looksLikeNumber(ev.dest.callerNum)) return ev.dest.callerNum;
	if (looksLikeNumber(ev.dest.exten)) return ev.dest.exten;
	const m = /\+?\d{3,}/.exec(ev.dialString);
	return m === null ? null : m[0];
}

function dialBegin(ctx: Ctx, pbx: string, ev: Ev<'DialBegin'>): void {
	const dest = upsertChannel(ctx, pbx, ev.dest);
	if (ev.caller === null) {
		// an Originate towards a party that is not an agent: its number is the one dialled
		if (dest === null || dest.uniqueid !== dest.linkedid || ctx.agentOf(pbx, dest.endpoint) !== undefined)
			return;
		const call = getCall(ctx, pbx, dest.linkedid);
		const number = dialedNumber(ev);
		if (call !== undefined && call.number === null && number !== null)
			putCall(ctx, { ...call, number }, true);
		return;
	}
	const caller = upsertChannel(ctx, pbx, ev.caller);
	if (caller === null || ev.caller.endpoint === ev.dest.endpoint) return;
	const agentId = ctx.agentOf(pbx, caller.endpoint);
	if (agentId === undefined || ctx.agentOf(pbx, ev.dest.endpoint) !== undefined) return;
	// an agent dials out: one attempt per call
	let call = getCall(ctx, pbx, caller.linkedid);
	if (call === undefined) return;
	const leg = call.legs[caller.endpoint];
	if (leg !== undefined && !leg.dialed) {
		call = putLeg(ctx, call, caller.endpoint, { ...leg, dialed: true, direction: 'out' });
		addCounter(ctx, agentId, 'dials', 1);
	}
	const number = dialedNumber(ev);
	if (number !== null && call.number !== number && call.queue === null)
		putCall(ctx, { ...call, number }, true);
	else ctx.touchEndpoint(pbx, caller.endpoint);
}

/** DialEnd is idempotent (duplicates change nothing); it is kept for the remote party's outcome only. */
function dialEnd(ctx: Ctx, pbx: string, ev: Ev<'DialEnd'>): void {
	upsertChannel(ctx, pbx, ev.dest);
	let call: CallRec | undefined;
	if (ev.caller !== null) {
		upsertChannel(ctx, pbx, ev.caller);
		const remote =
			ev.caller.endpoint !== ev.dest.endpoint &&
			ctx.agentOf(pbx, ev.caller.endpoint) !== undefined &&
			ctx.agentOf(pbx, ev.dest.endpoint) === undefined;
		if (remote) call = getCall(ctx, pbx, ev.caller.linkedid);
	} else if (ctx.agentOf(pbx, ev.dest.endpoint) === undefined) {
		call = getCall(ctx, pbx, ev.dest.linkedid);
	}
	if (call === undefined || ev.dialStatus === '' || call.dialStatus === ev.dialStatus) return;
	if (call.dialStatus === 'ANSWER') return;
	putCall(ctx, { ...call, dialStatus: ev.dialStatus }, false);
}

function callerJoin(ctx: Ctx, pbx: string, queue: string, info: ChannelInfo, joinedAt: number): void {
	const ch = upsertChannel(ctx, pbx, info);
	addCaller(ctx, pbx, queue, info.uniqueid, joinedAt);
	if (ch === null) return;
	if (ch.queue !== queue) ctx.channels.set(pk(pbx, ch.uniqueid), { ...ch, queue });
	const call = getCall(ctx, pbx, ch.linkedid);
	if (call !== undefined && call.queue === null) {
		putCall(
			ctx,
			{ ...call, queue, direction: call.direction ?? 'in', number: call.number ?? ch.callerNum },
			true
		);
	}
}

function callerLeave(ctx: Ctx, pbx: string, queue: string, info: ChannelInfo, abandoned: boolean): void {
	removeCaller(ctx, pbx, queue, info.uniqueid);
	const ch = ctx.channels.get(pk(pbx, info.uniqueid));
	if (ch !== undefined && ch.queue !== null) ctx.channels.set(pk(pbx, ch.uniqueid), { ...ch, queue: null });
	if (!abandoned) return;
	const call = info.linkedid === '' ? undefined : getCall(ctx, pbx, info.linkedid);
	if (call !== undefined && !call.abandoned) putCall(ctx, { ...call, abandoned: true }, false);
}

type QueueAgentEvent = Ev<'AgentCalled'> | Ev<'AgentConnect'> | Ev<'AgentComplete'> | Ev<'AgentRingNoAnswer'>;

function queueAgent(ctx: Ctx, pbx: string, ev: QueueAgentEvent): void {
	const live = ev.kind === 'AgentCalled' || ev.kind === 'AgentConnect';
	// late events (AgentComplete/RingNoAnswer) only update channels we still track
	const caller =
		ev.caller === null
			? null
			: live
				? upsertChannel(ctx, pbx, ev.caller)
				: ctx.channels.get(pk(pbx, ev.caller.uniqueid));
	const dest =
		ev.dest === null
			? null
			: live
				? upsertChannel(ctx, pbx, ev.dest)
				: ctx.channels.get(pk(pbx, ev.dest.uniqueid));
	const linkedid = ev.dest?.linkedid || ev.caller?.linkedid || '';
	let call = linkedid === '' ? undefined : getCall(ctx, pbx, linkedid);
	if (call === undefined) return;
	const agentId = ctx.agentOf(pbx, ev.endpoint);
	let next: CallRec = call;
	if (next.queue === null) next = { ...next, queue: ev.queue, direction: next.direction ?? 'in' };
	if (next.number === null && (caller?.callerNum ?? null) !== null)
		next = { ...next, number: caller?.callerNum ?? null };
	if (agentId !== undefined) {
		if (ev.kind === 'AgentConnect') {
			next = { ...next, agentId, agentEndpoint: ev.endpoint, answeredAt: next.answeredAt ?? ctx.now };
		} else if (next.agentId === null) {
			next = { ...next, agentId, agentEndpoint: ev.endpoint };
		}
	}
	if (next !== call) call = putCall(ctx, next, true);
	if (dest !== null && dest !== undefined) ctx.touchEndpoint(pbx, dest.endpoint);
}

function deviceState(ctx: Ctx, pbx: string, device: string, state: string): void {
	let epKey = pk(pbx, device);
	if (!ctx.agentByEndpoint.has(epKey)) {
		const viaState = ctx.stateIfaces.get(epKey);
		if (viaState === undefined) return;
		epKey = viaState;
	}
	const sep = epKey.indexOf('\u0000');
	const endpoint = epKey.slice(sep + 1);
	const ep = ensureEndpoint(ctx, pbx, endpoint);
	const device2 = availabilityOfDeviceState(state, ep.device);
	const seen = ep.seen || device2 !== 'unknown';
	if (device2 === ep.device && seen === ep.seen) return;
	putEndpoint(ctx, { ...ep, device: device2, seen });
	ctx.touchEndpoint(pbx, endpoint);
}
