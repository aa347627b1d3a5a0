/**
 * What part of the floor a connection may see. Scopes are rooms: every socket with the same
 * scope shares one room and one version stream, so patches are filtered once per scope, not per socket.
 */
import type { AgentView, FloorPatch, MonitorView, SocketUser } from '../../src/lib/protocol';

export type Scope = { kind: 'all' } | { kind: 'teams'; teamIds: readonly string[] } | { kind: 'agent'; agentId: string };

export function scopeFor(user: SocketUser): Scope {
	if (user.role === 'admin' || user.role === 'manager') return { kind: 'all' };
	if (user.role === 'supervisor') return { kind: 'teams', teamIds: [...user.teamIds].sort() };
	return { kind: 'agent', agentId: user.id };
}

export function scopeRoom(scope: Scope): string {
	switch (scope.kind) {
		case 'all':
			return 'floor:all';
		case 'teams':
			return `floor:teams:${scope.teamIds.join(',')}`;
		case 'agent':
			return `floor:agent:${scope.agentId}`;
	}
}

export function agentVisible(scope: Scope, agent: Pick<AgentView, 'id' | 'teamIds'>): boolean {
	switch (scope.kind) {
		case 'all':
			return true;
		case 'teams':
			return agent.teamIds.some((t) => scope.teamIds.includes(t));
		case 'agent':
			return agent.id === scope.agentId;
	}
}

/** Can this user act on (monitor, pause, message) this agent? Re-checked by every command. */
export function canSupervise(user: SocketUser, agent: Pick<AgentView, 'id' | 'teamIds'>): boolean {
	if (user.role === 'agent') return false;
	return agentVisible(scopeFor(user), agent);
}

/**
 * Keeps the patches a scope may see. `agentsById` resolves monitor and removal patches to their
 * agent (team membership lives on the agent).
 */
export function filterPatches(
	scope: Scope,
	patches: readonly FloorPatch[],
	agentOf: (agentId: string) => Pick<AgentView, 'id' | 'teamIds'> | undefined,
	monitorOf: (monitorId: string) => MonitorView | undefined
): FloorPatch[] {
	if (scope.kind === 'all') return patches as FloorPatch[];
	const out: FloorPatch[] = [];
	for (const p of patches) {
		switch (p.kind) {
			case 'agent':
				if (agentVisible(scope, p.agent)) out.push(p);
				break;
			case 'agentRemoved': {
				const a = agentOf(p.agentId);
				if (!a || agentVisible(scope, a)) out.push(p);
				break;
			}
			case 'monitor': {
				const a = agentOf(p.monitor.agentId);
				// an agent never learns who listens to them; supervisors of the agent's teams do
				if (scope.kind === 'teams' && a && agentVisible(scope, a)) out.push(p);
				break;
			}
			case 'monitorEnded': {
				const m = monitorOf(p.monitorId);
				const a = m ? agentOf(m.agentId) : undefined;
				if (scope.kind === 'teams' && (!a || agentVisible(scope, a))) out.push(p);
				break;
			}
			case 'queue':
			case 'pbx':
				if (scope.kind === 'teams') out.push(p);
				break;
		}
	}
	return out;
}
