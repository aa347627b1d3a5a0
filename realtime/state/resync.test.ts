/**
 * Resync: the floor rebuilt from list items (CoreShowChannels / Status / QueueStatus of transcript a)
 * agrees with the floor built from live events, and a resync that finds nothing new patches nothing.
 */
import { describe, expect, it } from 'vitest';
import type { FloorSnapshot } from '../../src/lib/protocol';
import { first } from '../ami/parser';
import type { PbxEvent } from '../ami/normalize';
import { initialFloorState, reduce, snapshot } from './index';
import type { FloorInput, FloorState } from './index';
import { PBX, directoryOf, hasTranscript, lastFacts, loadTranscript, replay } from './test-support';
import type { Recorded } from './test-support';

const LIST_KINDS = new Set<PbxEvent['kind']>(['ChannelListItem', 'QueueParams', 'QueueMember', 'QueueEntry']);

function itemsOf(recs: readonly Recorded[], actionId: string): PbxEvent[] {
	return recs.flatMap((r) =>
		r.event !== null && LIST_KINDS.has(r.event.kind) && first(r.msg, 'ActionID') === actionId ? [r.event] : []
	);
}

function indexOf(recs: readonly Recorded[], actionId: string, event: string): number {
	const r = recs.find((x) => first(x.msg, 'ActionID') === actionId && first(x.msg, 'Event') === event);
	if (r === undefined) throw new Error(`no ${event} for ${actionId}`);
	return r.index;
}

function agentStates(s: FloorSnapshot): Record<string, string> {
	return Object.fromEntries(s.agents.map((a) => [a.id, a.state]));
}

function queueCounts(s: FloorSnapshot): Record<string, [number, number, number]> {
	return Object.fromEntries(s.queues.map((q) => [q.name, [q.waiting, q.members, q.paused]]));
}

describe.skipIf(!hasTranscript('a_status_snapshot'))('resync from transcript a', () => {
	const recs = loadTranscript('a_status_snapshot');
	const agents = directoryOf(['agent1', 'agent2', 'agent3']);
	const t0 = recs[0]?.now ?? 0;
	const fresh = (): FloorState => reduce(initialFloorState({}, t0), { type: 'directory', agents }, t0).state;
	const resync = (channelsId: string, queueId: string): FloorInput => ({
		type: 'resync',
		pbx: PBX,
		channels: itemsOf(recs, channelsId),
		queueItems: itemsOf(recs, queueId)
	});

	// what the hub does at login: resync from the first (idle) lists, then live events only
	function fromEvents(until: number): FloorState {
		const login = reduce(fresh(), resync('a-6', 'a-7'), recs[0]?.now ?? t0).state;
		const live = recs.filter((r) => r.event === null || !LIST_KINDS.has(r.event.kind));
		return replay(login, live, { until }).state;
	}

	// the moment the second QueueStatus list (live data) is complete
	const at = () => indexOf(recs, 'a-12', 'QueueStatusComplete');
	const listNowOf = () => recs[at()]?.now ?? t0;

	it('the login lists of an idle system: everyone idle, queues empty', () => {
		const r = reduce(fresh(), resync('a-6', 'a-7'), t0);
		const snap = snapshot(r.state, 1, t0);
		expect(agentStates(snap)).toEqual({ agent1: 'idle', agent2: 'idle', agent3: 'idle' });
		expect(queueCounts(snap)).toEqual({ sales: [0, 2, 0], support: [0, 1, 0] });
	});

	it('CoreShowChannels + QueueStatus rebuild the same agent states and queue counts as the live events', () => {
		const atList = at();
		const listNow = listNowOf();
		const events = snapshot(fromEvents(atList), 1, listNow);
		const rebuilt = snapshot(reduce(fresh(), resync('a-11', 'a-12'), listNow).state, 1, listNow);
		expect(agentStates(events)).toEqual({ agent1: 'talking', agent2: 'idle', agent3: 'ringing' });
		expect(agentStates(rebuilt)).toEqual(agentStates(events));
		expect(queueCounts(events)).toEqual({ sales: [0, 2, 0], support: [1, 1, 0] });
		expect(queueCounts(rebuilt)).toEqual(queueCounts(events));
		// the same calls, the same remote numbers
		const calls = (s: FloorSnapshot) =>
			s.agents.map((a) => [
				a.id,
				a.call?.linkedid ?? null,
				a.call?.direction ?? null,
				a.call?.number ?? null
			]);
		expect(calls(rebuilt)).toEqual(calls(events));
		expect(calls(events)).toEqual([
			['agent1', '1795609467.31', 'in', '5550101'],
			['agent2', null, null, null],
			['agent3', '1795609467.30', 'in', '5550102']
		]);
		// the waiting caller's age comes from QueueEntry Wait
		expect(rebuilt.queues.find((q) => q.name === 'support')?.longestSince).toBe(listNow - 2000);
	});

	it('Status items work as well as CoreShowChannel items', () => {
		const listNow = listNowOf();
		const rebuilt = snapshot(reduce(fresh(), resync('a-10', 'a-12'), listNow).state, 1, listNow);
		expect(agentStates(rebuilt)).toEqual({ agent1: 'talking', agent2: 'idle', agent3: 'ringing' });
	});

	it('a resync that finds what the board shows emits no patch', () => {
		const atList = at();
		const listNow = listNowOf();
		const state = fromEvents(atList);
		const r = reduce(state, resync('a-11', 'a-12'), listNow);
		expect(r.patches.filter((p) => p.kind !== 'pbx')).toEqual([]);
		expect(r.effects).toEqual([]);
	});

	it('channels missing from the lists are hung up: calls end, agents leave their call', () => {
		const atList = at();
		const listNow = listNowOf();
		const state = fromEvents(atList);
		const later = listNow + 5000;
		const r = reduce(
			state,
			{ type: 'resync', pbx: PBX, channels: [], queueItems: itemsOf(recs, 'a-7') },
			later
		);
		const snap = snapshot(r.state, 1, later);
		expect(agentStates(snap)).toEqual({ agent1: 'wrapup', agent2: 'idle', agent3: 'idle' });
		expect(queueCounts(snap)).toEqual({ sales: [0, 2, 0], support: [0, 1, 0] });
		const ended = [...lastFacts(r.effects).values()].map((f) => [
			f.linkedid,
			f.endedAt,
			f.answeredAt !== null
		]);
		expect(ended).toEqual(
			expect.arrayContaining([
				['1795609467.31', later, true],
				['1795609467.30', later, false]
			])
		);
		expect(snap.agents.find((a) => a.id === 'agent1')?.today.connects).toBe(1);
	});
});
