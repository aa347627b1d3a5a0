import { describe, expect, it } from 'vitest';
import type { AgentView, FloorPatch } from '../../src/lib/protocol';
import { channelEndpoint } from '../ami/normalize';
import type { ChannelInfo, ChannelState, PbxEvent, QueueMemberInfo } from '../ami/normalize';
import { initialFloorState, reduce, snapshot } from './index';
import type { CallFact, DirectoryAgent, FloorConfig, FloorEffect, FloorInput, FloorState } from './index';

const PBX = 'pbx1';
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

const AGENTS: DirectoryAgent[] = [
	{ id: 'u1', name: 'Ann', endpoint: 'PJSIP/1001', pbx: PBX, teamIds: ['t1'] },
	{ id: 'u2', name: 'Bob', endpoint: 'PJSIP/1002', pbx: PBX, teamIds: ['t1'] }
];

function chan(
	name: string,
	uniqueid: string,
	linkedid: string,
	state: ChannelState,
	callerNum: string | null = null
): ChannelInfo {
	return {
		name,
		endpoint: channelEndpoint(name),
		uniqueid,
		linkedid,
		state,
		callerNum,
		callerName: null,
		connectedNum: null,
		context: 'default',
		exten: 's',
		vars: null
	};
}

function member(endpoint: string, over: Partial<QueueMemberInfo> = {}): QueueMemberInfo {
	return {
		queue: 'sales',
		name: endpoint,
		iface: endpoint,
		endpoint,
		stateInterface: null,
		status: 1,
		paused: false,
		pausedReason: null,
		inCall: false,
		membership: 'static',
		callsTaken: 0,
		...over
	};
}

/** A test harness: the floor plus everything it emitted. */
class Floor {
	state: FloorState;
	now = T0;
	patches: FloorPatch[] = [];
	effects: FloorEffect[] = [];
	last: { patches: FloorPatch[]; effects: FloorEffect[] } = { patches: [], effects: [] };

	constructor(config: Partial<FloorConfig> = {}, agents: DirectoryAgent[] = AGENTS) {
		this.state = initialFloorState(config, T0);
		this.input({ type: 'directory', agents });
	}

	input(input: FloorInput, advanceMs = 0): this {
		this.now += advanceMs;
		const r = reduce(this.state, input, this.now);
		this.state = r.state;
		this.last = { patches: r.patches, effects: r.effects };
		this.patches.push(...r.patches);
		this.effects.push(...r.effects);
		return this;
	}

	ev(event: PbxEvent, advanceMs = 0, callId?: string): this {
		return this.input(
			callId === undefined ? { type: 'ami', pbx: PBX, event } : { type: 'ami', pbx: PBX, event, callId },
			advanceMs
		);
	}

	agent(id: string): AgentView {
		const a = snapshot(this.state, 0, this.now).agents.find((x) => x.id === id);
		if (a === undefined) throw new Error(`no agent ${id}`);
		return a;
	}

	facts(): Map<string, CallFact> {
		const m = new Map<string, CallFact>();
		for (const e of this.effects) if (e.kind === 'call') m.set(e.call.linkedid, e.call);
		return m;
	}
}

// an inbound call from a trunk to agent u1 (PJSIP/1001): ring, answer, bridge, hang up
function inboundCall(f: Floor, id = '100'): Floor {
	const trunk = chan(`PJSIP/trunk-0000${id}a`, `${id}.1`, `${id}.1`, 'ring', '+4930111');
	const phone = (s: ChannelState) => chan(`PJSIP/1001-0000${id}b`, `${id}.2`, `${id}.1`, s, '1001');
	f.ev({ kind: 'Newchannel', channel: trunk }, 1000);
	f.ev({ kind: 'Newchannel', channel: phone('down') }, 10);
	f.ev({ kind: 'DialBegin', caller: trunk, dest: phone('down'), dialString: 'PJSIP/1001' }, 1);
	f.ev({ kind: 'Newstate', channel: phone('ringing') }, 1);
	return f;
}

