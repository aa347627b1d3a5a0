import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock';
import type { SimFields } from './fields';
import { PbxModel, dialOutcome } from './model';
import type { OriginateRequest, OriginateResult, PbxModelOptions } from './model';

const AGENTS = [
	{ endpoint: 'PJSIP/1001', name: 'Alice Agent', extension: '1001' },
	{ endpoint: 'PJSIP/1002', name: 'Bob Agent', extension: '1002' },
	{ endpoint: 'PJSIP/1003', name: 'Carol Agent', extension: '1003' }
];

function setup(opts: Partial<PbxModelOptions> = {}): { m: PbxModel; clock: FakeClock; events: SimFields[] } {
	const clock = new FakeClock();
	const m = new PbxModel({ agents: AGENTS, clock, seed: 42, ...opts });
	const events: SimFields[] = [];
	m.onEvent((f) => events.push(f));
	return { m, clock, events };
}

const s = (f: SimFields, k: string): string | undefined => {
	const v = f[k];
	return typeof v === 'string' ? v : v?.[0];
};

/** `Event` or `Event(<key>=<value>)` summaries of the events touching a channel prefix. */
function trace(
	events: SimFields[],
	keep: (f: SimFields) => boolean,
	label: (f: SimFields) => string = (f) => s(f, 'Event') ?? ''
): string[] {
	return events.filter(keep).map(label);
}

function clickToCall(m: PbxModel, number: string, extra: Partial<OriginateRequest> = {}): OriginateResult[] {
	const results: OriginateResult[] = [];
	m.originate({
		channel: 'PJSIP/1001',
		context: 'outbound',
		exten: number,
		priority: 1,
		callerId: '"Alice Agent" <1001>',
		actionId: 'c2c-1',
		variables: [
			['SB_CALL', 'call-uuid'],
			['SB_LEAD', '42'],
			['SB_PROJECT', '7']
		],
		onResult: (r) => results.push(r),
		...extra
	});
	return results;
}

describe('dialOutcome', () => {
	it('maps the number suffix to an outcome', () => {
		expect(['0611110486', '0611110487', '0611110488', '0611110489', '0611111234'].map(dialOutcome)).toEqual([
			'busy',
			'noanswer',
			'congestion',
			'unavailable',
			'answer'
		]);
	});
});

