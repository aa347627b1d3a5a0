/**
 * Typed AMI layer: raw parser messages → the few events the floor reads (DESIGN §4).
 *
 * Every field-name difference between Asterisk's actions and events is normalised here, once:
 * - `QueueMember` (QueueStatus item) has `Name`/`Location`; member events have `MemberName`/`Interface`.
 * - `Holdtime` (QueueParams) vs `HoldTime` (QueueSummary, Agent*, QueueCallerAbandon) → `holdTimeSeconds`.
 * - `BridgeID` (Status item) vs `BridgeId` (CoreShowChannel) → `bridgeId`; empty → null.
 * - `Seconds` (Status) vs `Duration: HH:MM:SS` (CoreShowChannel) → `durationSeconds`.
 * - `Data` (Status) vs `ApplicationData` (CoreShowChannel) → `appData`.
 * - `UniqueID` (Cdr) vs `Uniqueid` everywhere else → `uniqueid`.
 * - `RingTime` is seconds in AgentConnect but milliseconds in AgentRingNoAnswer → `ringTimeMs`.
 * - `ChanVariable: NAME=value` lines (also `DestChanVariable`, `ChanVariable(<chan>)`) → `vars` record.
 * - `CallerIDNum: <unknown>` / empty → null. Variable names lose their inheritance prefix (`__SB_CALL` → `SB_CALL`).
 * Channels carry their agent endpoint (`PJSIP/1001-0000001a` → `PJSIP/1001`).
 *
 * `normalizeEvent` returns null for everything the floor never reads (Newexten, VarSet other than
 * our `SB_*` variables and MIXMONITOR_FILENAME, responses, security events, malformed messages). It never throws.
 */
import { first } from './parser';
import type { AmiMessage } from './parser';

export type ChannelState =
	| 'down'
	| 'reserved'
	| 'offhook'
	| 'dialing'
	| 'ring'
	| 'ringing'
	| 'up'
	| 'busy'
	| 'dialingOffhook'
	| 'preRing'
	| 'unknown';

/** A channel snapshot as carried by a channel event (optionally with a field prefix like `Dest`). */
export interface ChannelInfo {
	/** full channel name, e.g. `Local/agent1@agents-0000000d;1` */
	readonly name: string;
	/** the name without the unique suffix: `Local/agent1@agents`, `PJSIP/1001` */
	readonly endpoint: string;
	readonly uniqueid: string;
	/** empty only for list items that do not carry it */
	readonly linkedid: string;
	readonly state: ChannelState;
	readonly callerNum: string | null;
	readonly callerName: string | null;
	readonly connectedNum: string | null;
	readonly context: string;
	readonly exten: string;
	/** `ChanVariable` values (channelvars in manager.conf), null when none were sent */
	readonly vars: Readonly<Record<string, string>> | null;
}

export interface QueueMemberInfo {
	readonly queue: string;
	/** `MemberName` (events) or `Name` (QueueMember list item) */
	readonly name: string;
	/** `Interface` (events) or `Location` (list item), e.g. `Local/agent1@agents/n` */
	readonly iface: string;
	/** interfaceEndpoint(iface) */
	readonly endpoint: string;
	readonly stateInterface: string | null;
	/** AST_DEVICE_* : 0 unknown, 1 not in use, 2 in use, 3 busy, 4 invalid, 5 unavailable, 6 ringing, 7 ring+inuse, 8 on hold */
	readonly status: number;
	readonly paused: boolean;
	readonly pausedReason: string | null;
	readonly inCall: boolean;
	readonly membership: string | null;
	readonly callsTaken: number;
}

interface QueueAgentFields {
	readonly queue: string;
	/** the queue caller channel; AgentComplete may lack it */
	readonly caller: ChannelInfo | null;
	/** the member channel rung by the queue */
	readonly dest: ChannelInfo | null;
	readonly iface: string;
	readonly endpoint: string;
	readonly memberName: string;
}

export type MemberEventKind =
	'QueueMemberStatus' | 'QueueMemberPause' | 'QueueMemberAdded' | 'QueueMemberRemoved' | 'QueueMember';