function answer(f: Floor, id = '100'): Floor {
	const trunk = chan(`PJSIP/trunk-0000${id}a`, `${id}.1`, `${id}.1`, 'up', '+4930111');
	const phone = chan(`PJSIP/1001-0000${id}b`, `${id}.2`, `${id}.1`, 'up', '1001');
	f.ev({ kind: 'Newstate', channel: phone }, 3000);
	f.ev({ kind: 'DialEnd', caller: trunk, dest: phone, dialStatus: 'ANSWER' }, 0);
	f.ev({ kind: 'BridgeEnter', bridgeId: `br-${id}`, channel: trunk }, 5);
	f.ev({ kind: 'BridgeEnter', bridgeId: `br-${id}`, channel: phone }, 0);
	return f;
}

function hangupAll(f: Floor, id = '100', talkMs = 10_000): Floor {
	const trunk = chan(`PJSIP/trunk-0000${id}a`, `${id}.1`, `${id}.1`, 'up', '+4930111');
	const phone = chan(`PJSIP/1001-0000${id}b`, `${id}.2`, `${id}.1`, 'up', '1001');
	f.ev({ kind: 'BridgeLeave', bridgeId: `br-${id}`, channel: trunk }, talkMs);
	f.ev({ kind: 'Hangup', channel: trunk, cause: 16, causeText: 'Normal Clearing' }, 0);
	f.ev({ kind: 'BridgeLeave', bridgeId: `br-${id}`, channel: phone }, 0);
	f.ev({ kind: 'Hangup', channel: phone, cause: 16, causeText: 'Normal Clearing' }, 1);
	return f;
}