describe('click-to-call', () => {
	it('answered: agent leg rings then answers, OriginateResponse, dial to the trunk, bridge, hangup', () => {
		const { m, clock, events } = setup();
		const results = clickToCall(m, '0612345678', { talkMs: 5000 });
		clock.advance(20_000);
		const key = new Set([
			'Newchannel',
			'DialBegin',
			'DialState',
			'DialEnd',
			'OriginateResponse',
			'BridgeCreate',
			'BridgeEnter',
			'BridgeLeave',
			'BridgeDestroy',
			'HangupRequest',
			'SoftHangupRequest',
			'Hangup'
		]);
		const t = trace(
			events,
			(f) => key.has(s(f, 'Event') ?? ''),
			(f) => {
				const ch = s(f, 'Channel') ?? s(f, 'DestChannel') ?? '';
				const who = ch.startsWith('PJSIP/1001-') ? 'agent' : ch.startsWith('PJSIP/trunk-') ? 'trunk' : '';
				const status =
					s(f, 'DialStatus') ?? s(f, 'Cause') ?? s(f, 'Response') ?? s(f, 'BridgeNumChannels') ?? '';
				return `${s(f, 'Event')}:${who}:${status}`;
			}
		);
		expect(t).toEqual([
			'Newchannel:agent:',
			'DialBegin:agent:',
			'DialState:agent:RINGING',
			'DialEnd:agent:ANSWER',
			'OriginateResponse:agent:Success',
			'Newchannel:trunk:',
			'DialBegin:agent:',
			'DialState:agent:RINGING',
			'DialEnd:agent:ANSWER',
			'BridgeCreate::0',
			'BridgeEnter:trunk:1',
			'BridgeEnter:agent:2',
			'HangupRequest:trunk:16',
			'BridgeLeave:trunk:1',
			'Hangup:trunk:16',
			'BridgeLeave:agent:0',
			'BridgeDestroy::0',
			'SoftHangupRequest:agent:16',
			'Hangup:agent:16'
		]);
		expect(results).toEqual([
			{
				response: 'Success',
				reason: 4,
				channel: expect.stringMatching(/^PJSIP\/1001-[0-9a-f]{8}$/),
				uniqueid: expect.any(String)
			}
		]);
		// every leg shares the agent leg's Uniqueid as Linkedid
		const agentUid = s(events.find((f) => s(f, 'Event') === 'Newchannel') ?? {}, 'Uniqueid');
		expect(agentUid).toMatch(/^\d+\.\d+$/);
		for (const f of events) if (s(f, 'Linkedid') !== undefined) expect(s(f, 'Linkedid')).toBe(agentUid);
		// Originate variables become VarSet on the agent leg, before NewCallerid
		const vs = events.filter((f) => s(f, 'Event') === 'VarSet' && s(f, 'Variable')?.startsWith('SB_'));
		expect(vs.map((f) => `${s(f, 'Variable')}=${s(f, 'Value')}`)).toEqual([
			'SB_CALL=call-uuid',
			'SB_LEAD=42',
			'SB_PROJECT=7'
		]);
		// device and queue member status: RINGING → INUSE → NOT_INUSE, 6 → 2 → 1
		expect(
			trace(
				events,
				(f) => s(f, 'Device') === 'PJSIP/1001',
				(f) => s(f, 'State') ?? ''
			)
		).toEqual(['RINGING', 'INUSE', 'NOT_INUSE']);
		expect(
			trace(
				events,
				(f) =>
					s(f, 'Event') === 'QueueMemberStatus' &&
					s(f, 'Interface') === 'PJSIP/1001' &&
					s(f, 'Queue') === 'sales',
				(f) => s(f, 'Status') ?? ''
			)
		).toEqual(['6', '2', '1']);
		expect(m.channels()).toEqual([]);
	});

	it.each([
		['0611110486', 'BUSY', '17', 'BUSY', '16'],
		['0611110487', 'NOANSWER', '0', 'NOANSWER', '16'],
		['0611110488', 'CONGESTION', '34', 'CONGESTION', '16'],
		['0611110489', 'NOANSWER', '1', 'CHANUNAVAIL', '1']
	])(
		'%s: DialEnd %s, trunk cause %s, DIALSTATUS %s, agent cause %s',
		(number, dialEnd, trunkCause, dialStatus, agentCause) => {
			const { m, clock, events } = setup();
			const results = clickToCall(m, number);
			clock.advance(30_000);
			expect(results.map((r) => `${r.response}/${r.reason}`)).toEqual(['Success/4']);
			const trunkDialEnd = events.find(
				(f) => s(f, 'Event') === 'DialEnd' && s(f, 'DestChannel')?.startsWith('PJSIP/trunk-')
			);
			expect(s(trunkDialEnd ?? {}, 'DialStatus')).toBe(dialEnd);
			const hangups = events.filter((f) => s(f, 'Event') === 'Hangup');
			expect(hangups.map((f) => `${s(f, 'Channel')?.slice(0, 10)}:${s(f, 'Cause')}`)).toEqual([
				`PJSIP/trun:${trunkCause}`,
				`PJSIP/1001:${agentCause}`
			]);
			const ds = events.filter((f) => s(f, 'Event') === 'VarSet' && s(f, 'Variable') === 'DIALSTATUS');
			expect(ds.map((f) => s(f, 'Value'))).toEqual([dialStatus]);
			expect(events.some((f) => s(f, 'Event') === 'BridgeCreate')).toBe(false);
			expect(m.channels()).toEqual([]);
		}
	);

	it('OriginateResponse failures: agent never answers (3), agent busy (5), trunk busy (5) / congestion (8) / no answer (3), bad dial string (0)', () => {
		const { m, clock, events } = setup();
		m.setAnswerMode('PJSIP/1002', 'never');
		m.setAnswerMode('PJSIP/1003', 'busy');
		const all: OriginateResult[] = [];
		const o = (channel: string, extra: Partial<OriginateRequest> = {}): void =>
			m.originate({
				channel,
				context: 'outbound',
				exten: '0612345678',
				callerId: '"X" <1>',
				timeoutMs: 5000,
				onResult: (r) => all.push(r),
				...extra
			});
		o('PJSIP/1002');
		clock.advance(6000);
		o('PJSIP/1003');
		clock.advance(100);
		o('PJSIP/0611110486@trunk', { application: 'Wait', data: '1' });
		clock.advance(100);
		o('PJSIP/0611110488@trunk', { application: 'Wait', data: '1' });
		clock.advance(100);
		o('PJSIP/0611110487@trunk', { application: 'Wait', data: '1', timeoutMs: 4000 });
		clock.advance(5000);
		const before = events.filter((f) => s(f, 'Event') === 'Newchannel').length;
		o('SIP/nope');
		clock.advance(100);
		expect(events.filter((f) => s(f, 'Event') === 'Newchannel').length).toBe(before);
		expect(all.map((r) => `${r.response}/${r.reason}/${r.channel}/${r.uniqueid}`)).toEqual([
			'Failure/3/PJSIP/1002/<unknown>',
			'Failure/5/PJSIP/1003/<unknown>',
			'Failure/5/PJSIP/0611110486@trunk/<unknown>',
			'Failure/8/PJSIP/0611110488@trunk/<unknown>',
			'Failure/3/PJSIP/0611110487@trunk/<unknown>',
			'Failure/0/SIP/nope/<unknown>'
		]);
		const resp = events.filter((f) => s(f, 'Event') === 'OriginateResponse');
		expect(resp.map((f) => s(f, 'Channel'))).toEqual([
			'PJSIP/1002',
			'PJSIP/1003',
			'PJSIP/0611110486@trunk',
			'PJSIP/0611110488@trunk',
			'PJSIP/0611110487@trunk',
			'SIP/nope'
		]);
		expect(resp.every((f) => s(f, 'Uniqueid') === '<unknown>' && s(f, 'Response') === 'Failure')).toBe(true);
		// the never-answering agent leg: cause 19
		const h = events.find((f) => s(f, 'Event') === 'Hangup' && s(f, 'Channel')?.startsWith('PJSIP/1002-'));
		expect(`${s(h ?? {}, 'Cause')} ${s(h ?? {}, 'Cause-txt')}`).toBe('19 User alerting, no answer');
		expect(m.channels()).toEqual([]);
	});

	it('a Hangup action while the agent phone rings ends the Originate with Failure reason 1', () => {
		const { m, clock } = setup();
		const results = clickToCall(m, '0612345678');
		const leg = m.channels()[0]?.name ?? '';
		expect(m.hangup(leg)).toBe(true);
		clock.advance(10_000);
		expect(results.map((r) => `${r.response}/${r.reason}`)).toEqual(['Failure/1']);
	});

	it('a Hangup of the agent while the customer rings cancels the Dial (DialEnd CANCEL)', () => {
		const { m, clock, events } = setup();
		clickToCall(m, '0612345678');
		clock.advance(1500);
		const agent = m.channels().find((c) => c.name.startsWith('PJSIP/1001-'));
		expect(m.hangup(agent?.name ?? '')).toBe(true);
		expect(events.filter((f) => s(f, 'Event') === 'DialEnd').map((f) => s(f, 'DialStatus'))).toEqual([
			'ANSWER',
			'CANCEL'
		]);
		const h = events
			.filter((f) => s(f, 'Event') === 'Hangup')
			.map((f) => `${s(f, 'Channel')?.slice(0, 7)}:${s(f, 'Cause')}`);
		expect(h).toEqual(['PJSIP/t:0', 'PJSIP/1:0']);
		clock.advance(10_000);
		expect(m.channels()).toEqual([]);
	});

	it('talk time from a SIM_TALK channel variable (seconds)', () => {
		const { m, clock, events } = setup();
		m.originate({
			channel: 'PJSIP/1001',
			context: 'outbound',
			exten: '0612345678',
			variables: [['SIM_TALK', '7']]
		});
		clock.advance(3000 + 6999);
		expect(m.channels().length).toBe(2);
		clock.advance(1);
		expect(m.channels().length).toBe(0);
		expect(
			events.filter((f) => s(f, 'Event') === 'HangupRequest').map((f) => s(f, 'Channel')?.slice(0, 11))
		).toEqual(['PJSIP/trunk']);
	});

	it('inherits _VAR to the customer leg as VAR, and __VAR as __VAR', () => {
		const { m, clock, events } = setup();
		m.originate({
			channel: 'PJSIP/1001',
			context: 'outbound',
			exten: '0612345678',
			variables: [
				['SB_CALL', 'a'],
				['_SB_PROJECT', 'p'],
				['__SB_LEAD', 'l']
			]
		});
		clock.advance(1500);
		const trunkVars = events
			.filter((f) => s(f, 'Event') === 'VarSet' && s(f, 'Channel')?.startsWith('PJSIP/trunk-'))
			.map((f) => `${s(f, 'Variable')}=${s(f, 'Value')}`);
		expect(trunkVars).toEqual(['SB_PROJECT=p', '__SB_LEAD=l']);
		const agent = m.channels().find((c) => c.name.startsWith('PJSIP/1001-'))?.name ?? '';
		expect(m.getVar(agent, 'SB_PROJECT')).toBe('p');
		expect(m.getVar('PJSIP/nope-1', 'X')).toBeNull();
	});
});

