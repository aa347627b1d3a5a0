import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	FLOOR_EVENT_NAMES,
	PBX_EVENT_NAMES,
	channelEndpoint,
	durationSeconds,
	interfaceEndpoint,
	normalizeEvent
} from './normalize';
import type { PbxEvent } from './normalize';
import { AmiParser, first } from './parser';
import type { AmiMessage } from './parser';

const DIR = path.resolve(process.cwd(), '../shared/ami-transcripts');
const NAMES = [
	'a_status_snapshot',
	'b_click2call_answered',
	'b2_click2call_timestampevents_chanvars',
	'c_click2call_failures',
	'd_queue_inbound',
	'd2_queue_ringnoanswer',
	'e_supervisor_spy',
	'f_mixmonitor',
	'g_burst_errors_logoff'
];
const haveTranscripts = NAMES.every((n) => existsSync(path.join(DIR, `${n}.rx.ami`)));

function messages(name: string): AmiMessage[] {
	return new AmiParser({ encoding: 'latin1' }).push(readFileSync(path.join(DIR, `${name}.rx.ami`)));
}

/** A message built from `Key: value` lines (repeated keys become arrays, like the parser does). */
function msg(lines: string): AmiMessage {
	return (
		new AmiParser({ expectBanner: false }).push(lines.trim().replace(/\n/g, '\r\n') + '\r\n\r\n')[0] ?? {}
	);
}

type Kind<K extends PbxEvent['kind']> = Extract<PbxEvent, { kind: K }>;

function firstOf<K extends PbxEvent['kind']>(name: string, kind: K, pred?: (e: Kind<K>) => boolean): Kind<K> {
	for (const m of messages(name)) {
		const e = normalizeEvent(m);
		if (e !== null && e.kind === kind && (pred === undefined || pred(e as Kind<K>))) return e as Kind<K>;
	}
	throw new Error(`no ${kind} in ${name}`);
}

describe('channelEndpoint / interfaceEndpoint', () => {
	it('strips the unique suffix of channel names', () => {
		expect(channelEndpoint('PJSIP/1001-0000001a')).toBe('PJSIP/1001');
		expect(channelEndpoint('Local/agent1@agents-0000abcd;1')).toBe('Local/agent1@agents');
		expect(channelEndpoint('Local/agent1@agents-0000abcd;2')).toBe('Local/agent1@agents');
		expect(channelEndpoint('Local/5551234@pstn-0000000e;1')).toBe('Local/5551234@pstn');
		expect(channelEndpoint('PJSIP/trunk-provider-000000ff')).toBe('PJSIP/trunk-provider');
		expect(channelEndpoint('SIP/1001-00000001<ZOMBIE>')).toBe('SIP/1001');
		expect(channelEndpoint('PJSIP/1001')).toBe('PJSIP/1001');
	});

	it('drops Local options from queue interfaces and dial strings', () => {
		expect(interfaceEndpoint('Local/agent1@agents/n')).toBe('Local/agent1@agents');
		expect(interfaceEndpoint('Local/agent1@agents')).toBe('Local/agent1@agents');
		expect(interfaceEndpoint('PJSIP/1001')).toBe('PJSIP/1001');
	});

	it('agrees between a member interface and its channels', () => {
		fc.assert(
			fc.property(
				fc.stringMatching(/^[a-z0-9]{1,12}$/),
				fc.stringMatching(/^[a-z]{1,8}$/),
				fc.stringMatching(/^[0-9a-f]{8}$/),
				fc.constantFrom(';1', ';2'),
				(exten, context, hex, half) => {
					const iface = `Local/${exten}@${context}/n`;
					expect(channelEndpoint(`Local/${exten}@${context}-${hex}${half}`)).toBe(interfaceEndpoint(iface));
				}
			)
		);
	});
});

