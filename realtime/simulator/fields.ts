/**
 * Builders for the AMI field blocks Asterisk 22 repeats across events, in the order recorded in
 * ../shared/ami-transcripts (see the conformance test). Objects keep insertion order, which is the
 * wire order used by formatMessage.
 */

/** One AMI message as ordered fields; a string[] value is written as repeated keys. */
export type SimFields = Record<string, string | string[]>;

/** Asterisk channel states (ChannelState → ChannelStateDesc). */
export const ChannelState = {
	Down: 0,
	Rsrvd: 1,
	OffHook: 2,
	Dialing: 3,
	Ring: 4,
	Ringing: 5,
	Up: 6,
	Busy: 7
} as const;

const STATE_DESC = [
	'Down',
	'Rsrvd',
	'OffHook',
	'Dialing',
	'Ring',
	'Ringing',
	'Up',
	'Busy',
	'Dialing Offhook',
	'Pre-ring'
];

export function stateDesc(state: number): string {
	return STATE_DESC[state] ?? 'Unknown';
}

/** Hangup cause texts (ast_cause2str) for the causes the simulator produces. */
const CAUSE_TEXT: Record<number, string> = {
	0: 'Unknown',
	1: 'Unallocated (unassigned) number',
	16: 'Normal Clearing',
	17: 'User busy',
	18: 'No user responding',
	19: 'User alerting, no answer',
	21: 'Call Rejected',
	34: 'Circuit/channel congestion'
};

export function causeText(cause: number): string {
	return CAUSE_TEXT[cause] ?? 'Unknown';
}

/** The channel snapshot fields every channel event carries. */
export interface ChannelSnapshot {
	name: string;
	state: number;
	callerNum: string;
	callerName: string;
	connNum: string;
	connName: string;
	language: string;
	accountCode: string;
	context: string;
	exten: string;
	priority: number;
	uniqueid: string;
	linkedid: string;
}

/** Channel … Linkedid (optionally prefixed: Dest, Spyer, Spyee, LocalOne, LocalTwo). */
export function channelBlock(ch: ChannelSnapshot, prefix = '', into: SimFields = {}): SimFields {
	into[`${prefix}Channel`] = ch.name;
	into[`${prefix}ChannelState`] = String(ch.state);
	into[`${prefix}ChannelStateDesc`] = stateDesc(ch.state);
	into[`${prefix}CallerIDNum`] = ch.callerNum;
	into[`${prefix}CallerIDName`] = ch.callerName;
	into[`${prefix}ConnectedLineNum`] = ch.connNum;
	into[`${prefix}ConnectedLineName`] = ch.connName;
	into[`${prefix}Language`] = ch.language;
	into[`${prefix}AccountCode`] = ch.accountCode;
	into[`${prefix}Context`] = ch.context;
	into[`${prefix}Exten`] = ch.exten;
	into[`${prefix}Priority`] = String(ch.priority);
	into[`${prefix}Uniqueid`] = ch.uniqueid;
	into[`${prefix}Linkedid`] = ch.linkedid;
	return into;
}

/** `Event` + `Privilege` header of an event. */
export function eventHead(name: string, privilege: string): SimFields {
	return { Event: name, Privilege: privilege };
}

/** Event with the standard channel block, then extra fields. */
export function channelEvent(
	name: string,
	privilege: string,
	ch: ChannelSnapshot,
	extra?: SimFields
): SimFields {
	const f = channelBlock(ch, '', eventHead(name, privilege));
	if (extra !== undefined) Object.assign(f, extra);
	return f;
}

/** Event with caller (optional) + Dest channel blocks, then extra fields (Dial*, Agent*). */
export function dialEvent(
	name: string,
	privilege: string,
	caller: ChannelSnapshot | null,
	dest: ChannelSnapshot,
	extra?: SimFields
): SimFields {
	const f = eventHead(name, privilege);
	if (caller !== null) channelBlock(caller, '', f);
	channelBlock(dest, 'Dest', f);
	if (extra !== undefined) Object.assign(f, extra);
	return f;
}

