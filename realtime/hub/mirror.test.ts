import { describe, expect, it } from 'vitest';
import type { AgentView, FloorPatch } from '../../src/lib/protocol';
import { FloorMirror } from './mirror';
import { canSupervise, scopeFor, scopeRoom, type Scope } from './scope';

function agent(id: string, teamIds: string[], state: AgentView['state'] = 'idle'): AgentView {
	return {
		id,
		name: id,
		endpoint: `PJSIP/${id}`,
		pbx: 'p',
		teamIds,
		state,
		since: 0,
		pauseReason: null,
		call: null,
		today: { dials: 0, connects: 0, talkSeconds: 0 },
		handRaised: false,
		queues: []
	};
}

const all: Scope = { kind: 'all' };
const teamA: Scope = { kind: 'teams', teamIds: ['A'] };
const self1: Scope = { kind: 'agent', agentId: 'a1' };

function loaded(): FloorMirror {
	const m = new FloorMirror();
	m.load({ serverTime: 0, agents: [agent('a1', ['A']), agent('b1', ['B'])], queues: [], monitors: [], pbx: [{ name: 'p', connected: true, since: 0, lastEventAt: null }] }, 0);
	return m;
}

describe('FloorMirror', () => {
	it('filters each batch per scope and keeps one version stream per scope room', () => {
		const m = loaded();
		const patches: FloorPatch[] = [{ kind: 'agent', agent: agent('b1', ['B'], 'talking') }];
		const out = m.apply({ seq: 1, serverTime: 1, patches }, [all, teamA, self1]);
		expect(out).not.toBe(false);
		const rooms = out as Map<string, { version: number; patches: FloorPatch[] }>;
		expect(rooms.get(scopeRoom(all))?.version).toBe(1);
		// team A and agent a1 see nothing of b1: no message, no version bump
		expect(rooms.has(scopeRoom(teamA))).toBe(false);
		expect(rooms.has(scopeRoom(self1))).toBe(false);
		const next = m.apply({ seq: 2, serverTime: 2, patches: [{ kind: 'agent', agent: agent('a1', ['A'], 'dialing') }] }, [all, teamA, self1]) as Map<string, { version: number }>;
		expect(next.get(scopeRoom(all))?.version).toBe(2);
		expect(next.get(scopeRoom(teamA))?.version).toBe(1);
		expect(next.get(scopeRoom(self1))?.version).toBe(1);
		expect(m.snapshotFor(teamA, 3)).toMatchObject({ version: 1, agents: [{ id: 'a1', state: 'dialing' }] });
	});

	it('refuses a batch out of sequence so the caller reloads', () => {
		const m = loaded();
		expect(m.apply({ seq: 2, serverTime: 1, patches: [] }, [all])).toBe(false);
		expect(m.seq).toBe(0);
	});

	it('bumps every scope version on reload, so clients see a gap and ask for a snapshot', () => {
		const m = loaded();
		m.apply({ seq: 1, serverTime: 1, patches: [{ kind: 'agent', agent: agent('a1', ['A'], 'talking') }] }, [teamA]);
		const before = m.snapshotFor(teamA, 1).version;
		m.load(m.fullSnapshot(2), 1);
		expect(m.snapshotFor(teamA, 2).version).toBe(before + 1);
	});

	it('never tells an agent who monitors them; supervisors of the team see it', () => {
		const m = loaded();
		const monitor = { id: 'm1', supervisorId: 's', supervisorName: 'Sue', agentId: 'a1', mode: 'listen' as const, spyerChannel: 'PJSIP/2001-1', since: 1 };
		const out = m.apply({ seq: 1, serverTime: 1, patches: [{ kind: 'monitor', monitor }] }, [teamA, self1]) as Map<string, unknown>;
		expect(out.has(scopeRoom(teamA))).toBe(true);
		expect(out.has(scopeRoom(self1))).toBe(false);
		expect(m.snapshotFor(self1, 1).monitors).toEqual([]);
		expect(m.snapshotFor(teamA, 1).monitors).toHaveLength(1);
	});
});

describe('scope', () => {
	it('maps roles to scopes and checks supervision on the server', () => {
		expect(scopeFor({ id: 'x', name: 'x', role: 'manager', teamIds: [] })).toEqual({ kind: 'all' });
		expect(scopeFor({ id: 'x', name: 'x', role: 'supervisor', teamIds: ['B', 'A'] })).toEqual({ kind: 'teams', teamIds: ['A', 'B'] });
		const sup = { id: 's', name: 's', role: 'supervisor' as const, teamIds: ['A'] };
		expect(canSupervise(sup, agent('a1', ['A']))).toBe(true);
		expect(canSupervise(sup, agent('b1', ['B']))).toBe(false);
		expect(canSupervise({ id: 'a1', name: 'a', role: 'agent', teamIds: ['A'] }, agent('a1', ['A']))).toBe(false);
	});
});
