/**
 * Monitors (listen/whisper/barge): ChanSpyStart/Stop say who spies on whom; the hub says who asked
 * (monitorRequested) and which mode it set (monitorMode), since no AMI event reports the mode.
 *
 * Correlation of a ChanSpyStart with a request: the spyer leg carries `SB_MONITOR=<monitorId>`
 * (Originate `Variable:`; seen by VarSet or ChanVariable), else the oldest pending request of that
 * PBX whose `spyerEndpoint` equals the spyer channel's endpoint. An uncorrelated spy (someone used
 * ChanSpy outside the cockpit) is still shown, with id `${pbx}:${spyerUniqueid}`, no supervisor and
 * mode `listen`.
 */
import type { MonitorMode, MonitorView } from '../../src/lib/protocol';
import type { ChannelInfo } from '../ami/normalize';
import { pk } from './context';
import type { Ctx } from './context';
import type { PendingMonitor } from './types';

export function requestMonitor(ctx: Ctx, req: Omit<PendingMonitor, 'at'>): void {
	ctx.pendingMonitors.set(req.monitorId, { ...req, at: ctx.now });
}

export function setMonitorMode(ctx: Ctx, monitorId: string, mode: MonitorMode): void {
	const m = ctx.monitors.get(monitorId);
	if (m !== undefined) {
		if (m.view.mode === mode) return;
		const view: MonitorView = { ...m.view, mode };
		ctx.monitors.set(monitorId, { ...m, view });
		ctx.patches.push({ kind: 'monitor', monitor: view });
		return;
	}
	const p = ctx.pendingMonitors.get(monitorId);
	if (p !== undefined) ctx.pendingMonitors.set(monitorId, { ...p, mode });
}

function findPending(
	ctx: Ctx,
	pbx: string,
	spyerMonitorId: string | null,
	endpoint: string
): PendingMonitor | undefined {
	if (spyerMonitorId !== null) {
		const p = ctx.pendingMonitors.get(spyerMonitorId);
		if (p !== undefined) return p;
	}
	let best: PendingMonitor | undefined;
	for (const p of ctx.pendingMonitors.values()) {
		if (p.pbx !== pbx || p.spyerEndpoint !== endpoint) continue;
		if (best === undefined || p.at < best.at || (p.at === best.at && p.monitorId < best.monitorId)) best = p;
	}
	return best;
}

/** `spyerMonitorId`: SB_MONITOR of the spyer leg if known. */
export function spyStart(
	ctx: Ctx,
	pbx: string,
	spyer: ChannelInfo,
	spyee: ChannelInfo | null,
	spyerMonitorId: string | null
): void {
	const spyerKey = pk(pbx, spyer.uniqueid);
	const pending = findPending(ctx, pbx, spyerMonitorId, spyer.endpoint);
	const agentId = (spyee !== null ? ctx.agentOf(pbx, spyee.endpoint) : undefined) ?? pending?.agentId;
	if (agentId === undefined) return;
	const existingId = ctx.spyers.get(spyerKey);
	const existing = existingId === undefined ? undefined : ctx.monitors.get(existingId);
	if (existing !== undefined) {
		// ChanSpy without E moves on to the next channel: same monitor, maybe another agent
		if (existing.view.agentId === agentId) return;
		const view: MonitorView = { ...existing.view, agentId };
		ctx.monitors.set(view.id, { ...existing, view });
		ctx.patches.push({ kind: 'monitor', monitor: view });
		return;
	}
	if (pending !== undefined) ctx.pendingMonitors.delete(pending.monitorId);
	const id = pending?.monitorId ?? spyerMonitorId ?? `${pbx}:${spyer.uniqueid}`;
	const view: MonitorView = {
		id,
		supervisorId: pending?.supervisorId ?? null,
		supervisorName: pending?.supervisorName ?? null,
		agentId,
		mode: pending?.mode ?? 'listen',
		spyerChannel: spyer.name,
		since: ctx.now
	};
	ctx.monitors.set(id, { pbx, spyerKey, view });
	ctx.spyers.set(spyerKey, id);
	ctx.patches.push({ kind: 'monitor', monitor: view });
}

/** ChanSpyStop, or the spyer leg hung up. */
export function spyStop(ctx: Ctx, pbx: string, spyerUniqueid: string): void {
	const spyerKey = pk(pbx, spyerUniqueid);
	const id = ctx.spyers.get(spyerKey);
	if (id === undefined) return;
	ctx.spyers.delete(spyerKey);
	if (ctx.monitors.get(id) === undefined) return;
	ctx.monitors.delete(id);
	ctx.patches.push({ kind: 'monitorEnded', monitorId: id });
}

/** tick: requests that never saw their ChanSpyStart */
export function expireMonitorRequests(ctx: Ctx): void {
	const ttl = ctx.config.monitorRequestTtlMs;
	const drop: string[] = [];
	for (const p of ctx.base.pendingMonitors.values()) if (ctx.now - p.at > ttl) drop.push(p.monitorId);
	for (const id of drop) ctx.pendingMonitors.delete(id);
}