describe('reduce: agent states from channels', () => {
	it('offline until seen, then idle; inbound ringing → talking → wrapup → idle on wrapupDone', () => {
		const f = new Floor();
		expect(f.agent('u1').state).toBe('offline');
		f.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' }, 5);
		expect(f.agent('u1')).toMatchObject({ state: 'idle', since: f.now });
		inboundCall(f);
		expect(f.agent('u1')).toMatchObject({
			state: 'ringing',
			call: { direction: 'in', number: '+4930111', answeredAt: null }
		});
		const ringSince = f.agent('u1').since;
		answer(f);
		const a = f.agent('u1');
		expect(a).toMatchObject({ state: 'talking', today: { connects: 1, dials: 0 } });
		expect(a.since).toBeGreaterThan(ringSince);
		// talking from the phone's answer; the call counts as answered once bridged (5 ms later)
		expect((a.call?.answeredAt ?? 0) - a.since).toBe(5);
		hangupAll(f);
		expect(f.agent('u1')).toMatchObject({
			state: 'wrapup',
			call: null,
			today: { connects: 1, talkSeconds: 10 }
		});
		f.input({ type: 'wrapupDone', agentId: 'u1' }, 2000);
		expect(f.agent('u1').state).toBe('idle');
		const intervals = f.effects.filter((e) => e.kind === 'agentState').map((e) => e.state);
		expect(intervals).toEqual(['offline', 'idle', 'ringing', 'talking', 'wrapup']);
		const fact = f.facts().get('100.1');
		expect(fact).toMatchObject({
			direction: 'in',
			agentId: 'u1',
			number: '+4930111',
			dialStatus: 'ANSWER',
			hangupCause: 16
		});
		expect(fact?.answeredAt).not.toBeNull();
		expect(fact?.endedAt).not.toBeNull();
	});

	it('wrap-up ends by itself on tick after wrapupSeconds', () => {
		const f = new Floor({ wrapupSeconds: 5 });
		f.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' });
		answer(inboundCall(f));
		hangupAll(f);
		expect(f.agent('u1').state).toBe('wrapup');
		f.input({ type: 'tick' }, 4000);
		expect(f.agent('u1').state).toBe('wrapup');
		f.input({ type: 'tick' }, 1000);
		expect(f.agent('u1').state).toBe('idle');
	});

	it('the outcome recorded ends the wrap-up at once, long before its timer', () => {
		const f = new Floor({ wrapupSeconds: 30 });
		f.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' });
		answer(inboundCall(f));
		hangupAll(f);
		const wrapup = f.agent('u1');
		expect(wrapup.state).toBe('wrapup');
		f.input({ type: 'wrapupDone', agentId: 'u1' }, 2000);
		expect(f.last.patches).toEqual([expect.objectContaining({ kind: 'agent', agent: expect.objectContaining({ id: 'u1', state: 'idle' }) })]);
		// idle from the moment the outcome came, ~2 s into a 30 s wrap-up
		expect(f.agent('u1').since).toBe(f.now);
		expect(f.agent('u1').since - wrapup.since).toBeLessThan(2100);
		// the timer that would have ended it finds nothing to end
		f.input({ type: 'tick' }, 30_000);
		expect(f.last.patches.filter((p) => p.kind === 'agent')).toEqual([]);
	});

	it('an outcome recorded during the call waives the wrap-up after it, and only after that call', () => {
		const f = new Floor({ wrapupSeconds: 30 });
		f.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' });
		answer(inboundCall(f));
		f.input({ type: 'wrapupDone', agentId: 'u1' }, 500);
		expect(f.agent('u1').state).toBe('talking');
		hangupAll(f);
		expect(f.agent('u1').state).toBe('idle');
		// the next call has its wrap-up again
		answer(inboundCall(f, '300'), '300');
		hangupAll(f, '300');
		expect(f.agent('u1').state).toBe('wrapup');
		// an outcome recorded while idle waives nothing
		f.input({ type: 'wrapupDone', agentId: 'u1' }, 100);
		f.input({ type: 'wrapupDone', agentId: 'u1' }, 100);
		answer(inboundCall(f, '400'), '400');
		hangupAll(f, '400');
		expect(f.agent('u1').state).toBe('wrapup');
	});

	it('no wrap-up with wrapupSeconds 0, nor after an unanswered call', () => {
		const f = new Floor({ wrapupSeconds: 0 });
		f.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' });
		answer(inboundCall(f));
		hangupAll(f);
		expect(f.agent('u1').state).toBe('idle');
		const g = new Floor();
		g.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' });
		inboundCall(g, '200');
		g.ev(
			{
				kind: 'Hangup',
				channel: chan('PJSIP/1001-0000200b', '200.2', '200.1', 'ringing'),
				cause: 19,
				causeText: ''
			},
			5000
		);
		expect(g.agent('u1').state).toBe('idle');
	});

	it('outbound from the phone: dialing (1 dial) → talking → wrapup; number from the dialled party', () => {
		const f = new Floor();
		const phone = (s: ChannelState) => chan('PJSIP/1001-00000010', '300.1', '300.1', s, '1001');
		const trunk = (s: ChannelState) => chan('PJSIP/trunk-00000011', '300.2', '300.1', s, '+4930222');
		f.ev({ kind: 'Newchannel', channel: phone('ring') });
		expect(f.agent('u1')).toMatchObject({ state: 'dialing', call: { direction: 'out' } });
		f.ev({ kind: 'Newchannel', channel: trunk('down') }, 50);
		f.ev({
			kind: 'DialBegin',
			caller: phone('ring'),
			dest: trunk('down'),
			dialString: 'PJSIP/+4930222@trunk'
		});
		f.ev({
			kind: 'DialBegin',
			caller: phone('ring'),
			dest: trunk('down'),
			dialString: 'PJSIP/+4930222@trunk'
		});
		expect(f.agent('u1')).toMatchObject({
			state: 'dialing',
			today: { dials: 1 },
			call: { number: '+4930222' }
		});
		f.ev({ kind: 'DialEnd', caller: phone('up'), dest: trunk('up'), dialStatus: 'ANSWER' }, 4000);
		f.ev({ kind: 'BridgeEnter', bridgeId: 'b3', channel: phone('up') });
		f.ev({ kind: 'BridgeEnter', bridgeId: 'b3', channel: trunk('up') });
		expect(f.agent('u1')).toMatchObject({ state: 'talking', today: { dials: 1, connects: 1 } });
		f.ev({ kind: 'Hangup', channel: trunk('up'), cause: 16, causeText: '' }, 61_400);
		f.ev({ kind: 'Hangup', channel: phone('up'), cause: 16, causeText: '' });
		expect(f.agent('u1')).toMatchObject({ state: 'wrapup', today: { talkSeconds: 61 } });
		expect(f.facts().get('300.1')).toMatchObject({
			direction: 'out',
			number: '+4930222',
			dialStatus: 'ANSWER'
		});
	});

	it('prefers a specific Hangup cause over DialEnd (unallocated: DialEnd NOANSWER, cause 1)', () => {
		const f = new Floor();
		const phone = (s: ChannelState) => chan('PJSIP/1001-00000020', '400.1', '400.1', s, '1001');
		const trunk = (s: ChannelState) => chan('PJSIP/trunk-00000021', '400.2', '400.1', s);
		f.ev({ kind: 'Newchannel', channel: phone('ring') });
		f.ev({
			kind: 'DialBegin',
			caller: phone('ring'),
			dest: trunk('down'),
			dialString: 'PJSIP/5550489@trunk'
		});
		f.ev({ kind: 'Hangup', channel: trunk('down'), cause: 1, causeText: 'Unallocated' }, 100);
		f.ev({ kind: 'DialEnd', caller: phone('ring'), dest: trunk('down'), dialStatus: 'NOANSWER' });
		f.ev({ kind: 'DialEnd', caller: phone('ring'), dest: trunk('down'), dialStatus: 'NOANSWER' });
		f.ev({ kind: 'Hangup', channel: phone('ring'), cause: 16, causeText: '' });
		expect(f.facts().get('400.1')).toMatchObject({
			dialStatus: 'CHANUNAVAIL',
			hangupCause: 1,
			number: '5550489',
			endedAt: f.now
		});
		// the late DialEnd duplicate after the end changes nothing and resurrects nothing
		const before = f.effects.length;
		f.ev({ kind: 'DialEnd', caller: phone('ring'), dest: trunk('down'), dialStatus: 'CANCEL' }, 10);
		expect(f.effects.length).toBe(before);
		expect(f.agent('u1').state).toBe('idle');
	});

	it('pause wins over idle, not over a call; back to paused after the call; unavailable → offline', () => {
		const f = new Floor({ wrapupSeconds: 2 });
		f.ev({ kind: 'QueueMember', member: member('PJSIP/1001') });
		expect(f.agent('u1').state).toBe('idle');
		f.ev(
			{ kind: 'QueueMemberPause', member: member('PJSIP/1001', { paused: true, pausedReason: 'lunch' }) },
			10
		);
		expect(f.agent('u1')).toMatchObject({ state: 'paused', pauseReason: 'lunch' });
		const queue = snapshot(f.state, 0, f.now).queues[0];
		expect(queue).toMatchObject({ id: 'pbx1:sales', members: 1, paused: 1, waiting: 0 });
		answer(inboundCall(f));
		expect(f.agent('u1')).toMatchObject({ state: 'talking', pauseReason: null });
		hangupAll(f);
		expect(f.agent('u1').state).toBe('wrapup');
		f.input({ type: 'tick' }, 2500);
		expect(f.agent('u1')).toMatchObject({ state: 'paused', pauseReason: 'lunch' });
		f.ev(
			{ kind: 'QueueMemberPause', member: member('PJSIP/1001', { paused: true, pausedReason: 'training' }) },
			10
		);
		expect(f.agent('u1')).toMatchObject({ state: 'paused', pauseReason: 'training', since: f.now });
		f.ev(
			{
				kind: 'QueueMemberStatus',
				member: member('PJSIP/1001', { status: 5, paused: true, pausedReason: 'training' })
			},
			10
		);
		expect(f.agent('u1').state).toBe('offline');
		f.ev({ kind: 'QueueMemberPause', member: member('PJSIP/1001', { status: 1 }) }, 10);
		expect(f.agent('u1').state).toBe('idle');
		const log = f.effects
			.filter((e) => e.kind === 'agentState')
			.map((e) => (e.reason === null ? e.state : `${e.state}:${e.reason}`));
		expect(log).toContain('paused:lunch');
		expect(log).toContain('paused:training');
	});

	it('no patch when nothing visible changed', () => {
		const f = new Floor();
		f.ev({ kind: 'DeviceStateChange', device: 'PJSIP/1001', state: 'NOT_INUSE' });
		inboundCall(f);
		f.ev({ kind: 'Newstate', channel: chan('PJSIP/1001-0000100b', '100.2', '100.1', 'ringing', '1001') }, 5);
		expect(f.last.patches).toEqual([]);
		f.ev({
			kind: 'VarSet',
			channel: chan('PJSIP/1001-0000100b', '100.2', '100.1', 'ringing'),
			name: 'SB_REC',
			value: '/rec/a.wav'
		});
		expect(f.last.patches).toEqual([]);
		// invisible on the floor, but the call row carries the recording
		expect(f.last.effects).toEqual([
			{ kind: 'call', call: expect.objectContaining({ recording: '/rec/a.wav' }) }
		]);
		f.ev({ kind: 'DeviceStateChange', device: 'Local/unrelated@x', state: 'INUSE' });
		f.ev({
			kind: 'Cdr',
			uniqueid: '1',
			channel: 'x',
			destinationChannel: null,
			source: null,
			destination: null,
			disposition: '',
			durationSeconds: 0,
			billableSeconds: 0
		});
		expect(f.last.patches).toEqual([]);
	});

	it('SB_* variables map the call to our ids, shown on the agent and in the fact', () => {
		const f = new Floor();
		inboundCall(f);
		const ch = chan('PJSIP/1001-0000100b', '100.2', '100.1', 'ringing');
		f.ev({ kind: 'VarSet', channel: ch, name: 'SB_CALL', value: 'c-1' });
		f.ev({ kind: 'VarSet', channel: ch, name: 'SB_LEAD', value: 'l-1' });
		f.ev({ kind: 'VarSet', channel: ch, name: 'SB_PROJECT', value: 'p-1' });
		f.ev({ kind: 'VarSet', channel: ch, name: 'SB_COMPANY', value: 'Acme‚ Inc' });
		f.ev({ kind: 'VarSet', channel: ch, name: 'SB_REC', value: '/rec/c-1.wav' });
		expect(f.agent('u1').call).toMatchObject({ callId: 'c-1', leadId: 'l-1', projectId: 'p-1', company: 'Acme‚ Inc' });
		expect(f.facts().get('100.1')).toMatchObject({
			callId: 'c-1',
			leadId: 'l-1',
			projectId: 'p-1',
			recording: '/rec/c-1.wav'
		});
	});

	it('the recording a queue started (MIXMONITOR_FILENAME) is kept relative to the spool, never over our SB_REC', () => {
		const f = new Floor();
		inboundCall(f);
		const caller = chan('PJSIP/trunk-0000100a', '100.1', '100.1', 'up', '+4930111');
		f.ev({ kind: 'VarSet', channel: caller, name: 'MIXMONITOR_FILENAME', value: '/var/spool/asterisk/monitor/100.1.wav' });
		expect(f.facts().get('100.1')).toMatchObject({ direction: 'in', recording: '100.1.wav' });
		const g = new Floor();
		inboundCall(g);
		g.ev({ kind: 'VarSet', channel: caller, name: 'SB_REC', value: 'ours.wav' });
		g.ev({ kind: 'VarSet', channel: caller, name: 'MIXMONITOR_FILENAME', value: '/var/spool/asterisk/monitor/100.1.wav' });
		expect(g.facts().get('100.1')).toMatchObject({ recording: 'ours.wav' });
	});

	it('hand raise and directory changes', () => {
		const f = new Floor();
		f.input({ type: 'hand', agentId: 'u2', raised: true });
		expect(f.last.patches).toEqual([
			{ kind: 'agent', agent: expect.objectContaining({ id: 'u2', handRaised: true }) }
		]);
		f.input({ type: 'hand', agentId: 'u2', raised: true });
		expect(f.last.patches).toEqual([]);
		f.input(
			{
				type: 'directory',
				agents: [
					AGENTS[0] as DirectoryAgent,
					{ id: 'u3', name: 'Cy', endpoint: 'PJSIP/1003', pbx: PBX, teamIds: [] }
				]
			},
			1000
		);
		expect(f.last.patches).toContainEqual({ kind: 'agentRemoved', agentId: 'u2' });
		expect(f.last.patches).toContainEqual({
			kind: 'agent',
			agent: expect.objectContaining({ id: 'u3', state: 'offline' })
		});
		expect(f.last.effects).toContainEqual({
			kind: 'agentState',
			agentId: 'u2',
			state: 'offline',
			reason: null,
			from: T0,
			to: f.now
		});
		expect(snapshot(f.state, 7, f.now).agents.map((a) => a.id)).toEqual(['u1', 'u3']);
	});

	it('an agent added while on a call gets that call', () => {
		const f = new Floor({}, []);
		answer(inboundCall(f));
		f.input({ type: 'directory', agents: AGENTS }, 100);
		expect(f.agent('u1')).toMatchObject({ state: 'talking', call: { linkedid: '100.1' } });
	});
});

