/**
 * Channels and bridges of every PBX: the raw facts agent states are derived from.
 */
import type { ChannelInfo } from '../ami/normalize';
import { applyCallVar, ensureCall, getCall, mergeCause, putCall } from './calls';
import { pk } from './context';
import type { Ctx } from './context';
import { ensureEndpoint, getEndpoint, putEndpoint } from './endpoints';
import { spyStop } from './monitors';
import { removeCaller } from './queues';
import type { CallRec, ChannelRec, LegRec } from './types';

/**
 * Add a channel first seen (any channel event adopts it) or update its state and caller id.
 * Returns null when it cannot be (or must not be) tracked: no linkedid, or already hung up.
 */
export function upsertChannel(
	ctx: Ctx,
	pbx: string,
	info: ChannelInfo,
	createdAt?: number
): ChannelRec | null {
	const key = pk(pbx, info.uniqueid);
	const cur = ctx.channels.get(key);
	if (cur !== undefined) {
		const callerNum = info.callerNum ?? cur.callerNum;
		const connectedNum = info.connectedNum ?? cur.connectedNum;
		let rec = cur;
		if (cur.state !== info.state || cur.callerNum !== callerNum || cur.connectedNum !== connectedNum) {
			rec = { ...cur, state: info.state, callerNum, connectedNum };
			ctx.channels.set(key, rec);
			ctx.touchEndpoint(pbx, cur.endpoint);
			if (cur.callerNum !== callerNum) {
				touchBridge(ctx, pbx, cur.bridgeId);
				noteRootNumber(ctx, rec);
			}
		}
		if (info.vars !== null) applyVars(ctx, rec, info.vars);
		return rec;
	}
	if (info.linkedid === '') return null;
	const known = getCall(ctx, pbx, info.linkedid);
	if (known !== undefined && known.gone.includes(info.uniqueid)) return null;
	let call = ensureCall(ctx, pbx, info.linkedid);
	const rec: ChannelRec = {
		pbx,
		uniqueid: info.uniqueid,
		linkedid: info.linkedid,
		name: info.name,
		endpoint: info.endpoint,
		state: info.state,
		callerNum: info.callerNum,
		connectedNum: info.connectedNum,
		bridgeId: null,
		createdAt: createdAt ?? ctx.now,
		queue: null,
		monitorId: null
	};
	ctx.channels.set(key, rec);
	const ep = ensureEndpoint(ctx, pbx, info.endpoint);
	putEndpoint(ctx, { ...ep, channels: [...ep.channels, info.uniqueid], seen: true });
	ctx.touchEndpoint(pbx, info.endpoint);

	// the endpoint whose channel is the call's first one started it: its leg is outbound
	const root = info.uniqueid === info.linkedid;
	const leg = call.legs[info.endpoint];
	let legs = call.legs;
	if (leg === undefined) {
		const fresh: LegRec = { direction: root ? 'out' : 'in', dialed: false, talkedAt: null, doneAt: null };
		legs = { ...legs, [info.endpoint]: fresh };
	} else if (root && leg.direction === 'in') {
		legs = { ...legs, [info.endpoint]: { ...leg, direction: 'out' } };
	}
	let next: CallRec = { ...call, live: call.live + 1, legs };
	if (root) next = { ...next, rootUniqueid: info.uniqueid, rootEndpoint: info.endpoint };
	const agentId = ctx.agentOf(pbx, info.endpoint);
	if (agentId !== undefined && next.agentId === null)
		next = { ...next, agentId, agentEndpoint: info.endpoint };
	call = putCall(ctx, next, false);
	noteRootNumber(ctx, rec);
	if (info.vars !== null) applyVars(ctx, rec, info.vars);
	return ctx.channels.get(key) ?? rec;
}

/** An inbound call's number is its first channel's caller id (when that channel is not an agent's). */
function noteRootNumber(ctx: Ctx, ch: ChannelRec): void {
	if (ch.uniqueid !== ch.linkedid || ch.callerNum === null) return;
	if (ctx.agentOf(ch.pbx, ch.endpoint) !== undefined) return;
	const call = getCall(ctx, ch.pbx, ch.linkedid);
	if (call === undefined || call.number !== null || call.callId !== null) return;
	putCall(ctx, { ...call, number: ch.callerNum }, true);
}

/** ChanVariable values (channelvars) can carry our SB_* variables on any channel event. */
function applyVars(ctx: Ctx, ch: ChannelRec, vars: Readonly<Record<string, string>>): void {
	for (const name in vars) {
		if (name.startsWith('SB_')) applyChannelVar(ctx, ch, name, vars[name] ?? '');
	}
}