describe('earlyOriginateResponse', () => {
	it('holds a call’s events until its OriginateResponse, which then comes first', () => {
		const { m, clock, events } = setup({ earlyOriginateResponse: 1 });
		clickToCall(m, '0612345678');
		m.setAnswerMode('PJSIP/1002', 'never');
		m.originate({
			channel: 'PJSIP/1002',
			context: 'outbound',
			exten: '0612345678',
			timeoutMs: 3000,
			actionId: 'c2c-2'
		});
		clock.advance(500);
		expect(
			events.filter((f) => s(f, 'Linkedid') !== undefined || s(f, 'DestLinkedid') !== undefined)
		).toEqual([]);
		clock.advance(10_000);
		const names = events.filter(
			(f) => s(f, 'Event') !== 'QueueMemberStatus' && s(f, 'Event') !== 'DeviceStateChange'
		);
		const firstOf = (id: string): number => names.findIndex((f) => s(f, 'ActionID') === id);
		expect(s(names[0] ?? {}, 'Event')).toBe('OriginateResponse');
		expect(s(names[firstOf('c2c-1')] ?? {}, 'Response')).toBe('Success');
		expect(s(names[firstOf('c2c-1') + 1] ?? {}, 'Event')).toBe('Newchannel');
		expect(s(names[firstOf('c2c-2')] ?? {}, 'Response')).toBe('Failure');
		expect(s(names[firstOf('c2c-2') + 1] ?? {}, 'Event')).toBe('Newchannel');
		// the failed call's events were released, up to its Hangup; the answered one is live and unheld
		expect(names.filter((f) => s(f, 'Event') === 'Hangup').map((f) => s(f, 'Channel')?.slice(0, 10))).toEqual(
			['PJSIP/1002']
		);
		expect(m.hangupMatching(/^PJSIP\/1001-/).length).toBe(1);
		expect(names.length).toBeLessThan(events.length);
	});
});