describe('reduce: OriginateResponse correlation', () => {
	const phone = (s: ChannelState) => chan('PJSIP/1001-00000030', '500.1', '500.1', s, '1001');

	it('Success before the channel events attaches when the channel appears', () => {
		const f = new Floor();
		f.ev(
			{
				kind: 'OriginateResponse',
				actionId: 'a-1',
				success: true,
				reason: 4,
				channel: 'PJSIP/1001-00000030',
				endpoint: 'PJSIP/1001',
				uniqueid: '500.1',
				context: 'outbound',
				exten: '+4930333',
				application: '',
				data: '',
				callerNum: '1001',
				vars: null
			},
			0,
			'call-9'
		);
		expect(f.last.patches.filter((p) => p.kind === 'agent')).toEqual([]);
		f.ev({ kind: 'Newchannel', channel: phone('down') }, 5);
		expect(f.agent('u1')).toMatchObject({
			state: 'dialing',
			call: { callId: 'call-9', number: '+4930333', direction: 'out' }
		});
	});

	it('Failure (no Uniqueid) matches the call on the dial string endpoint', () => {
		const f = new Floor();
		f.ev({ kind: 'Newchannel', channel: phone('down') });
		f.ev({ kind: 'Newstate', channel: phone('ringing') }, 10);
		f.ev({ kind: 'Hangup', channel: phone('ringing'), cause: 19, causeText: '' }, 30_000);
		f.ev(
			{
				kind: 'OriginateResponse',
				actionId: 'a-2',
				success: false,
				reason: 3,
				channel: 'PJSIP/1001',
				endpoint: 'PJSIP/1001',
				uniqueid: null,
				context: 'outbound',
				exten: '+4930444',
				application: '',
				data: '',
				callerNum: null,
				vars: null
			},
			2,
			'call-10'
		);
		expect(f.facts().get('500.1')).toMatchObject({
			callId: 'call-10',
			dialStatus: 'NOANSWER',
			number: '+4930444',
			agentId: 'u1'
		});
	});

	it('Failure with no channel at all becomes its own fact on tick, keyed by our callId', () => {
		const f = new Floor({ originateGraceMs: 5000 });
		const failure: PbxEvent = {
			kind: 'OriginateResponse',
			actionId: 'a-3',
			success: false,
			reason: 0,
			channel: 'PJSIP/9999',
			endpoint: 'PJSIP/9999',
			uniqueid: null,
			context: 'outbound',
			exten: '+4930555',
			application: '',
			data: '',
			callerNum: null,
			vars: null
		};
		f.ev(failure, 0, 'call-11');
		f.input({ type: 'tick' }, 4000);
		expect(f.facts().has('originate:call-11')).toBe(false);
		f.input({ type: 'tick' }, 2000);
		expect(f.facts().get('originate:call-11')).toMatchObject({
			callId: 'call-11',
			dialStatus: 'FAILED',
			number: '+4930555'
		});
	});
});