export interface BridgeSnapshot {
	id: string;
	numChannels: number;
}

export function bridgeBlock(b: BridgeSnapshot, into: SimFields): SimFields {
	into.BridgeUniqueid = b.id;
	into.BridgeType = 'basic';
	into.BridgeTechnology = 'simple_bridge';
	into.BridgeCreator = '<unknown>';
	into.BridgeName = '<unknown>';
	into.BridgeNumChannels = String(b.numChannels);
	into.BridgeVideoSourceMode = 'none';
	return into;
}

/** Queue member as QueueMemberStatus/Pause/Added/Removed/Penalty carry it. */
export interface MemberSnapshot {
	queue: string;
	memberName: string;
	iface: string;
	stateInterface: string;
	membership: 'static' | 'dynamic';
	penalty: number;
	callsTaken: number;
	lastCall: number;
	lastPause: number;
	loginTime: number;
	inCall: boolean;
	status: number;
	paused: boolean;
	pausedReason: string;
	wrapuptime: number;
}

export function memberEvent(name: string, m: MemberSnapshot): SimFields {
	return {
		Event: name,
		Privilege: 'agent,all',
		Queue: m.queue,
		MemberName: m.memberName,
		Interface: m.iface,
		StateInterface: m.stateInterface,
		Membership: m.membership,
		Penalty: String(m.penalty),
		CallsTaken: String(m.callsTaken),
		LastCall: String(m.lastCall),
		LastPause: String(m.lastPause),
		LoginTime: String(m.loginTime),
		InCall: m.inCall ? '1' : '0',
		Status: String(m.status),
		Paused: m.paused ? '1' : '0',
		PausedReason: m.pausedReason,
		Ringinuse: '0',
		Wrapuptime: String(m.wrapuptime)
	};
}

/** QueueStatus list item (Name/Location instead of MemberName/Interface, no Privilege). */
export function queueMemberItem(m: MemberSnapshot, actionId: string | undefined): SimFields {
	const f: SimFields = {
		Event: 'QueueMember',
		Queue: m.queue,
		Name: m.memberName,
		Location: m.iface,
		StateInterface: m.stateInterface,
		Membership: m.membership,
		Penalty: String(m.penalty),
		CallsTaken: String(m.callsTaken),
		LastCall: String(m.lastCall),
		LastPause: String(m.lastPause),
		LoginTime: String(m.loginTime),
		InCall: m.inCall ? '1' : '0',
		Status: String(m.status),
		Paused: m.paused ? '1' : '0',
		PausedReason: m.pausedReason,
		Wrapuptime: String(m.wrapuptime)
	};
	if (actionId !== undefined) f.ActionID = actionId;
	return f;
}

/** Device state name → queue member Status number (AST_DEVICE_*). */
export const DEVICE_STATUS: Record<string, number> = {
	UNKNOWN: 0,
	NOT_INUSE: 1,
	INUSE: 2,
	BUSY: 3,
	INVALID: 4,
	UNAVAILABLE: 5,
	RINGING: 6,
	RINGINUSE: 7,
	ONHOLD: 8
};

/** `HH:MM:SS` as CoreShowChannel's Duration. */
export function hms(totalSeconds: number): string {
	const s = Math.max(0, Math.floor(totalSeconds));
	const p = (n: number): string => String(n).padStart(2, '0');
	return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}

/** `2026-11-25T12:24:12.806+0000` as security events' EventTV. */
export function eventTv(ms: number): string {
	return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `2026-11-25 12:24:27` as Cdr times (UTC). */
export function cdrTime(ms: number | null): string {
	if (ms === null) return '';
	return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Parse `"Name" <num>`, `Name <num>`, `<num>` or `num`. */
export function parseCallerId(text: string): { num: string; name: string } {
	const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
	if (m !== null) return { name: (m[1] ?? m[2] ?? '').trim(), num: (m[3] ?? '').trim() };
	return { name: '', num: text.trim() };
}