export function applyChannelVar(ctx: Ctx, ch: ChannelRec, name: string, value: string): void {
	if (name === 'SB_MONITOR') {
		const monitorId = value === '' ? null : value;
		if (ch.monitorId !== monitorId) ctx.channels.set(pk(ch.pbx, ch.uniqueid), { ...ch, monitorId });
		return;
	}
	const call = getCall(ctx, ch.pbx, ch.linkedid);
	if (call !== undefined) applyCallVar(ctx, call, name, value);
}

/** Hangup (cause) or gone from a resync list (cause null). */
export function removeChannel(ctx: Ctx, ch: ChannelRec, cause: number | null): void {
	const key = pk(ch.pbx, ch.uniqueid);
	if (ch.bridgeId !== null) leaveBridge(ctx, ch);
	if (ch.queue !== null) removeCaller(ctx, ch.pbx, ch.queue, ch.uniqueid);
	spyStop(ctx, ch.pbx, ch.uniqueid);
	ctx.channels.delete(key);
	const ep = getEndpoint(ctx, ch.pbx, ch.endpoint);
	if (ep !== undefined) putEndpoint(ctx, { ...ep, channels: ep.channels.filter((u) => u !== ch.uniqueid) });
	ctx.touchEndpoint(ch.pbx, ch.endpoint);
	const call = getCall(ctx, ch.pbx, ch.linkedid);
	if (call === undefined) return;
	const live = Math.max(0, call.live - 1);
	putCall(
		ctx,
		{
			...call,
			live,
			gone: [...call.gone, ch.uniqueid],
			cause: cause === null ? call.cause : mergeCause(call.cause, cause),
			endedAt: live === 0 && call.endedAt === null ? ctx.now : call.endedAt
		},
		false
	);
}

/** Hangup of a channel we may not know: still record the cause on its call. */
export function hangup(ctx: Ctx, pbx: string, info: ChannelInfo, cause: number): void {
	const ch = ctx.channels.get(pk(pbx, info.uniqueid));
	if (ch !== undefined) {
		removeChannel(ctx, ch, cause);
		return;
	}
	const call = info.linkedid === '' ? undefined : getCall(ctx, pbx, info.linkedid);
	if (call === undefined || call.gone.includes(info.uniqueid)) return;
	putCall(ctx, { ...call, cause: mergeCause(call.cause, cause), gone: [...call.gone, info.uniqueid] }, false);
}

function touchBridge(ctx: Ctx, pbx: string, bridgeId: string | null): void {
	if (bridgeId === null) return;
	for (const uid of ctx.bridges.get(pk(pbx, bridgeId)) ?? []) {
		const c = ctx.channels.get(pk(pbx, uid));
		if (c !== undefined) ctx.touchEndpoint(pbx, c.endpoint);
	}
}

export function enterBridge(ctx: Ctx, ch: ChannelRec, bridgeId: string): void {
	if (ch.bridgeId === bridgeId) return;
	if (ch.bridgeId !== null) leaveBridge(ctx, ch);
	const bkey = pk(ch.pbx, bridgeId);
	const members = ctx.bridges.get(bkey) ?? [];
	if (!members.includes(ch.uniqueid)) ctx.bridges.set(bkey, [...members, ch.uniqueid]);
	const cur = ctx.channels.get(pk(ch.pbx, ch.uniqueid)) ?? ch;
	ctx.channels.set(pk(ch.pbx, ch.uniqueid), { ...cur, bridgeId });
	touchBridge(ctx, ch.pbx, bridgeId);
}

export function leaveBridge(ctx: Ctx, ch: ChannelRec): void {
	const bridgeId = ch.bridgeId;
	if (bridgeId === null) return;
	const bkey = pk(ch.pbx, bridgeId);
	touchBridge(ctx, ch.pbx, bridgeId);
	const members = (ctx.bridges.get(bkey) ?? []).filter((u) => u !== ch.uniqueid);
	if (members.length === 0) ctx.bridges.delete(bkey);
	else ctx.bridges.set(bkey, members);
	const cur = ctx.channels.get(pk(ch.pbx, ch.uniqueid));
	if (cur !== undefined) ctx.channels.set(pk(ch.pbx, ch.uniqueid), { ...cur, bridgeId: null });
	ctx.touchEndpoint(ch.pbx, ch.endpoint);
}

/** The first bridge member of another endpoint than `endpoint` (the remote party), if any. */
export function remotePeer(ctx: Ctx, ch: ChannelRec, endpoint: string): ChannelRec | undefined {
	if (ch.bridgeId === null) return undefined;
	let found: ChannelRec | undefined;
	for (const uid of ctx.bridges.get(pk(ch.pbx, ch.bridgeId)) ?? []) {
		const c = ctx.channels.get(pk(ch.pbx, uid));
		if (c === undefined || c.endpoint === endpoint) continue;
		if (c.callerNum !== null) return c;
		found ??= c;
	}
	return found;
}