describe('reduce: monitors', () => {
	const spyer = chan('PJSIP/2001-00000040', '600.1', '600.1', 'up', '2001');

	it('SB_MONITOR on the spyer leg attributes ChanSpyStart; mode switches; stop ends it', () => {
		const f = new Floor();
		answer(inboundCall(f));
		f.input({
			type: 'monitorRequested',
			pbx: PBX,
			monitorId: 'm-1',
			agentId: 'u1',
			supervisorId: 's1',
			supervisorName: 'Sue',
			mode: 'whisper'
		});
		f.ev({ kind: 'Newchannel', channel: spyer });
		f.ev({ kind: 'VarSet', channel: spyer, name: 'SB_MONITOR', value: 'm-1' });
		const spyee = chan('PJSIP/1001-0000100b', '100.2', '100.1', 'up', '1001');
		f.ev({ kind: 'ChanSpyStart', spyer, spyee }, 100);
		expect(f.last.patches).toEqual([
			{
				kind: 'monitor',
				monitor: {
					id: 'm-1',
					supervisorId: 's1',
					supervisorName: 'Sue',
					agentId: 'u1',
					mode: 'whisper',
					spyerChannel: spyer.name,
					since: f.now
				}
			}
		]);
		f.input({ type: 'monitorMode', monitorId: 'm-1', mode: 'barge' }, 10);
		expect(snapshot(f.state, 1, f.now).monitors[0]?.mode).toBe('barge');
		f.ev({ kind: 'ChanSpyStop', spyer, spyee }, 10);
		expect(f.last.patches).toEqual([{ kind: 'monitorEnded', monitorId: 'm-1' }]);
		expect(snapshot(f.state, 1, f.now).monitors).toEqual([]);
	});

	it('an uncorrelated spy still shows, and ends with the spyer hangup', () => {
		const f = new Floor();
		answer(inboundCall(f));
		f.ev({ kind: 'ChanSpyStart', spyer, spyee: chan('PJSIP/1001-0000100b', '100.2', '100.1', 'up') });
		expect(snapshot(f.state, 1, f.now).monitors).toEqual([
			expect.objectContaining({ id: 'pbx1:600.1', supervisorId: null, agentId: 'u1', mode: 'listen' })
		]);
		f.ev({ kind: 'Hangup', channel: spyer, cause: 16, causeText: '' });
		expect(f.last.patches).toContainEqual({ kind: 'monitorEnded', monitorId: 'pbx1:600.1' });
	});
});

