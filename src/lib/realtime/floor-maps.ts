/**
 * The floor's four collections keyed for patching — shared by the browser's FloorModel and the
 * hub's FloorMirror, so a patch means the same thing on both sides of the socket.
 */
import type { AgentView, FloorPatch, FloorSnapshot, MonitorView, PbxLinkView, QueueView } from '../protocol';

export type FloorCollection = 'agents' | 'queues' | 'monitors' | 'pbx';

export class FloorMaps {
	agents = new Map<string, AgentView>();
	queues = new Map<string, QueueView>();
	monitors = new Map<string, MonitorView>();
	pbx = new Map<string, PbxLinkView>();

	load(snapshot: Pick<FloorSnapshot, 'agents' | 'queues' | 'monitors' | 'pbx'>): void {
		this.agents = new Map(snapshot.agents.map((a) => [a.id, a]));
		this.queues = new Map(snapshot.queues.map((q) => [q.id, q]));
		this.monitors = new Map(snapshot.monitors.map((m) => [m.id, m]));
		this.pbx = new Map(snapshot.pbx.map((p) => [p.name, p]));
	}

	/** Applies one patch; returns the collection it changed, or null when it changed nothing. */
	apply(p: FloorPatch): FloorCollection | null {
		switch (p.kind) {
			case 'agent':
				this.agents.set(p.agent.id, p.agent);
				return 'agents';
			case 'agentRemoved':
				return this.agents.delete(p.agentId) ? 'agents' : null;
			case 'queue':
				this.queues.set(p.queue.id, p.queue);
				return 'queues';
			case 'monitor':
				this.monitors.set(p.monitor.id, p.monitor);
				return 'monitors';
			case 'monitorEnded':
				return this.monitors.delete(p.monitorId) ? 'monitors' : null;
			case 'pbx':
				this.pbx.set(p.pbx.name, p.pbx);
				return 'pbx';
		}
	}
}