export type PbxEvent =
	| { readonly kind: 'Newchannel'; readonly channel: ChannelInfo }
	| { readonly kind: 'Newstate'; readonly channel: ChannelInfo }
	| {
			readonly kind: 'Hangup';
			readonly channel: ChannelInfo;
			readonly cause: number;
			readonly causeText: string;
	  }
	| {
			readonly kind: 'DialBegin';
			/** null when the dial comes from an Originate (only `Dest*` fields) */
			readonly caller: ChannelInfo | null;
			readonly dest: ChannelInfo;
			readonly dialString: string;
	  }
	| {
			readonly kind: 'DialEnd';
			readonly caller: ChannelInfo | null;
			readonly dest: ChannelInfo;
			readonly dialStatus: string;
	  }
	| { readonly kind: 'BridgeEnter'; readonly bridgeId: string; readonly channel: ChannelInfo }
	| { readonly kind: 'BridgeLeave'; readonly bridgeId: string; readonly channel: ChannelInfo }
	| {
			readonly kind: 'VarSet';
			readonly channel: ChannelInfo;
			/** without leading `_`/`__`; only `SB_*` variables and MIXMONITOR_FILENAME are returned */
			readonly name: string;
			readonly value: string;
	  }
	| { [K in MemberEventKind]: { readonly kind: K; readonly member: QueueMemberInfo } }[MemberEventKind]
	| {
			[K in 'QueueCallerJoin' | 'QueueCallerLeave']: {
				readonly kind: K;
				readonly queue: string;
				readonly channel: ChannelInfo;
				readonly position: number;
				/** callers in the queue after the event */
				readonly count: number;
			};
	  }['QueueCallerJoin' | 'QueueCallerLeave']
	| {
			readonly kind: 'QueueCallerAbandon';
			readonly queue: string;
			readonly channel: ChannelInfo;
			readonly position: number;
			readonly originalPosition: number;
			readonly holdTimeSeconds: number;
	  }
	| ({ readonly kind: 'AgentCalled' } & QueueAgentFields)
	| ({
			readonly kind: 'AgentConnect';
			readonly holdTimeSeconds: number;
			readonly ringTimeMs: number;
	  } & QueueAgentFields)
	| ({
			readonly kind: 'AgentComplete';
			readonly holdTimeSeconds: number;
			readonly talkTimeSeconds: number;
			/** `caller` | `agent` | `transfer` */
			readonly reason: string;
	  } & QueueAgentFields)
	| ({ readonly kind: 'AgentRingNoAnswer'; readonly ringTimeMs: number } & QueueAgentFields)
	| {
			[K in 'ChanSpyStart' | 'ChanSpyStop']: {
				readonly kind: K;
				readonly spyer: ChannelInfo;
				readonly spyee: ChannelInfo | null;
			};
	  }['ChanSpyStart' | 'ChanSpyStop']
	| {
			readonly kind: 'OriginateResponse';
			readonly actionId: string | null;
			readonly success: boolean;
			/** 0 other/failed, 1 hung up, 3 no answer, 4 answered, 5 busy, 8 congestion */
			readonly reason: number;
			/** the real channel on success; on failure the dial string that was sent (`Local/agent2@agents/n`) */
			readonly channel: string;
			/** channelEndpoint(channel) on success, interfaceEndpoint(channel) on failure */
			readonly endpoint: string;
			/** null on failure (`<unknown>`) */
			readonly uniqueid: string | null;
			readonly context: string;
			readonly exten: string;
			readonly application: string;
			readonly data: string;
			readonly callerNum: string | null;
			readonly vars: Readonly<Record<string, string>> | null;
	  }
	| { readonly kind: 'DeviceStateChange'; readonly device: string; readonly state: string }
	| {
			/** `Status` and `CoreShowChannel` list items, one shape */
			readonly kind: 'ChannelListItem';
			readonly source: 'Status' | 'CoreShowChannel';
			readonly actionId: string | null;
			readonly channel: ChannelInfo;
			readonly bridgeId: string | null;
			readonly application: string;
			readonly appData: string;
			readonly durationSeconds: number;
	  }
	| {
			readonly kind: 'QueueParams';
			readonly actionId: string | null;
			readonly queue: string;
			/** callers waiting */
			readonly calls: number;
			readonly holdTimeSeconds: number;
			readonly talkTimeSeconds: number;
			readonly completed: number;
			readonly abandoned: number;
	  }
	| {
			readonly kind: 'QueueEntry';
			readonly actionId: string | null;
			readonly queue: string;
			readonly position: number;
			readonly channel: string;
			readonly endpoint: string;
			readonly uniqueid: string;
			readonly callerNum: string | null;
			readonly waitSeconds: number;
	  }
	| {
			readonly kind: 'Cdr';
			readonly uniqueid: string;
			readonly channel: string;
			readonly destinationChannel: string | null;
			readonly source: string | null;
			readonly destination: string | null;
			readonly disposition: string;
			readonly durationSeconds: number;
			readonly billableSeconds: number;
	  };

