/**
 * The working copy of one reduce step: batch editors over the state's maps (each bucket copied at
 * most once per step), the sets of things touched, and the patches/effects collected.
 */
import type { FloorPatch } from '../../src/lib/protocol';
import type { PMapDraft } from './pmap';
import type {
	AgentRec,
	CallRec,
	ChannelRec,
	EndpointRec,
	FloorConfig,
	FloorEffect,
	FloorState,
	MonitorRec,
	PbxRec,
	PendingMonitor,
	PendingOriginate,
	QueueRec
} from './types';

/** Composite key of a PBX-scoped id. */
export function pk(pbx: string, id: string): string {
	return pbx + '\u0000' + id;
}

export class Ctx {
	readonly base: FloorState;
	readonly now: number;
	readonly config: FloorConfig;
	agentByEndpoint: ReadonlyMap<string, string>;
	day: string;
	dayCheckedAt: number;
	serviceLevels: Readonly<Record<string, number>>;

	readonly patches: FloorPatch[] = [];
	readonly effects: FloorEffect[] = [];
	/** endpoint keys whose agent must be re-derived */
	readonly touchedEndpoints = new Set<string>();
	readonly touchedAgents = new Set<string>();
	readonly touchedQueues = new Set<string>();
	readonly touchedCalls = new Set<string>();

	#agents: PMapDraft<AgentRec> | null = null;
	#endpoints: PMapDraft<EndpointRec> | null = null;
	#stateIfaces: PMapDraft<string> | null = null;
	#channels: PMapDraft<ChannelRec> | null = null;
	#bridges: PMapDraft<readonly string[]> | null = null;
	#calls: PMapDraft<CallRec> | null = null;
	#callIds: PMapDraft<string> | null = null;
	#queues: PMapDraft<QueueRec> | null = null;
	#monitors: PMapDraft<MonitorRec> | null = null;
	#spyers: PMapDraft<string> | null = null;
	#pendingMonitors: PMapDraft<PendingMonitor> | null = null;
	#pendingOriginates: PMapDraft<PendingOriginate> | null = null;
	#links: PMapDraft<PbxRec> | null = null;

	constructor(base: FloorState, now: number) {
		this.base = base;
		this.now = now;
		this.config = base.config;
		this.agentByEndpoint = base.agentByEndpoint;
		this.day = base.day;
		this.dayCheckedAt = base.dayCheckedAt;
		this.serviceLevels = base.serviceLevels;
	}

	get agents(): PMapDraft<AgentRec> {
		return (this.#agents ??= this.base.agents.draft());
	}
	get endpoints(): PMapDraft<EndpointRec> {
		return (this.#endpoints ??= this.base.endpoints.draft());
	}
	get stateIfaces(): PMapDraft<string> {
		return (this.#stateIfaces ??= this.base.stateIfaces.draft());
	}
	get channels(): PMapDraft<ChannelRec> {
		return (this.#channels ??= this.base.channels.draft());
	}
	get bridges(): PMapDraft<readonly string[]> {
		return (this.#bridges ??= this.base.bridges.draft());
	}
	get calls(): PMapDraft<CallRec> {
		return (this.#calls ??= this.base.calls.draft());
	}
	get callIds(): PMapDraft<string> {
		return (this.#callIds ??= this.base.callIds.draft());
	}
	get queues(): PMapDraft<QueueRec> {
		return (this.#queues ??= this.base.queues.draft());
	}
	get monitors(): PMapDraft<MonitorRec> {
		return (this.#monitors ??= this.base.monitors.draft());
	}
	get spyers(): PMapDraft<string> {
		return (this.#spyers ??= this.base.spyers.draft());
	}
	get pendingMonitors(): PMapDraft<PendingMonitor> {
		return (this.#pendingMonitors ??= this.base.pendingMonitors.draft());
	}
	get pendingOriginates(): PMapDraft<PendingOriginate> {
		return (this.#pendingOriginates ??= this.base.pendingOriginates.draft());
	}
	get links(): PMapDraft<PbxRec> {
		return (this.#links ??= this.base.links.draft());
	}

	/** the agent id on that endpoint, if any */
	agentOf(pbx: string, endpoint: string): string | undefined {
		return this.agentByEndpoint.get(pk(pbx, endpoint));
	}

	touchEndpoint(pbx: string, endpoint: string): void {
		this.touchedEndpoints.add(pk(pbx, endpoint));
	}

	/** the new state: untouched maps are shared with the old one */
	finish(): FloorState {
		const b = this.base;
		return {
			config: b.config,
			now: this.now,
			day: this.day,
			dayCheckedAt: this.dayCheckedAt,
			agents: this.#agents?.done() ?? b.agents,
			agentByEndpoint: this.agentByEndpoint,
			endpoints: this.#endpoints?.done() ?? b.endpoints,
			stateIfaces: this.#stateIfaces?.done() ?? b.stateIfaces,
			channels: this.#channels?.done() ?? b.channels,
			bridges: this.#bridges?.done() ?? b.bridges,
			calls: this.#calls?.done() ?? b.calls,
			callIds: this.#callIds?.done() ?? b.callIds,
			queues: this.#queues?.done() ?? b.queues,
			serviceLevels: this.serviceLevels,
			monitors: this.#monitors?.done() ?? b.monitors,
			spyers: this.#spyers?.done() ?? b.spyers,
			pendingMonitors: this.#pendingMonitors?.done() ?? b.pendingMonitors,
			pendingOriginates: this.#pendingOriginates?.done() ?? b.pendingOriginates,
			links: this.#links?.done() ?? b.links
		};
	}
}