describe('normalizeEvent: field-name differences', () => {
	it('QueueMember (Name/Location) and QueueMemberStatus (MemberName/Interface) give one member shape', () => {
		const list = normalizeEvent(
			msg(`Event: QueueMember
Queue: sales
Name: Agent One
Location: Local/agent1@agents/n
StateInterface: Custom:agent1
Membership: static
Penalty: 0
CallsTaken: 2
InCall: 0
Status: 1
Paused: 1
PausedReason: lunch`)
		);
		const ev = normalizeEvent(
			msg(`Event: QueueMemberStatus
Queue: sales
MemberName: Agent One
Interface: Local/agent1@agents/n
StateInterface: Custom:agent1
Membership: static
CallsTaken: 2
InCall: 0
Status: 1
Paused: 1
PausedReason: lunch`)
		);
		expect(list?.kind).toBe('QueueMember');
		expect(ev?.kind).toBe('QueueMemberStatus');
		if (list?.kind !== 'QueueMember' || ev?.kind !== 'QueueMemberStatus') return;
		expect(list.member).toEqual(ev.member);
		expect(ev.member).toMatchObject({
			name: 'Agent One',
			iface: 'Local/agent1@agents/n',
			endpoint: 'Local/agent1@agents',
			paused: true,
			pausedReason: 'lunch',
			status: 1,
			callsTaken: 2
		});
	});

	it('Holdtime (QueueParams) and HoldTime (Agent*, abandon) both become holdTimeSeconds', () => {
		const p = normalizeEvent(
			msg('Event: QueueParams\nQueue: sales\nCalls: 2\nHoldtime: 7\nTalkTime: 3\nCompleted: 1')
		);
		expect(p).toMatchObject({
			kind: 'QueueParams',
			queue: 'sales',
			calls: 2,
			holdTimeSeconds: 7,
			talkTimeSeconds: 3
		});
		const a = normalizeEvent(
			msg(
				'Event: QueueCallerAbandon\nChannel: Local/sales@inbound-1;2\nUniqueid: 1.1\nLinkedid: 1.0\nQueue: sales\nPosition: 1\nHoldTime: 5'
			)
		);
		expect(a).toMatchObject({ kind: 'QueueCallerAbandon', holdTimeSeconds: 5 });
	});

	it('Status (BridgeID, Data, Seconds) and CoreShowChannel (BridgeId, ApplicationData, Duration HH:MM:SS) give one shape', () => {
		const st = normalizeEvent(
			msg(`Event: Status
Channel: PJSIP/1001-00000001
ChannelState: 6
Uniqueid: 1.5
Linkedid: 1.4
BridgeID: b-1
Application: Dial
Data: PJSIP/trunk
Seconds: 75`)
		);
		const cs = normalizeEvent(
			msg(`Event: CoreShowChannel
Channel: PJSIP/1001-00000001
ChannelState: 6
Uniqueid: 1.5
Linkedid: 1.4
BridgeId: b-1
Application: Dial
ApplicationData: PJSIP/trunk
Duration: 00:01:15`)
		);
		expect(st).toMatchObject({
			kind: 'ChannelListItem',
			source: 'Status',
			bridgeId: 'b-1',
			appData: 'PJSIP/trunk',
			durationSeconds: 75
		});
		expect(cs).toMatchObject({
			kind: 'ChannelListItem',
			source: 'CoreShowChannel',
			bridgeId: 'b-1',
			appData: 'PJSIP/trunk',
			durationSeconds: 75
		});
		if (st?.kind !== 'ChannelListItem' || cs?.kind !== 'ChannelListItem') return;
		expect(st.channel).toEqual(cs.channel);
		expect(st.channel).toMatchObject({
			endpoint: 'PJSIP/1001',
			state: 'up',
			uniqueid: '1.5',
			linkedid: '1.4'
		});
		expect(durationSeconds('01:02:03')).toBe(3723);
	});

	it('RingTime: seconds in AgentConnect, milliseconds in AgentRingNoAnswer → ms', () => {
		const base =
			'Channel: Local/q@inbound-1;2\nUniqueid: 1.2\nLinkedid: 1.0\nDestChannel: Local/agent1@agents-2;1\nDestUniqueid: 1.3\nDestLinkedid: 1.0\nQueue: sales\nInterface: Local/agent1@agents/n\nMemberName: Agent One';
		expect(normalizeEvent(msg(`Event: AgentConnect\n${base}\nHoldTime: 4\nRingTime: 2`))).toMatchObject({
			kind: 'AgentConnect',
			ringTimeMs: 2000,
			holdTimeSeconds: 4,
			endpoint: 'Local/agent1@agents'
		});
		expect(normalizeEvent(msg(`Event: AgentRingNoAnswer\n${base}\nRingTime: 8000`))).toMatchObject({
			kind: 'AgentRingNoAnswer',
			ringTimeMs: 8000
		});
	});

	it('Cdr UniqueID becomes uniqueid', () => {
		expect(
			normalizeEvent(
				msg(
					'Event: Cdr\nChannel: Local/a@b-1;2\nUniqueID: 17.32\nDuration: 2\nBillableSeconds: 1\nDisposition: ANSWERED'
				)
			)
		).toMatchObject({
			kind: 'Cdr',
			uniqueid: '17.32',
			durationSeconds: 2,
			billableSeconds: 1
		});
		expect(FLOOR_EVENT_NAMES.has('Cdr')).toBe(false);
		expect(PBX_EVENT_NAMES.has('Cdr')).toBe(true);
	});

	it('ChanVariable lines become a record; VarSet keeps only SB_* (inheritance prefix dropped)', () => {
		const nc = normalizeEvent(
			msg(`Event: Newchannel
Channel: PJSIP/1001-00000001
ChannelState: 4
CallerIDNum: <unknown>
Uniqueid: 9.1
Linkedid: 9.1
ChanVariable: SB_CALL=abc
ChanVariable: CDR(userfield)=
ChanVariable: __SB_LEAD=l-1`)
		);
		expect(nc).toMatchObject({ kind: 'Newchannel', channel: { callerNum: null, state: 'ring' } });
		if (nc?.kind !== 'Newchannel') return;
		expect(nc.channel.vars).toEqual({ SB_CALL: 'abc', 'CDR(userfield)': '', SB_LEAD: 'l-1' });
		const vs = (variable: string) =>
			normalizeEvent(
				msg(
					`Event: VarSet\nChannel: PJSIP/1001-00000001\nUniqueid: 9.1\nLinkedid: 9.1\nVariable: ${variable}\nValue: v`
				)
			);
		expect(vs('__SB_CALL')).toMatchObject({ kind: 'VarSet', name: 'SB_CALL', value: 'v' });
		expect(vs('SB_MONITOR')).toMatchObject({ kind: 'VarSet', name: 'SB_MONITOR' });
		expect(vs('DIALSTATUS')).toBeNull();
		expect(vs('_TALK')).toBeNull();
	});

	it('returns null for events the floor does not read and for malformed messages', () => {
		expect(normalizeEvent(msg('Event: Newexten\nChannel: X/1-1\nUniqueid: 1\nLinkedid: 1'))).toBeNull();
		expect(normalizeEvent(msg('Response: Success\nActionID: 1'))).toBeNull();
		expect(normalizeEvent(msg('Event: Newchannel\nChannel: X/1-1'))).toBeNull();
		expect(normalizeEvent(msg('Event: Hangup\nUniqueid: 1'))).toBeNull();
		expect(normalizeEvent({})).toBeNull();
	});

	it('never throws on arbitrary messages', () => {
		const keys = fc.constantFrom(
			'Event',
			'Channel',
			'Uniqueid',
			'Linkedid',
			'ChannelState',
			'DestChannel',
			'DestUniqueid',
			'Queue',
			'Interface',
			'Location',
			'Variable',
			'Value',
			'ChanVariable',
			'Duration',
			'Response',
			'Paused',
			'Status',
			'SpyerChannel',
			'SpyerUniqueid',
			'BridgeUniqueid',
			'Device',
			'State'
		);
		const names = fc.constantFrom(...PBX_EVENT_NAMES, 'Newexten', 'Bogus');
		fc.assert(
			fc.property(
				names,
				fc.dictionary(keys, fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }))),
				(name, rest) => {
					const m: AmiMessage = { ...rest, Event: name };
					const e = normalizeEvent(m);
					expect(e === null || typeof e.kind === 'string').toBe(true);
				}
			)
		);
	});
});

