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
import { agentVisible, filterPatches, scopeRoom, type Scope } from './scope';

export interface FloorBatch {
	/** the engine's own sequence number: a gap means the mirror missed a batch and must reload */
	seq: number;
	serverTime: number;
	patches: FloorPatch[];
}

export class FloorMirror {
	#agents = new Map<string, AgentView>();
	#queues = new Map<string, QueueView>();
	#monitors = new Map<string, MonitorView>();
	#pbx = new Map<string, PbxLinkView>();
	#seq = 0;
	readonly #versions = new Map<string, number>();

	get seq(): number {
		return this.#seq;
	}

	/** Replace everything (first load, or after a gap). Every scope's stream starts over at a higher version. */
	load(snapshot: Omit<FloorSnapshot, 'version'>, seq: number): void {
		this.#agents = new Map(snapshot.agents.map((a) => [a.id, a]));
		this.#queues = new Map(snapshot.queues.map((q) => [q.id, q]));
		this.#monitors = new Map(snapshot.monitors.map((m) => [m.id, m]));
		this.#pbx = new Map(snapshot.pbx.map((p) => [p.name, p]));
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
				const m = this.#monitors.get(p.monitorId);
				if (m) endedMonitors.set(p.monitorId, m);
			} else if (p.kind === 'agentRemoved') {
				const a = this.#agents.get(p.agentId);
				if (a) removedAgents.set(p.agentId, a);
			}
		}
		this.#seq = batch.seq;
		for (const p of batch.patches) this.#applyOne(p);
		const out = new Map<string, FloorPatchMessage>();
		const agentOf = (id: string) => this.#agents.get(id) ?? removedAgents.get(id);
		const monitorOf = (id: string) => this.#monitors.get(id) ?? endedMonitors.get(id);
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

	#applyOne(p: FloorPatch): void {
		switch (p.kind) {
			case 'agent':
				this.#agents.set(p.agent.id, p.agent);
				break;
			case 'agentRemoved':
				this.#agents.delete(p.agentId);
				break;
			case 'queue':
				this.#queues.set(p.queue.id, p.queue);
				break;
			case 'monitor':
				this.#monitors.set(p.monitor.id, p.monitor);
				break;
			case 'monitorEnded':
				this.#monitors.delete(p.monitorId);
				break;
			case 'pbx':
				this.#pbx.set(p.pbx.name, p.pbx);
				break;
		}
	}

	agent(id: string): AgentView | undefined {
		return this.#agents.get(id);
	}

	monitor(id: string): MonitorView | undefined {
		return this.#monitors.get(id);
	}

	/** What a scope sees now, at the scope's current version. */
	snapshotFor(scope: Scope, serverTime: number): FloorSnapshot {
		const room = scopeRoom(scope);
		const version = this.#versions.get(room) ?? 0;
		this.#versions.set(room, version);
		const agents = [...this.#agents.values()].filter((a) => agentVisible(scope, a));
		const seesFloor = scope.kind !== 'agent';
		const agentIds = new Set(agents.map((a) => a.id));
		return {
			version,
			serverTime,
			agents,
			queues: seesFloor ? [...this.#queues.values()] : [],
			monitors: scope.kind === 'teams' || scope.kind === 'all' ? [...this.#monitors.values()].filter((m) => agentIds.has(m.agentId)) : [],
			pbx: seesFloor ? [...this.#pbx.values()] : []
		};
	}

	/** The whole floor, unfiltered (sent to a follower node that lost the stream). */
	fullSnapshot(serverTime: number): Omit<FloorSnapshot, 'version'> & { seq: number } {
		return {
			seq: this.#seq,
			serverTime,
			agents: [...this.#agents.values()],
			queues: [...this.#queues.values()],
			monitors: [...this.#monitors.values()],
			pbx: [...this.#pbx.values()]
		};
	}
}
