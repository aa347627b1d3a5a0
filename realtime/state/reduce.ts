/**
 * The floor reducer: reduce(state, input, now) → { state, patches, effects }. Pure: no I/O, no clock
 * (time is `now`, made monotonic), no randomness; replaying the same inputs gives the same outputs.
 */
import type { PbxLinkView } from '../../src/lib/protocol';
import { applyDirectory, expireWrapups, flushAgents, outcomeRecorded, resetCounters, setHand } from './agents';
import { removeChannel } from './channels';
import { expireCalls, flushCallFacts } from './calls';
import { Ctx, pk } from './context';
import { applyPbxEvent } from './events';
import { expireMonitorRequests, requestMonitor, setMonitorMode } from './monitors';
import { PMap } from './pmap';
import { flushQueues, resetQueueCounters, resyncQueues, setServiceLevels } from './queues';
import type { ChannelRec, FloorConfig, FloorInput, FloorState, ReduceResult } from './types';

/** Local calendar day of a server time, `YYYY-MM-DD`. */
export function localDayKey(now: number): string {
	const d = new Date(now);
	const m = d.getMonth() + 1;
	const day = d.getDate();
	return `${d.getFullYear()}-${m < 10 ? '0' : ''}${m}-${day < 10 ? '0' : ''}${day}`;
}

export const DEFAULT_CONFIG: FloorConfig = {
	wrapupSeconds: 30,
	dayKey: localDayKey,
	callRetentionMs: 5 * 60_000,
	originateGraceMs: 10_000,
	monitorRequestTtlMs: 60_000,
	serviceLevelSeconds: 20
};

/** An empty floor (no agents until a `directory` input). */
export function initialFloorState(config: Partial<FloorConfig> = {}, now = 0): FloorState {
	const full: FloorConfig = { ...DEFAULT_CONFIG, ...config };
	return {
		config: full,
		now,
		day: full.dayKey(now),
		dayCheckedAt: now,
		agents: PMap.empty(),
		agentByEndpoint: new Map(),
		endpoints: PMap.empty(),
		stateIfaces: PMap.empty(),
		channels: PMap.empty(),
		bridges: PMap.empty(),
		calls: PMap.empty(),
		callIds: PMap.empty(),
		queues: PMap.empty(),
		serviceLevels: {},
		monitors: PMap.empty(),
		spyers: PMap.empty(),
		pendingMonitors: PMap.empty(),
		pendingOriginates: PMap.empty(),
		links: PMap.empty()
	};
}

/** The day is checked at most once a second (and on every tick). */
const DAY_CHECK_MS = 1000;

export function reduce(state: FloorState, input: FloorInput, now: number): ReduceResult {
	const ctx = new Ctx(state, Math.max(now, state.now));
	if (input.type === 'tick' || ctx.now - ctx.dayCheckedAt >= DAY_CHECK_MS) {
		ctx.dayCheckedAt = ctx.now;
		const day = ctx.config.dayKey(ctx.now);
		if (day !== ctx.day) {
			ctx.day = day;
			resetCounters(ctx);
			resetQueueCounters(ctx);
		}
	}
	switch (input.type) {
		case 'ami':
			noteEvent(ctx, input.pbx);
			applyPbxEvent(ctx, input.pbx, input.event, input.callId ?? null);
			break;
		case 'directory':
			applyDirectory(ctx, input.agents);
			break;
		case 'link':
			setLink(ctx, input.pbx, input.connected);
			break;
		case 'queueSettings':
			setServiceLevels(ctx, input.serviceLevels);
			break;
		case 'resync':
			resync(ctx, input.pbx, input);
			break;
		case 'monitorMode':
			setMonitorMode(ctx, input.monitorId, input.mode);
			break;
		case 'monitorRequested':
			requestMonitor(ctx, {
				pbx: input.pbx,
				monitorId: input.monitorId,
				agentId: input.agentId,
				supervisorId: input.supervisorId,
				supervisorName: input.supervisorName,
				mode: input.mode,
				spyerEndpoint: input.spyerEndpoint ?? null
			});
			break;
		case 'hand':
			setHand(ctx, input.agentId, input.raised);
			break;
		case 'wrapupDone':
			outcomeRecorded(ctx, input.agentId);
			break;
		case 'tick':
			tick(ctx);
			break;
	}
	flushAgents(ctx);
	flushQueues(ctx);
	flushCallFacts(ctx);
	return { state: ctx.finish(), patches: ctx.patches, effects: ctx.effects };
}

function linkView(ctx: Ctx, pbx: string): PbxLinkView {
	return ctx.links.get(pbx)?.view ?? { name: pbx, connected: true, since: ctx.now, lastEventAt: null };
}

/** Every event refreshes lastEventAt; it is sent on tick, not per event. */
function noteEvent(ctx: Ctx, pbx: string): void {
	const cur = ctx.links.get(pbx);
	if (cur === undefined) {
		const view: PbxLinkView = { name: pbx, connected: true, since: ctx.now, lastEventAt: ctx.now };
		ctx.links.set(pbx, { view, lastEventAt: ctx.now });
		ctx.patches.push({ kind: 'pbx', pbx: view });
		return;
	}
	if (cur.lastEventAt !== ctx.now) ctx.links.set(pbx, { ...cur, lastEventAt: ctx.now });
}

/** A link down keeps every state as it was: the floor shows it stale through PbxLinkView. */
function setLink(ctx: Ctx, pbx: string, connected: boolean): void {
	const cur = ctx.links.get(pbx);
	if (cur !== undefined && cur.view.connected === connected) return;
	const lastEventAt = cur?.lastEventAt ?? null;
	const view: PbxLinkView = { ...linkView(ctx, pbx), connected, since: ctx.now, lastEventAt };
	ctx.links.set(pbx, { view, lastEventAt });
	ctx.patches.push({ kind: 'pbx', pbx: view });
}

function tick(ctx: Ctx): void {
	expireWrapups(ctx);
	expireCalls(ctx);
	expireMonitorRequests(ctx);
	for (const [name, rec] of ctx.base.links.entries()) {
		if (rec.view.lastEventAt === rec.lastEventAt) continue;
		const view: PbxLinkView = { ...rec.view, lastEventAt: rec.lastEventAt };
		ctx.links.set(name, { ...rec, view });
		ctx.patches.push({ kind: 'pbx', pbx: view });
	}
}

/**
 * Rebuild one PBX's channels and queues from list items after a (re)login: channels that are not
 * listed any more are hung up (their calls end now), listed ones are adopted or updated (bridges
 * included), listed queues get their members and callers replaced. Every agent of that PBX is
 * re-derived; patches go out only for views that changed.
 */
function resync(ctx: Ctx, pbx: string, input: Extract<FloorInput, { type: 'resync' }>): void {
	noteEvent(ctx, pbx);
	const listed = new Set<string>();
	for (const ev of input.channels) if (ev.kind === 'ChannelListItem') listed.add(ev.channel.uniqueid);
	const gone: ChannelRec[] = [];
	for (const ch of ctx.base.channels.values()) if (ch.pbx === pbx && !listed.has(ch.uniqueid)) gone.push(ch);
	for (const ch of gone) {
		const cur = ctx.channels.get(pk(pbx, ch.uniqueid));
		if (cur !== undefined) removeChannel(ctx, cur, null);
	}
	for (const ev of input.channels) if (ev.kind === 'ChannelListItem') applyPbxEvent(ctx, pbx, ev, null);
	resyncQueues(ctx, pbx, input.queueItems);
	for (const a of ctx.agents.values()) if (a.info.pbx === pbx) ctx.touchedAgents.add(a.info.id);
}