describe('ChanSpy', () => {
	function liveCall(): { m: PbxModel; clock: FakeClock; events: SimFields[]; agent: string } {
		const t = setup();
		clickToCall(t.m, '0612345678');
		t.clock.advance(3000);
		const agent = t.m.channels().find((c) => c.name.startsWith('PJSIP/1001-'))?.name ?? '';
		expect(agent).not.toBe('');
		return { ...t, agent };
	}
	const spy = (m: PbxModel, data: string, channel = 'PJSIP/2001'): void =>
		m.originate({ channel, application: 'ChanSpy', data, callerId: '"Supervisor" <2001>', actionId: 'spy' });

	it.each([
		['qE', 'listen'],
		['qwE', 'whisper'],
		['qBE', 'barge']
	])('options %s start in %s mode; Hangup of the spyer stops it', (opts, mode) => {
		const { m, clock, events, agent } = liveCall();
		spy(m, `PJSIP/1001,${opts}`);
		clock.advance(1000);
		const start = events.find((f) => s(f, 'Event') === 'ChanSpyStart');
		expect(s(start ?? {}, 'SpyeeChannel')).toBe(agent);
		const spyer = s(start ?? {}, 'SpyerChannel') ?? '';
		expect(spyer).toMatch(/^PJSIP\/2001-/);
		expect(m.spyMode(spyer)).toBe(mode);
		expect(m.hangup(spyer)).toBe(true);
		const tail = trace(events.slice(events.indexOf(start ?? {}) + 1), (f) =>
			['ChanSpyStop', 'SoftHangupRequest', 'Hangup'].includes(s(f, 'Event') ?? '')
		);
		expect(tail).toEqual(['ChanSpyStop', 'SoftHangupRequest', 'Hangup']);
		const h = events.find((f) => s(f, 'Event') === 'Hangup' && s(f, 'Channel') === spyer);
		expect(s(h ?? {}, 'Cause')).toBe('0');
		expect(m.channel(agent)).toBeDefined();
	});

	it('d: PlayDTMF Receive 5/6/4 switches whisper/barge/listen, DTMFEnd Direction Received; E ends with the spied call', () => {
		const { m, clock, events, agent } = liveCall();
		spy(m, 'PJSIP/1001,qdE', 'Local/0699999999@outbound');
		clock.advance(1000);
		const spyer = m.channels().find((c) => c.name.startsWith('Local/') && c.name.endsWith(';1'))?.name ?? '';
		expect(m.spyTarget(spyer)).toBe(agent);
		const modes: Array<string | null> = [m.spyMode(spyer)];
		for (const d of ['5', '6', '4']) {
			expect(m.playDtmf(spyer, d, 250, true)).toBe(true);
			modes.push(m.spyMode(spyer));
		}
		expect(modes).toEqual(['listen', 'whisper', 'barge', 'listen']);
		const dtmf = events.filter((f) => s(f, 'Event') === 'DTMFEnd');
		expect(dtmf.map((f) => `${s(f, 'Digit')}/${s(f, 'DurationMs')}/${s(f, 'Direction')}`)).toEqual([
			'5/250/Received',
			'6/250/Received',
			'4/250/Received'
		]);
		m.hangup(agent);
		const order = trace(
			events,
			(f) =>
				(s(f, 'Event') === 'ChanSpyStop' || s(f, 'Event') === 'Hangup') &&
				(s(f, 'Channel') ?? s(f, 'SpyerChannel') ?? '') !== ''
		);
		expect(order.slice(-5)).toEqual(['ChanSpyStop', 'Hangup', 'Hangup', 'Hangup', 'Hangup']);
		clock.advance(100);
		expect(m.channels()).toEqual([]);
	});

	it('without d, DTMF does not switch; without E the spyer stays and re-arms on the next call', () => {
		const { m, clock, events, agent } = liveCall();
		spy(m, 'PJSIP/1001,q');
		clock.advance(1000);
		const spyer = m.channels().find((c) => c.name.startsWith('PJSIP/2001-'))?.name ?? '';
		m.playDtmf(spyer, '5', 100, true);
		expect(m.spyMode(spyer)).toBe('listen');
		m.hangup(agent);
		expect(m.channel(spyer)).toBeDefined();
		expect(m.spyTarget(spyer)).toBeNull();
		clickToCall(m, '0612345678');
		clock.advance(3000);
		expect(m.spyTarget(spyer)).toMatch(/^PJSIP\/1001-/);
		expect(events.filter((f) => s(f, 'Event') === 'ChanSpyStart').length).toBe(2);
	});

	it('u: spies by Uniqueid', () => {
		const { m, clock, agent } = liveCall();
		const uid = m.channel(agent)?.uniqueid ?? '';
		spy(m, `${uid},uqE`);
		clock.advance(1000);
		const spyer = m.channels().find((c) => c.name.startsWith('PJSIP/2001-'))?.name ?? '';
		expect(m.spyTarget(spyer)).toBe(agent);
	});
});