describe.skipIf(!haveTranscripts)('normalizeEvent on the real transcripts', () => {
	it('understands every floor event name that occurs', () => {
		const seen = new Set<string>();
		for (const n of NAMES) {
			for (const m of messages(n)) {
				const name = first(m, 'Event');
				if (name === undefined || !FLOOR_EVENT_NAMES.has(name)) continue;
				const e = normalizeEvent(m);
				// VarSet is kept only for our SB_* variables (none are in the recordings) and the
				// recording file Asterisk announces (f_mixmonitor)
				if (name === 'VarSet') {
					if (first(m, 'Variable') === 'MIXMONITOR_FILENAME') expect(e).toMatchObject({ kind: 'VarSet', name: 'MIXMONITOR_FILENAME' });
					else expect(e).toBeNull();
				}
				else {
					expect(e, `${n}: ${name}`).not.toBeNull();
					seen.add(name);
				}
			}
		}
		const expected = [...FLOOR_EVENT_NAMES].filter((n) => n !== 'VarSet');
		expect([...seen].sort()).toEqual(expected.sort());
	});

	it('channel events (b: click-to-call)', () => {
		const nc = firstOf('b_click2call_answered', 'Newchannel');
		expect(nc.channel).toEqual({
			name: 'Local/agent1@agents-0000000d;1',
			endpoint: 'Local/agent1@agents',
			uniqueid: '1795609452.26',
			linkedid: '1795609452.26',
			state: 'down',
			callerNum: null,
			callerName: null,
			connectedNum: null,
			context: 'agents',
			exten: 'agent1',
			vars: null
		});
		const ns = firstOf('b_click2call_answered', 'Newstate');
		expect(ns.channel.state).toBe('ringing');
		const originateDial = firstOf('b_click2call_answered', 'DialBegin');
		expect(originateDial.caller).toBeNull();
		expect(originateDial.dest.endpoint).toBe('Local/agent1@agents');
		const dial = firstOf('b_click2call_answered', 'DialBegin', (e) => e.caller !== null);
		expect(dial.caller?.endpoint).toBe('Local/agent1@agents');
		expect(dial.dest).toMatchObject({ endpoint: 'Local/5551234@pstn', callerNum: '5551234' });
		expect(dial.dialString).toBe('5551234@pstn/n');
		const end = firstOf('b_click2call_answered', 'DialEnd', (e) => e.caller !== null);
		expect(end.dialStatus).toBe('ANSWER');
		const be = firstOf('b_click2call_answered', 'BridgeEnter');
		expect(be.bridgeId).toBe('8edcdb5d-3e7d-4143-a52f-01b423ac0032');
		const bl = firstOf('b_click2call_answered', 'BridgeLeave');
		expect(bl.bridgeId).toBe(be.bridgeId);
		const h = firstOf('b_click2call_answered', 'Hangup');
		expect(h).toMatchObject({ cause: 16, causeText: 'Normal Clearing' });
		const or = firstOf('b_click2call_answered', 'OriginateResponse');
		expect(or).toMatchObject({
			actionId: 'c2c-answered-1',
			success: true,
			reason: 4,
			uniqueid: '1795609452.26',
			endpoint: 'Local/agent1@agents',
			exten: '5551234'
		});
	});

	it('OriginateResponse failure: dial string and no Uniqueid (c)', () => {
		const f = firstOf('c_click2call_failures', 'OriginateResponse', (e) => !e.success);
		expect(f).toMatchObject({
			actionId: 'c2c-agent-noanswer',
			success: false,
			reason: 3,
			channel: 'Local/agent2@agents/n',
			endpoint: 'Local/agent2@agents',
			uniqueid: null
		});
	});

	it('ChanVariable from channelvars, incl. DestChanVariable and ChanVariable(<chan>) (b2)', () => {
		const nc = firstOf('b2_click2call_timestampevents_chanvars', 'Newchannel');
		expect(nc.channel.vars).toEqual({ TALK: '', 'CDR(userfield)': '', QUEUENAME: '' });
		const d = firstOf('b2_click2call_timestampevents_chanvars', 'DialEnd', (e) => e.caller === null);
		expect(d.dest.vars).toEqual({ TALK: '3', 'CDR(userfield)': '', QUEUENAME: '' });
		const o = firstOf('b2_click2call_timestampevents_chanvars', 'OriginateResponse');
		expect(o.vars).toEqual({ TALK: '3', 'CDR(userfield)': '', QUEUENAME: '' });
	});

	it('queue events (d, d2)', () => {
		expect(firstOf('d_queue_inbound', 'QueueCallerJoin')).toMatchObject({
			queue: 'sales',
			position: 1,
			count: 1
		});
		expect(firstOf('d_queue_inbound', 'QueueCallerLeave')).toMatchObject({ queue: 'sales', count: 0 });
		expect(firstOf('d_queue_inbound', 'QueueCallerAbandon')).toMatchObject({
			queue: 'sales',
			holdTimeSeconds: 5
		});
		const called = firstOf('d_queue_inbound', 'AgentCalled');
		expect(called).toMatchObject({
			queue: 'sales',
			endpoint: 'Local/agent2@agents',
			memberName: 'Agent Two'
		});
		expect(called.caller?.callerNum).toBe('5550101');
		expect(called.dest?.endpoint).toBe('Local/agent2@agents');
		expect(firstOf('d_queue_inbound', 'AgentConnect')).toMatchObject({
			holdTimeSeconds: 1,
			ringTimeMs: 1000
		});
		expect(firstOf('d_queue_inbound', 'AgentComplete')).toMatchObject({ reason: 'caller' });
		expect(firstOf('d_queue_inbound', 'QueueMemberPause', (e) => e.member.paused).member).toMatchObject({
			endpoint: 'Local/agent1@agents',
			pausedReason: 'lunch'
		});
		expect(firstOf('d_queue_inbound', 'QueueMemberAdded').member).toMatchObject({
			endpoint: 'Local/agent3@agents',
			membership: 'dynamic'
		});
		expect(firstOf('d_queue_inbound', 'QueueMemberRemoved').member.endpoint).toBe('Local/agent3@agents');
		expect(firstOf('d2_queue_ringnoanswer', 'AgentRingNoAnswer')).toMatchObject({
			ringTimeMs: 8000,
			queue: 'support'
		});
		const complete = firstOf('d2_queue_ringnoanswer', 'AgentComplete', (e) => e.caller === null);
		expect(complete.dest?.endpoint).toBe('Local/agent2@agents');
	});

	it('list items (a)', () => {
		expect(firstOf('a_status_snapshot', 'QueueMember').member).toMatchObject({
			queue: 'support',
			name: 'Agent Three',
			endpoint: 'Local/agent3@agents'
		});
		expect(firstOf('a_status_snapshot', 'QueueEntry')).toMatchObject({
			queue: 'support',
			uniqueid: '1795609467.35',
			callerNum: '5550102',
			waitSeconds: 2,
			endpoint: 'Local/support@inbound'
		});
		expect(firstOf('a_status_snapshot', 'QueueParams', (e) => e.calls > 0)).toMatchObject({
			queue: 'support',
			calls: 1
		});
		const st = firstOf(
			'a_status_snapshot',
			'ChannelListItem',
			(e) => e.source === 'Status' && e.bridgeId !== null
		);
		expect(st.durationSeconds).toBe(2);
		const cs = firstOf('a_status_snapshot', 'ChannelListItem', (e) => e.source === 'CoreShowChannel');
		expect(cs).toMatchObject({ durationSeconds: 2, application: 'Wait', appData: '300', bridgeId: null });
	});

	it('ChanSpy (e)', () => {
		const s = firstOf('e_supervisor_spy', 'ChanSpyStart');
		expect(s.spyer).toMatchObject({ endpoint: 'Local/sup1@supervisors', uniqueid: '1795609592.116' });
		expect(s.spyee).toMatchObject({ endpoint: 'Local/agent1@agents', uniqueid: '1795609588.112' });
		expect(firstOf('e_supervisor_spy', 'ChanSpyStop').spyer.uniqueid).toBe('1795609592.116');
	});

	it('DeviceStateChange (g)', () => {
		expect(firstOf('g_burst_errors_logoff', 'DeviceStateChange')).toMatchObject({
			kind: 'DeviceStateChange'
		});
	});
});