describe('reduce: links, ticks, day rollover, purity', () => {
	it('link down keeps agent states and patches the pbx view', () => {
		const f = new Floor();
		answer(inboundCall(f));
		f.input({ type: 'link', pbx: PBX, connected: false }, 1000);
		expect(f.last.patches).toEqual([
			{ kind: 'pbx', pbx: expect.objectContaining({ name: PBX, connected: false, since: f.now }) }
		]);
		expect(f.agent('u1').state).toBe('talking');
		f.input({ type: 'link', pbx: PBX, connected: false }, 1000);
		expect(f.last.patches).toEqual([]);
	});

	it('lastEventAt is sent on tick, not per event', () => {
		const f = new Floor();
		inboundCall(f);
		const evAt = f.now;
		f.input({ type: 'tick' }, 500);
		expect(f.last.patches).toEqual([{ kind: 'pbx', pbx: expect.objectContaining({ lastEventAt: evAt }) }]);
		f.input({ type: 'tick' }, 1000);
		expect(f.last.patches).toEqual([]);
	});

	it('counters reset when the day changes', () => {
		const f = new Floor({ dayKey: (now) => String(Math.floor(now / 86_400_000)) });
		answer(inboundCall(f));
		hangupAll(f);
		expect(f.agent('u1').today.connects).toBe(1);
		f.input({ type: 'tick' }, 86_400_000);
		expect(f.agent('u1').today).toEqual({ dials: 0, connects: 0, talkSeconds: 0 });
	});

	it('never mutates the input state; the clock never goes backwards', () => {
		const f = new Floor();
		inboundCall(f);
		const before = f.state;
		const snap = JSON.stringify(snapshot(before, 1, f.now));
		const r = reduce(
			before,
			{
				type: 'ami',
				pbx: PBX,
				event: {
					kind: 'Hangup',
					channel: chan('PJSIP/1001-0000100b', '100.2', '100.1', 'up'),
					cause: 16,
					causeText: ''
				}
			},
			f.now - 60_000
		);
		expect(JSON.stringify(snapshot(before, 1, f.now))).toBe(snap);
		expect(r.state).not.toBe(before);
		expect(r.state.now).toBe(f.now);
		for (const a of snapshot(r.state, 1, f.now).agents) expect(a.since).toBeLessThanOrEqual(r.state.now);
	});
});