describe('queues', () => {
	it('answered inbound call: Join → AgentCalled → Leave → Connect → Complete, member status 1→6→2→1 in each of its queues', () => {
		const { m, clock, events } = setup({
			queues: [
				{ name: 'sales', members: ['PJSIP/1002'] },
				{ name: 'support', members: ['PJSIP/1002'] }
			]
		});
		m.inboundCall({ queue: 'sales', callerNum: '0600000001', callerName: 'Dora Client', talkMs: 4000 });
		clock.advance(20_000);
		const queueEvents = trace(events, (f) => /^(Queue(Caller\w+)|Agent\w+)$/.test(s(f, 'Event') ?? ''));
		expect(queueEvents).toEqual([
			'QueueCallerJoin',
			'AgentCalled',
			'QueueCallerLeave',
			'AgentConnect',
			'AgentComplete'
		]);
		const complete = events.find((f) => s(f, 'Event') === 'AgentComplete') ?? {};
		expect([
			s(complete, 'Reason'),
			s(complete, 'HoldTime'),
			s(complete, 'TalkTime'),
			s(complete, 'Interface'),
			s(complete, 'MemberName')
		]).toEqual(['caller', '2', '4', 'PJSIP/1002', 'Bob Agent']);
		for (const q of ['sales', 'support']) {
			expect(
				trace(
					events,
					(f) => s(f, 'Event') === 'QueueMemberStatus' && s(f, 'Queue') === q,
					(f) => s(f, 'Status') ?? ''
				)
			).toEqual(['6', '2', '1']);
		}
		expect(m.queues().find((q) => q.name === 'sales')?.members[0]?.callsTaken).toBe(1);
	});

	it('pause with a reason (all queues or one), paused members get no calls, abandon after patience', () => {
		const { m, clock, events } = setup({
			queues: [
				{ name: 'sales', members: ['PJSIP/1001'] },
				{ name: 'support', members: ['PJSIP/1001'] }
			]
		});
		expect(m.queuePause({ iface: 'PJSIP/1001', paused: true, reason: 'lunch' })).toBe(2);
		expect(m.queuePause({ iface: 'PJSIP/1009', paused: true })).toBe(0);
		const pauses = events.filter((f) => s(f, 'Event') === 'QueueMemberPause');
		expect(pauses.map((f) => `${s(f, 'Queue')}:${s(f, 'Paused')}:${s(f, 'PausedReason')}`)).toEqual([
			'sales:1:lunch',
			'support:1:lunch'
		]);
		m.inboundCall({ queue: 'sales', callerNum: '0600000002', patienceMs: 5000 });
		clock.advance(6000);
		expect(events.some((f) => s(f, 'Event') === 'AgentCalled')).toBe(false);
		expect(trace(events, (f) => /^QueueCaller/.test(s(f, 'Event') ?? ''))).toEqual([
			'QueueCallerJoin',
			'QueueCallerAbandon',
			'QueueCallerLeave'
		]);
		expect(m.queuePause({ iface: 'PJSIP/1001', paused: false, queue: 'support' })).toBe(1);
		const last = events.filter((f) => s(f, 'Event') === 'QueueMemberPause').at(-1) ?? {};
		expect(`${s(last, 'Queue')}:${s(last, 'Paused')}:${s(last, 'PausedReason')}`).toBe('support:0:');
		expect(m.agentPaused('PJSIP/1001')).toBe(false);
	});

	it('a waiting caller is offered as soon as a member is unpaused', () => {
		const { m, clock, events } = setup({ queues: [{ name: 'sales', members: ['PJSIP/1001'] }] });
		m.queuePause({ iface: 'PJSIP/1001', paused: true, reason: 'break' });
		m.inboundCall({ queue: 'sales', patienceMs: 60_000 });
		clock.advance(5000);
		expect(events.some((f) => s(f, 'Event') === 'AgentCalled')).toBe(false);
		m.queuePause({ iface: 'PJSIP/1001', paused: false });
		expect(events.some((f) => s(f, 'Event') === 'AgentCalled')).toBe(true);
	});

	it('Originate Local/<queue>@inbound: a customer with that CallerID joins the queue; SIM_MEMBER holds it for one member', () => {
		const { m, clock, events } = setup({ queues: [{ name: 'sales', members: ['PJSIP/1001', 'PJSIP/1002'] }] });
		m.queuePause({ iface: 'PJSIP/1002', paused: true, reason: 'break' });
		const results: OriginateResult[] = [];
		m.originate({
			channel: 'Local/sales@inbound',
			application: 'Wait',
			data: '600',
			callerId: '"Calling Back" <+33140000001>',
			variables: [['SIM_MEMBER', 'PJSIP/1002'], ['SIM_TALK', '3']],
			onResult: (r) => results.push(r)
		});
		clock.advance(5000);
		const join = events.find((f) => s(f, 'Event') === 'QueueCallerJoin') ?? {};
		expect([s(join, 'Queue'), s(join, 'CallerIDNum'), s(join, 'CallerIDName')]).toEqual(['sales', '+33140000001', 'Calling Back']);
		expect(results.map((r) => [r.response, r.reason, r.uniqueid])).toEqual([['Success', 4, s(join, 'Uniqueid')]]);
		// 1001 is free, but the caller waits for 1002
		expect(events.some((f) => s(f, 'Event') === 'AgentCalled')).toBe(false);
		m.queuePause({ iface: 'PJSIP/1002', paused: false });
		clock.advance(20_000);
		const connect = events.find((f) => s(f, 'Event') === 'AgentConnect') ?? {};
		expect(s(connect, 'Interface')).toBe('PJSIP/1002');
		const complete = events.find((f) => s(f, 'Event') === 'AgentComplete') ?? {};
		expect(s(complete, 'TalkTime')).toBe('3');
		// an unknown queue has no dialplan: Failure reason 0
		m.originate({ channel: 'Local/nosuch@inbound', application: 'Wait', onResult: (r) => results.push(r) });
		clock.advance(100);
		expect(results.at(-1)?.reason).toBe(0);
	});

	it('monitor-format: the queue records an answered caller, VarSet MIXMONITOR_FILENAME before MixMonitorStart', () => {
		const { m, clock, events } = setup({ queues: [{ name: 'sales', members: ['PJSIP/1001'], monitorFormat: 'wav' }] });
		const files: string[] = [];
		m.onRecording((r) => files.push(r.file));
		m.inboundCall({ queue: 'sales', callerNum: '0600000003', talkMs: 2000 });
		clock.advance(10_000);
		const join = events.find((f) => s(f, 'Event') === 'QueueCallerJoin') ?? {};
		const uid = s(join, 'Uniqueid');
		expect(files).toEqual([`${uid}.wav`]);
		const order = trace(
			events,
			(f) => (s(f, 'Event') === 'VarSet' && s(f, 'Variable') === 'MIXMONITOR_FILENAME') || s(f, 'Event') === 'MixMonitorStart',
			(f) => `${s(f, 'Event')}:${s(f, 'Value') ?? s(f, 'Uniqueid')}`
		);
		expect(order).toEqual([`VarSet:/var/spool/asterisk/monitor/${uid}.wav`, `MixMonitorStart:${uid}`]);
	});

	it('ring no answer: AgentRingNoAnswer (RingTime ms), duplicate DialEnd NOANSWER/CANCEL, retry after queueRetryMs', () => {
		const { m, clock, events } = setup({
			queues: [{ name: 'support', members: ['PJSIP/1003'], memberTimeoutMs: 8000 }]
		});
		m.setAnswerMode('PJSIP/1003', 'never');
		m.inboundCall({ queue: 'support', patienceMs: 20_000 });
		clock.advance(8000);
		const rna = events.filter((f) => s(f, 'Event') === 'AgentRingNoAnswer');
		expect(rna.map((f) => s(f, 'RingTime'))).toEqual(['8000']);
		expect(events.filter((f) => s(f, 'Event') === 'DialEnd').map((f) => s(f, 'DialStatus'))).toEqual([
			'NOANSWER',
			'CANCEL'
		]);
		expect(events.filter((f) => s(f, 'Event') === 'AgentCalled').length).toBe(1);
		clock.advance(999);
		expect(events.filter((f) => s(f, 'Event') === 'AgentCalled').length).toBe(1);
		clock.advance(1);
		expect(events.filter((f) => s(f, 'Event') === 'AgentCalled').length).toBe(2);
		clock.advance(20_000);
		expect(m.channels()).toEqual([]);
	});

	it('QueueAdd / QueueRemove / QueuePenalty', () => {
		const { m, events } = setup();
		expect(m.queueAdd({ queue: 'sales', iface: 'PJSIP/1009', memberName: 'Temp', penalty: 1 })).toBe('ok');
		expect(m.queueAdd({ queue: 'sales', iface: 'PJSIP/1009' })).toBe('exists');
		expect(m.queueAdd({ queue: 'nosuch', iface: 'PJSIP/1009' })).toBe('noqueue');
		expect(m.queuePenalty({ iface: 'PJSIP/1009', penalty: 3 })).toBe(1);
		expect(m.queueRemove({ queue: 'sales', iface: 'PJSIP/1009' })).toBe('ok');
		expect(m.queueRemove({ queue: 'sales', iface: 'PJSIP/1009' })).toBe('notthere');
		const ev = events.filter((f) => /^QueueMember(Added|Removed|Penalty)$/.test(s(f, 'Event') ?? ''));
		expect(
			ev.map((f) => `${s(f, 'Event')}:${s(f, 'Membership')}:${s(f, 'Penalty')}:${s(f, 'Status')}`)
		).toEqual([
			'QueueMemberAdded:dynamic:1:5',
			'QueueMemberPenalty:dynamic:3:5',
			'QueueMemberRemoved:dynamic:3:5'
		]);
	});
});

