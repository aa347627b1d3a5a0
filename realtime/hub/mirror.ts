/**
 * The live floor as every node holds it: the view the browsers see, kept from one snapshot plus
 * the stream of unfiltered patch batches the leader's engine flushes. Per scope it keeps a version
 * counter and hands out filtered batches and snapshots. No I/O.
 */
import type {
	AgentView,
	FloorPatch,
	FloorPatchMessage,
	FloorSnapshot,
	MonitorView,
	PbxLinkView,
	QueueView
} from '../../src/lib/protocol';
import { FloorMaps } from '../../src/lib/realtime/floor-maps';
import { agentVisible, filterPatches, scopeRoom, type Scope } from './scope';

export interface FloorBatch {
	/** the engine's own sequence number: a gap means the mirror missed a batch and must reload */
	seq: number;
	serverTime: number;
	patches: FloorPatch[];
}

export class FloorMirror {
	readonly #maps = new FloorMaps();
	#seq = 0;
	readonly #versions = new Map<string, number>();

	get seq(): number {
		return this.#seq;
	}

	/** Replace everything (first load, or after a gap). Every scope's stream starts over at a higher version. */
	load(snapshot: Omit<FloorSnapshot, 'version'>, seq: number): void {
		this.#maps.load(snapshot);
		this.#seq = seq;
		for (const [room, v] of this.#versions) this.#versions.set(room, v + 1);
	}

	/**
	 * Applies one batch. Returns false when the batch does not follow the last one (the caller
	 * reloads a snapshot); otherwise the filtered message per scope room that has anything to send.
	 */
	apply(batch: FloorBatch, scopes: Iterable<Scope>): Map<string, FloorPatchMessage> | false {
		if (batch.seq !== this.#seq + 1) return false;
		// Filtering needs the pre-image for removals and ended monitors.
		const endedMonitors = new Map<string, MonitorView>();
		const removedAgents = new Map<string, AgentView>();
		for (const p of batch.patches) {
			if (p.kind === 'monitorEnded') {
				const m = this.#maps.monitors.get(p.monitorId);
				if (m) endedMonitors.set(p.monitorId, m);
			} else if (p.kind === 'agentRemoved') {
				const a = this.#maps.agents.get(p.agentId);
				if (a) removedAgents.set(p.agentId, a);
			}
		}
		this.#seq = batch.seq;
		for (const p of batch.patches) this.#maps.apply(p);
		const out = new Map<string, FloorPatchMessage>();
		const agentOf = (id: string) => this.#maps.agents.get(id) ?? removedAgents.get(id);
		const monitorOf = (id: string) => this.#maps.monitors.get(id) ?? endedMonitors.get(id);
		for (const scope of scopes) {
			const room = scopeRoom(scope);
			if (out.has(room)) continue;
			const patches = filterPatches(scope, batch.patches, agentOf, monitorOf);
			if (!patches.length) continue;
			const version = (this.#versions.get(room) ?? 0) + 1;
			this.#versions.set(room, version);
			out.set(room, { version, serverTime: batch.serverTime, patches });
		}
		return out;
	}

	agent(id: string): AgentView | undefined {
		return this.#maps.agents.get(id);
	}

	monitor(id: string): MonitorView | undefined {
		return this.#maps.monitors.get(id);
	}

	/** cockpit: the whole floor for the alert evaluator and the coaching notice (read-only views) */
	get agents(): Iterable<AgentView> {
		return this.#maps.agents.values();
	}
	get monitors(): Iterable<MonitorView> {
		return this.#maps.monitors.values();
	}
	get queues(): Iterable<QueueView> {
		return this.#maps.queues.values();
	}
	get pbx(): Iterable<PbxLinkView> {
		return this.#maps.pbx.values();
	}

	/** What a scope sees now, at the scope's current version. */
	snapshotFor(scope: Scope, serverTime: number): FloorSnapshot {
		const room = scopeRoom(scope);
		const version = this.#versions.get(room) ?? 0;
		this.#versions.set(room, version);
		const agents = [...this.#maps.agents.values()].filter((a) => agentVisible(scope, a));
		const seesFloor = scope.kind !== 'agent';
		const agentIds = new Set(agents.map((a) => a.id));
		return {
			version,
			serverTime,
			agents,
			queues: seesFloor ? [...this.#maps.queues.values()] : [],
			monitors:
				scope.kind === 'teams' || scope.kind === 'all'
					? [...this.#maps.monitors.values()].filter((m) => agentIds.has(m.agentId))
					: [],
			pbx: seesFloor ? [...this.#maps.pbx.values()] : []
		};
	}

	/** The whole floor, unfiltered (sent to a follower node that lost the stream). */
	fullSnapshot(serverTime: number): Omit<FloorSnapshot, 'version'> & { seq: number } {
		return {
			seq: this.#seq,
			serverTime,
			agents: [...this.#maps.agents.values()],
			queues: [...this.#maps.queues.values()],
			monitors: [...this.#maps.monitors.values()],
			pbx: [...this.#maps.pbx.values()]
		};
	}
}
