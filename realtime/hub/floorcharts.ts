/**
 * Live charts and colour thresholds on every hub node: the leader's deltas are applied to one
 * copy of the state per node and sent, filtered by scope, to the sockets that subscribed — no
 * database access per viewer. In a cluster the leader hands every delta (and now and then the
 * whole state, so a node that joined late or missed one catches up) to the other nodes.
 */
import type { Server } from 'socket.io';
import type {
	FloorchartsDelta,
	FloorchartsState,
	AgentIntensityView,
	TeamThresholdsView
} from '../../src/lib/protocol';
import { applyChartsDelta, emptyChartsState } from '../../src/lib/floorcharts/state';
import type { HubServer } from './index';
import type { FloorMirror } from './mirror';
import { agentVisible, scopeFor, scopeRoom, type Scope } from './scope';

const DELTA = 'floorcharts:delta';
const FULL = 'floorcharts:full';

export interface FloorchartsHub {
	/** on the leader: apply here, send to local subscribers and to the other nodes */
	publish(delta: FloorchartsDelta): void;
	/** on the leader, now and then: the whole state to the other nodes */
	publishFull(state: FloorchartsState): void;
	state(): FloorchartsState;
}

function teamAllowed(scope: Scope, teamId: string | null): boolean {
	if (scope.kind === 'all') return true;
	return scope.kind === 'teams' && teamId !== null && scope.teamIds.includes(teamId);
}

/** What of `delta` a scope may see (agents through the floor mirror's team membership). */
export function deltaFor(scope: Scope, delta: FloorchartsDelta, mirror: FloorMirror): FloorchartsDelta {
	if (scope.kind === 'all') return delta;
	const out: FloorchartsDelta = { seq: delta.seq, reset: delta.reset, day: delta.day, dayStart: delta.dayStart };
	if (delta.thresholds) {
		const t: Record<string, TeamThresholdsView> = {};
		for (const [team, v] of Object.entries(delta.thresholds)) if (teamAllowed(scope, team)) t[team] = v;
		out.thresholds = t;
	}
	if (delta.intensity) {
		const i: Record<string, AgentIntensityView> = {};
		for (const [agentId, v] of Object.entries(delta.intensity)) {
			const agent = mirror.agent(agentId);
			if (agent && agentVisible(scope, agent)) i[agentId] = v;
		}
		out.intensity = i;
	}
	if (delta.projects) out.projects = delta.projects.filter((p) => teamAllowed(scope, p.teamId));
	return out;
}

/** `cluster`: a shared adapter links several nodes (deltas are passed on to them) */
export function attachFloorcharts(io: HubServer, mirror: FloorMirror, cluster: boolean): FloorchartsHub {
	let state = emptyChartsState();
	let seq = 0;
	/** the last delta was missed: local subscribers get a reset with the next full state */
	let behind = false;
	/** socket id → scope of the local sockets that subscribed */
	const subscribers = new Map<string, Scope>();
	// cluster messages between nodes (not part of the browser contract)
	const nodes = io as unknown as Server;

	function sendLocal(delta: FloorchartsDelta): void {
		const perRoom = new Map<string, FloorchartsDelta>();
		for (const [id, scope] of subscribers) {
			const socket = io.of('/').sockets.get(id);
			if (!socket) {
				subscribers.delete(id);
				continue;
			}
			const room = scopeRoom(scope);
			let part = perRoom.get(room);
			if (!part) perRoom.set(room, (part = deltaFor(scope, delta, mirror)));
			socket.emit(DELTA, part);
		}
	}

	function receive(delta: FloorchartsDelta): void {
		if (!delta.reset && delta.seq !== seq + 1) behind = true;
		seq = delta.seq;
		state = applyChartsDelta(state, delta);
		if (!behind) sendLocal(delta);
	}

	function receiveFull(full: FloorchartsState & { seq: number }): void {
		const { seq: fullSeq, ...rest } = full;
		if (fullSeq === seq && !behind) return;
		seq = fullSeq;
		state = rest;
		behind = false;
		sendLocal({ seq, reset: true, day: rest.day, dayStart: rest.dayStart, thresholds: rest.thresholds, intensity: rest.intensity, projects: rest.projects });
	}

	nodes.on(DELTA, (delta: FloorchartsDelta) => receive(delta));
	nodes.on(FULL, (full: FloorchartsState & { seq: number }) => receiveFull(full));

	function toOtherNodes(event: string, payload: unknown): void {
		if (cluster) nodes.serverSideEmit(event, payload);
	}

	io.on('connection', (socket) => {
		const user = socket.data.user;
		socket.on('floorcharts:subscribe', (ack) => {
			if (typeof ack !== 'function') return;
			if (user.role === 'agent') {
				ack({ ok: false, error: { code: 'forbidden', message: 'supervisors only' } });
				return;
			}
			const scope = scopeFor(user);
			subscribers.set(socket.id, scope);
			const d = deltaFor(scope, { seq, reset: true, ...state }, mirror);
			ack({
				ok: true,
				data: { day: state.day, dayStart: state.dayStart, thresholds: d.thresholds ?? {}, intensity: d.intensity ?? {}, projects: d.projects ?? [] }
			});
		});
		socket.on('disconnect', () => subscribers.delete(socket.id));
	});

	return {
		publish(delta) {
			receive(delta);
			toOtherNodes(DELTA, delta);
		},
		publishFull(full) {
			toOtherNodes(FULL, { ...full, seq });
		},
		state: () => state
	};
}