export type PbxEventKind = PbxEvent['kind'];

/**
 * AMI event names the floor reads. Give it to the parser's `eventFilter` (or the login `Events:`
 * filter) so everything else is dropped before an object is built.
 */
export const FLOOR_EVENT_NAMES: ReadonlySet<string> = new Set([
	'Newchannel',
	'Newstate',
	'Hangup',
	'DialBegin',
	'DialEnd',
	'BridgeEnter',
	'BridgeLeave',
	'VarSet',
	'QueueMemberStatus',
	'QueueMemberPause',
	'QueueMemberAdded',
	'QueueMemberRemoved',
	'QueueCallerJoin',
	'QueueCallerLeave',
	'QueueCallerAbandon',
	'AgentCalled',
	'AgentConnect',
	'AgentComplete',
	'AgentRingNoAnswer',
	'ChanSpyStart',
	'ChanSpyStop',
	'OriginateResponse',
	'DeviceStateChange',
	'CoreShowChannel',
	'Status',
	'QueueParams',
	'QueueMember',
	'QueueEntry'
]);

/** Everything normalizeEvent understands: the floor events plus `Cdr` (for persistence, not the floor). */
export const PBX_EVENT_NAMES: ReadonlySet<string> = new Set([...FLOOR_EVENT_NAMES, 'Cdr']);

const LOCAL_PREFIX = 'Local/';

/**
 * The agent endpoint of a channel name: the unique suffix is stripped.
 * `PJSIP/1001-0000001a` → `PJSIP/1001`; `Local/agent1@agents-0000abcd;1` → `Local/agent1@agents`.
 * Names without a suffix come back unchanged (minus `<ZOMBIE>`/`AsyncGoto/` decorations).
 */
export function channelEndpoint(channel: string): string {
	let name = channel;
	if (name.endsWith('<ZOMBIE>')) name = name.slice(0, -8);
	if (name.startsWith('AsyncGoto/')) name = name.slice(10);
	let end = name.length;
	// Local channels end in ;1 / ;2
	if (end > 2 && name.charCodeAt(end - 2) === 59 /* ; */) end -= 2;
	const dash = name.lastIndexOf('-', end - 1);
	if (dash <= name.indexOf('/')) return end === name.length ? name : name.slice(0, end);
	for (let i = dash + 1; i < end; i++) {
		if (!isHex(name.charCodeAt(i))) return end === name.length ? name : name.slice(0, end);
	}
	if (dash + 1 === end) return name.slice(0, end);
	return name.slice(0, dash);
}

/**
 * The agent endpoint of a queue member interface or a dial string: Local options are dropped.
 * `Local/agent1@agents/n` → `Local/agent1@agents`; `PJSIP/1001` stays.
 */
export function interfaceEndpoint(iface: string): string {
	if (!iface.startsWith(LOCAL_PREFIX)) return iface;
	const slash = iface.indexOf('/', LOCAL_PREFIX.length);
	return slash === -1 ? iface : iface.slice(0, slash);
}