describe('determinism and invariants', () => {
	it('the same seed and inputs give the same event stream', () => {
		const run = (): string => {
			const { m, clock, events } = setup({ bots: true });
			clickToCall(m, '0612345678');
			m.inboundCall({ queue: 'sales' });
			clock.advance(120_000);
			return JSON.stringify(events);
		};
		const a = run();
		expect(a.length).toBeGreaterThan(10_000);
		expect(run()).toBe(a);
	});

	type Op =
		| { k: 'c2c'; agent: number; num: number }
		| { k: 'in'; queue: number; patience: number }
		| { k: 'adv'; ms: number }
		| { k: 'hang'; pick: number }
		| { k: 'pause'; agent: number; paused: boolean }
		| { k: 'spy'; agent: number; opts: string }
		| { k: 'mode'; agent: number; mode: 'auto' | 'never' | 'busy' }
		| { k: 'dtmf'; pick: number; digit: string };
	const NUMBERS = ['0611110486', '0611110487', '0611110488', '0611110489', '0611112222', '0611113333'];
	const op: fc.Arbitrary<Op> = fc.oneof(
		fc.record({ k: fc.constant('c2c' as const), agent: fc.nat(2), num: fc.nat(NUMBERS.length - 1) }),
		fc.record({
			k: fc.constant('in' as const),
			queue: fc.nat(1),
			patience: fc.integer({ min: 1000, max: 30_000 })
		}),
		fc.record({ k: fc.constant('adv' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
		fc.record({ k: fc.constant('hang' as const), pick: fc.nat(20) }),
		fc.record({ k: fc.constant('pause' as const), agent: fc.nat(2), paused: fc.boolean() }),
		fc.record({
			k: fc.constant('spy' as const),
			agent: fc.nat(2),
			opts: fc.constantFrom('q', 'qE', 'qdE', 'qwE', 'qBE')
		}),
		fc.record({
			k: fc.constant('mode' as const),
			agent: fc.nat(2),
			mode: fc.constantFrom('auto' as const, 'never' as const, 'busy' as const)
		}),
		fc.record({ k: fc.constant('dtmf' as const), pick: fc.nat(20), digit: fc.constantFrom('4', '5', '6') })
	);

	it('any sequence of actions keeps channels, bridges and Originates consistent', () => {
		fc.assert(
			fc.property(fc.array(op, { maxLength: 40 }), fc.boolean(), (ops, bots) => {
				const { m, clock, events } = setup({ bots });
				let originates = 0;
				for (const o of ops) {
					const agent =
						AGENTS[o.k === 'c2c' || o.k === 'pause' || o.k === 'spy' || o.k === 'mode' ? o.agent : 0]
							?.endpoint ?? '';
					switch (o.k) {
						case 'c2c':
							originates++;
							m.originate({
								channel: agent,
								context: 'outbound',
								exten: NUMBERS[o.num] ?? '',
								actionId: `o${originates}`
							});
							break;
						case 'in':
							m.inboundCall({ queue: o.queue === 0 ? 'sales' : 'support', patienceMs: o.patience });
							break;
						case 'adv':
							clock.advance(o.ms);
							break;
						case 'hang': {
							const chans = m.channels();
							const c = chans[o.pick % Math.max(1, chans.length)];
							if (c !== undefined) m.hangup(c.name);
							break;
						}
						case 'pause':
							m.queuePause({ iface: agent, paused: o.paused, reason: 'x' });
							break;
						case 'spy':
							originates++;
							m.originate({
								channel: 'PJSIP/2001',
								application: 'ChanSpy',
								data: `${agent},${o.opts}`,
								actionId: `o${originates}`
							});
							break;
						case 'mode':
							m.setAnswerMode(agent, o.mode);
							break;
						case 'dtmf': {
							const chans = m.channels();
							const c = chans[o.pick % Math.max(1, chans.length)];
							if (c !== undefined) m.playDtmf(c.name, o.digit, 100, true);
							break;
						}
					}
				}
				for (const a of AGENTS) m.setBot(a.endpoint, false);
				for (let i = 0; i < 5 && m.channels().length > 0; i++) {
					m.hangupMatching(/./);
					clock.advance(60_000);
				}
				clock.advance(200_000);
				expect(m.channels()).toEqual([]);

				const live = new Map<string, string>(); // uniqueid → linkedid
				const dead = new Set<string>();
				const bridges = new Map<string, number>();
				let responses = 0;
				for (const f of events) {
					const ev = s(f, 'Event') ?? '';
					const uid = s(f, 'Uniqueid');
					if (ev === 'OriginateResponse') {
						if (s(f, 'ActionID')?.startsWith('o') === true) responses++;
						continue;
					}
					if (ev === 'Newchannel' && uid !== undefined) {
						expect(live.has(uid) || dead.has(uid)).toBe(false);
						live.set(uid, s(f, 'Linkedid') ?? '');
						continue;
					}
					if (uid !== undefined && uid !== 'none' && ev !== 'Cdr') {
						expect(dead.has(uid), `${ev} after Hangup`).toBe(false);
						expect(live.get(uid), `${ev} Linkedid constant`).toBe(s(f, 'Linkedid'));
					}
					if (ev === 'Hangup' && uid !== undefined) {
						live.delete(uid);
						dead.add(uid);
					}
					const b = s(f, 'BridgeUniqueid');
					if (b !== undefined) {
						if (ev === 'BridgeCreate') bridges.set(b, 0);
						if (ev === 'BridgeEnter') bridges.set(b, (bridges.get(b) ?? -99) + 1);
						if (ev === 'BridgeLeave') bridges.set(b, (bridges.get(b) ?? -99) - 1);
						if (ev === 'BridgeDestroy') {
							expect(bridges.get(b)).toBe(0);
							bridges.delete(b);
						}
					}
				}
				expect(live.size).toBe(0);
				expect(bridges.size).toBe(0);
				expect(responses).toBe(originates);
				for (const a of AGENTS) expect(m.deviceState(a.endpoint)).toBe('NOT_INUSE');
			}),
			{ numRuns: 150 }
		);
	});
});
