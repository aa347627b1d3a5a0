/**
 * Selector: the whole floor as the wire snapshot.
 */
import type { AgentView, FloorSnapshot, MonitorView, PbxLinkView, QueueView } from '../../src/lib/protocol';
import type { FloorState } from './types';

function byName<T extends { name: string; id: string }>(a: T, b: T): number {
	return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function snapshot(state: FloorState, version: number, now: number): FloorSnapshot {
	const agents: AgentView[] = [];
	for (const a of state.agents.values()) if (a.view !== null) agents.push(a.view);
	agents.sort(byName);
	const queues: QueueView[] = [];
	for (const q of state.queues.values()) if (q.view !== null) queues.push(q.view);
	queues.sort(byName);
	const monitors: MonitorView[] = [];
	for (const m of state.monitors.values()) monitors.push(m.view);
	monitors.sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const pbx: PbxLinkView[] = [];
	for (const l of state.links.values()) pbx.push({ ...l.view, lastEventAt: l.lastEventAt });
	pbx.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	return { version, serverTime: now, agents, queues, monitors, pbx };
}