function isHex(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

const STATES: readonly ChannelState[] = [
	'down',
	'reserved',
	'offhook',
	'dialing',
	'ring',
	'ringing',
	'up',
	'busy',
	'dialingOffhook',
	'preRing'
];

const STATE_BY_DESC: Readonly<Record<string, ChannelState>> = {
	Down: 'down',
	Rsrvd: 'reserved',
	OffHook: 'offhook',
	Dialing: 'dialing',
	Ring: 'ring',
	Ringing: 'ringing',
	Up: 'up',
	Busy: 'busy',
	'Dialing Offhook': 'dialingOffhook',
	'Pre-ring': 'preRing'
};

function channelState(msg: AmiMessage, prefix: string): ChannelState {
	const n = first(msg, prefix + 'ChannelState');
	if (n !== undefined && n !== '') {
		const s = STATES[Number(n)];
		if (s !== undefined) return s;
	}
	const desc = first(msg, prefix + 'ChannelStateDesc');
	return (desc !== undefined ? STATE_BY_DESC[desc] : undefined) ?? 'unknown';
}

/** caller id numbers/names: `<unknown>` and empty mean "not known" */
function known(v: string | undefined): string | null {
	if (v === undefined || v === '' || v === '<unknown>') return null;
	return v;
}

function int(v: string | undefined): number {
	if (v === undefined || v === '') return 0;
	const n = Number.parseInt(v, 10);
	return Number.isFinite(n) ? n : 0;
}

/** `HH:MM:SS` (CoreShowChannel Duration) or plain seconds → seconds */
export function durationSeconds(v: string | undefined): number {
	if (v === undefined || v === '') return 0;
	if (!v.includes(':')) return Math.max(0, int(v));
	let total = 0;
	for (const part of v.split(':')) total = total * 60 + int(part);
	return Math.max(0, total);
}

function stripInheritance(name: string): string {
	let i = 0;
	while (i < name.length && i < 2 && name.charCodeAt(i) === 95 /* _ */) i++;
	return i === 0 ? name : name.slice(i);
}

/** `ChanVariable: NAME=value` lines → record (inheritance prefix kept off). */
function varsOf(msg: AmiMessage, key: string): Readonly<Record<string, string>> | null {
	const raw = msg[key];
	if (raw === undefined) return null;
	const out: Record<string, string> = {};
	addVars(out, raw);
	return out;
}

function addVars(out: Record<string, string>, raw: string | string[]): void {
	const list = typeof raw === 'string' ? [raw] : raw;
	for (const line of list) {
		const eq = line.indexOf('=');
		if (eq <= 0) continue;
		out[stripInheritance(line.slice(0, eq))] = line.slice(eq + 1);
	}
}

/** A channel snapshot with the given field prefix ('' | 'Dest' | 'Spyer' | 'Spyee'), or null when absent. */
function channelInfo(msg: AmiMessage, prefix: string): ChannelInfo | null {
	const name = first(msg, prefix + 'Channel');
	const uniqueid = first(msg, prefix + 'Uniqueid');
	if (name === undefined || name === '' || uniqueid === undefined || uniqueid === '') return null;
	return {
		name,
		endpoint: channelEndpoint(name),
		uniqueid,
		linkedid: first(msg, prefix + 'Linkedid') ?? '',
		state: channelState(msg, prefix),
		callerNum: known(first(msg, prefix + 'CallerIDNum')),
		callerName: known(first(msg, prefix + 'CallerIDName')),
		connectedNum: known(first(msg, prefix + 'ConnectedLineNum')),
		context: first(msg, prefix + 'Context') ?? '',
		exten: first(msg, prefix + 'Exten') ?? '',
		vars: varsOf(msg, prefix + 'ChanVariable')
	};
}

function memberInfo(msg: AmiMessage, listItem: boolean): QueueMemberInfo | null {
	const queue = first(msg, 'Queue');
	const iface = first(msg, listItem ? 'Location' : 'Interface');
	if (queue === undefined || queue === '' || iface === undefined || iface === '') return null;
	return {
		queue,
		name: first(msg, listItem ? 'Name' : 'MemberName') ?? '',
		iface,
		endpoint: interfaceEndpoint(iface),
		stateInterface: known(first(msg, 'StateInterface')),
		status: int(first(msg, 'Status')),
		paused: first(msg, 'Paused') === '1',
		pausedReason: known(first(msg, 'PausedReason')),
		inCall: first(msg, 'InCall') === '1',
		membership: known(first(msg, 'Membership')),
		callsTaken: int(first(msg, 'CallsTaken'))
	};
}

function queueAgentFields(msg: AmiMessage): QueueAgentFields | null {
	const queue = first(msg, 'Queue');
	const iface = first(msg, 'Interface');
	if (queue === undefined || queue === '' || iface === undefined || iface === '') return null;
	return {
		queue,
		caller: channelInfo(msg, ''),
		dest: channelInfo(msg, 'Dest'),
		iface,
		endpoint: interfaceEndpoint(iface),
		memberName: first(msg, 'MemberName') ?? ''
	};
}

function actionIdOf(msg: AmiMessage): string | null {
	return known(first(msg, 'ActionID'));
}

/** Raw AMI message → typed floor event, or null when the floor never reads it. Never throws. */
export function normalizeEvent(msg: AmiMessage): PbxEvent | null {
	const name = first(msg, 'Event');
	if (name === undefined) return null;
	switch (name) {
		case 'Newchannel':
		case 'Newstate': {
			const channel = channelInfo(msg, '');
			return channel === null ? null : { kind: name, channel };
		}
		case 'Hangup': {
			const channel = channelInfo(msg, '');
			if (channel === null) return null;
			return {
				kind: 'Hangup',
				channel,
				cause: int(first(msg, 'Cause')),
				causeText: first(msg, 'Cause-txt') ?? ''
			};
		}
		case 'DialBegin': {
			const dest = channelInfo(msg, 'Dest');
			if (dest === null) return null;
			return {
				kind: 'DialBegin',
				caller: channelInfo(msg, ''),
				dest,
				dialString: first(msg, 'DialString') ?? ''
			};
		}
		case 'DialEnd': {
			const dest = channelInfo(msg, 'Dest');
			if (dest === null) return null;
			return {
				kind: 'DialEnd',
				caller: channelInfo(msg, ''),
				dest,
				dialStatus: first(msg, 'DialStatus') ?? ''
			};
		}
		case 'BridgeEnter':
		case 'BridgeLeave': {
			const channel = channelInfo(msg, '');
			const bridgeId = first(msg, 'BridgeUniqueid');
			if (channel === null || bridgeId === undefined || bridgeId === '') return null;
			return { kind: name, bridgeId, channel };
		}
		case 'VarSet': {
			const variable = first(msg, 'Variable');
			if (variable === undefined) return null;
			const varName = stripInheritance(variable);
			if (!varName.startsWith('SB_') && varName !== 'MIXMONITOR_FILENAME') return null;
			const channel = channelInfo(msg, '');
			if (channel === null) return null;
			return { kind: 'VarSet', channel, name: varName, value: first(msg, 'Value') ?? '' };
		}
		case 'QueueMemberStatus':
		case 'QueueMemberPause':
		case 'QueueMemberAdded':
		case 'QueueMemberRemoved':
		case 'QueueMember': {
			const member = memberInfo(msg, name === 'QueueMember');
			return member === null ? null : { kind: name, member };
		}
		case 'QueueCallerJoin':
		case 'QueueCallerLeave': {
			const channel = channelInfo(msg, '');
			const queue = first(msg, 'Queue');
			if (channel === null || queue === undefined || queue === '') return null;
			return {
				kind: name,
				queue,
				channel,
				position: int(first(msg, 'Position')),
				count: Math.max(0, int(first(msg, 'Count')))
			};
		}
		case 'QueueCallerAbandon': {
			const channel = channelInfo(msg, '');
			const queue = first(msg, 'Queue');
			if (channel === null || queue === undefined || queue === '') return null;
			return {
				kind: 'QueueCallerAbandon',
				queue,
				channel,
				position: int(first(msg, 'Position')),
				originalPosition: int(first(msg, 'OriginalPosition')),
				holdTimeSeconds: int(first(msg, 'HoldTime'))
			};
		}
		case 'AgentCalled': {
			const f = queueAgentFields(msg);
			return f === null ? null : { kind: 'AgentCalled', ...f };
		}
		case 'AgentConnect': {
			const f = queueAgentFields(msg);
			if (f === null) return null;
			// AgentConnect RingTime is in seconds
			return {
				kind: 'AgentConnect',
				...f,
				holdTimeSeconds: int(first(msg, 'HoldTime')),
				ringTimeMs: int(first(msg, 'RingTime')) * 1000
			};
		}
		case 'AgentComplete': {
			const f = queueAgentFields(msg);
			if (f === null) return null;
			return {
				kind: 'AgentComplete',
				...f,
				holdTimeSeconds: int(first(msg, 'HoldTime')),
				talkTimeSeconds: int(first(msg, 'TalkTime')),
				reason: first(msg, 'Reason') ?? ''
			};
		}
		case 'AgentRingNoAnswer': {
			const f = queueAgentFields(msg);
			// AgentRingNoAnswer RingTime is already in milliseconds
			return f === null ? null : { kind: 'AgentRingNoAnswer', ...f, ringTimeMs: int(first(msg, 'RingTime')) };
		}
		case 'ChanSpyStart':
		case 'ChanSpyStop': {
			const spyer = channelInfo(msg, 'Spyer');
			if (spyer === null) return null;
			return { kind: name, spyer, spyee: channelInfo(msg, 'Spyee') };
		}
		case 'OriginateResponse':
			return originateResponse(msg);
		case 'DeviceStateChange': {
			const device = first(msg, 'Device');
			const state = first(msg, 'State');
			if (device === undefined || device === '' || state === undefined) return null;
			return { kind: 'DeviceStateChange', device, state };
		}
		case 'CoreShowChannel':
		case 'Status': {
			const channel = channelInfo(msg, '');
			if (channel === null) return null;
			const status = name === 'Status';
			return {
				kind: 'ChannelListItem',
				source: name,
				actionId: actionIdOf(msg),
				channel,
				bridgeId: known(first(msg, status ? 'BridgeID' : 'BridgeId')),
				application: first(msg, 'Application') ?? '',
				appData: first(msg, status ? 'Data' : 'ApplicationData') ?? '',
				durationSeconds: durationSeconds(first(msg, status ? 'Seconds' : 'Duration'))
			};
		}
		case 'QueueParams': {
			const queue = first(msg, 'Queue');
			if (queue === undefined || queue === '') return null;
			return {
				kind: 'QueueParams',
				actionId: actionIdOf(msg),
				queue,
				calls: Math.max(0, int(first(msg, 'Calls'))),
				holdTimeSeconds: int(first(msg, 'Holdtime') ?? first(msg, 'HoldTime')),
				talkTimeSeconds: int(first(msg, 'TalkTime')),
				completed: int(first(msg, 'Completed')),
				abandoned: int(first(msg, 'Abandoned'))
			};
		}
		case 'QueueEntry': {
			const queue = first(msg, 'Queue');
			const channel = first(msg, 'Channel');
			const uniqueid = first(msg, 'Uniqueid');
			if (!queue || !channel || !uniqueid) return null;
			return {
				kind: 'QueueEntry',
				actionId: actionIdOf(msg),
				queue,
				position: int(first(msg, 'Position')),
				channel,
				endpoint: channelEndpoint(channel),
				uniqueid,
				callerNum: known(first(msg, 'CallerIDNum')),
				waitSeconds: Math.max(0, int(first(msg, 'Wait')))
			};
		}
		case 'Cdr': {
			const uniqueid = first(msg, 'UniqueID') ?? first(msg, 'Uniqueid');
			if (!uniqueid) return null;
			return {
				kind: 'Cdr',
				uniqueid,
				channel: first(msg, 'Channel') ?? '',
				destinationChannel: known(first(msg, 'DestinationChannel')),
				source: known(first(msg, 'Source')),
				destination: known(first(msg, 'Destination')),
				disposition: first(msg, 'Disposition') ?? '',
				durationSeconds: durationSeconds(first(msg, 'Duration')),
				billableSeconds: durationSeconds(first(msg, 'BillableSeconds'))
			};
		}
		default:
			return null;
	}
}

function originateResponse(msg: AmiMessage): PbxEvent | null {
	const channel = first(msg, 'Channel') ?? '';
	const success = first(msg, 'Response') === 'Success';
	const uid = known(first(msg, 'Uniqueid'));
	// ChanVariable(<channel>): NAME=value on OriginateResponse
	let vars: Record<string, string> | null = null;
	for (const key in msg) {
		if (key.startsWith('ChanVariable')) {
			const raw = msg[key];
			if (raw === undefined) continue;
			vars ??= {};
			addVars(vars, raw);
		}
	}
	return {
		kind: 'OriginateResponse',
		actionId: actionIdOf(msg),
		success,
		reason: int(first(msg, 'Reason')),
		channel,
		endpoint: uid !== null ? channelEndpoint(channel) : interfaceEndpoint(channel),
		uniqueid: uid,
		context: first(msg, 'Context') ?? '',
		exten: first(msg, 'Exten') ?? '',
		application: first(msg, 'Application') ?? '',
		data: first(msg, 'Data') ?? '',
		callerNum: known(first(msg, 'CallerIDNum')),
		vars
	};
}
