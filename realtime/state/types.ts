/**
 * Types of the floor reducer: its inputs, its outputs for persistence, and its (opaque) state.
 */
import type {
	AgentCounters,
	AgentState,
	AgentView,
	FloorPatch,
	MonitorMode,
	MonitorView,
	PbxLinkView,
	QueueView,
	ServerMs
} from '../../src/lib/protocol';
import type { ChannelState, PbxEvent } from '../ami/normalize';
import type { PMap } from './pmap';

/** An agent as the database knows it; the directory is the only way agents appear or disappear. */
export interface DirectoryAgent {
	id: string;
	name: string;
	/** e.g. `PJSIP/1001` or `Local/agent1@agents` (channelEndpoint of the agent's channels) */
	endpoint: string;
	pbx: string;
	teamIds: string[];
}

export type FloorInput =
	| {
			type: 'ami';
			pbx: string;
			event: PbxEvent;
			/** the hub's ActionID → callId map, given with an OriginateResponse (which carries no variables) */
			callId?: string;
	  }
	/** the full agent directory (replaces the previous one) */
	| { type: 'directory'; agents: readonly DirectoryAgent[] }
	| { type: 'link'; pbx: string; connected: boolean }
	/** service-level thresholds of the managed queues (replaces the previous ones) */
	| { type: 'queueSettings'; serviceLevels: Readonly<Record<string, number>> }
	/**
	 * After every AMI (re)login: `channels` = CoreShowChannels or Status items (ChannelListItem),
	 * `queueItems` = QueueStatus items (QueueParams / QueueMember / QueueEntry). That PBX's channels
	 * are rebuilt from them; patches are emitted only for what changed.
	 */
	| { type: 'resync'; pbx: string; channels: readonly PbxEvent[]; queueItems: readonly PbxEvent[] }
	/** the hub switched a monitor's mode with PlayDTMF (no AMI event reports it) */
	| { type: 'monitorMode'; monitorId: string; mode: MonitorMode }
	/**
	 * The hub is about to Originate a supervisor leg into ChanSpy. Correlation, in order:
	 * 1. the leg carries `Variable: SB_MONITOR=<monitorId>`; VarSet (or ChanVariable) marks the spyer channel;
	 * 2. else the first pending request of that PBX whose `spyerEndpoint` equals the spyer's endpoint.
	 * Requests that see no ChanSpyStart expire after `monitorRequestTtlMs`.
	 */
	| {
			type: 'monitorRequested';
			pbx: string;
			monitorId: string;
			agentId: string;
			supervisorId: string;
			supervisorName: string;
			mode: MonitorMode;
			/** e.g. `PJSIP/2001` or `Local/sup1@supervisors` (channelEndpoint of the spyer leg) */
			spyerEndpoint?: string;
	  }
	| { type: 'hand'; agentId: string; raised: boolean }
	/**
	 * The agent recorded the call's outcome (the workstation's disposition): a running wrap-up ends
	 * now; recorded during the call, no wrap-up follows it.
	 */
	| { type: 'wrapupDone'; agentId: string }
	/** about once a second: wrap-up timeouts, day rollover, expiry, link freshness */
	| { type: 'tick' };

/** One row of `calls`, keyed by (pbx, linkedid); every fact carries all fields known so far. */
export interface CallFact {
	pbx: string;
	/** `originate:<callId>` for an Originate that failed before any channel existed */
	linkedid: string;
	/** Uniqueid of the first channel (equals linkedid for real calls) */
	uniqueid: string | null;
	direction: 'in' | 'out';
	agentId: string | null;
	/** remote party number */
	number: string | null;
	queue: string | null;
	/** our ids from channel variables SB_CALL / SB_LEAD / SB_PROJECT, or the hub's callId hint */
	callId: string | null;
	leadId: string | null;
	projectId: string | null;
	/** SB_REC: recording path chosen by us */
	recording: string | null;
	startedAt: ServerMs;
	answeredAt: ServerMs | null;
	endedAt: ServerMs | null;
	/**
	 * outcome: ANSWER | BUSY | NOANSWER | CONGESTION | CHANUNAVAIL | CANCEL | ABANDON | FAILED (…),
	 * from the Hangup cause when it is specific, else DialEnd, else the OriginateResponse reason
	 */
	dialStatus: string | null;
	hangupCause: number | null;
}

export type FloorEffect =
	| { kind: 'call'; call: CallFact }
	/** an agent state interval closed: the agent was `state` (with `reason` when paused) from → to */
	| {
			kind: 'agentState';
			agentId: string;
			state: AgentState;
			reason: string | null;
			from: ServerMs;
			to: ServerMs;
	  };

export interface FloorConfig {
	/** wrap-up after an answered call; 0 = none (default 30) */
	wrapupSeconds: number;
	/** day of `now` for the daily counters (default: local calendar day YYYY-MM-DD) */
	dayKey: (now: ServerMs) => string;
	/** ended calls are kept this long for late events (default 5 min) */
	callRetentionMs: number;
	/** an OriginateResponse that matched no channel is kept this long (default 10 s) */
	originateGraceMs: number;
	/** a monitorRequested without ChanSpyStart expires after this (default 60 s) */
	monitorRequestTtlMs: number;
	/** service-level threshold of a queue without its own (default 20 s) */
	serviceLevelSeconds: number;
}

// ---- internal records (exported for the reducer's modules and tests; treat as opaque) ----

export interface ChannelRec {
	readonly pbx: string;
	readonly uniqueid: string;
	readonly linkedid: string;
	readonly name: string;
	readonly endpoint: string;
	readonly state: ChannelState;
	readonly callerNum: string | null;
	readonly connectedNum: string | null;
	readonly bridgeId: string | null;
	readonly createdAt: ServerMs;
	/** queue the channel waits in (QueueCallerJoin → Leave/Abandon) */
	readonly queue: string | null;
	/** SB_MONITOR on a spyer leg */
	readonly monitorId: string | null;
}

/** One endpoint's part in one call. */
export interface LegRec {
	/** out: the endpoint started the call (its channel is the first one) or dialled out of it */
	readonly direction: 'in' | 'out';
	readonly dialed: boolean;
	/** first time the endpoint was bridged with another party */
	readonly talkedAt: ServerMs | null;
	/** when that talk ended (talk seconds counted then) */
	readonly doneAt: ServerMs | null;
}

export interface CallRec {
	readonly key: string;
	readonly pbx: string;
	readonly linkedid: string;
	readonly rootUniqueid: string | null;
	readonly rootEndpoint: string | null;
	readonly direction: 'in' | 'out' | null;
	readonly agentId: string | null;
	/** the endpoint of agentId in this call (its leg gives the direction) */
	readonly agentEndpoint: string | null;
	readonly number: string | null;
	readonly queue: string | null;
	readonly callId: string | null;
	readonly leadId: string | null;
	readonly projectId: string | null;
	/** SB_COMPANY: the lead's company, for the wall-board tile only (never persisted from here) */
	readonly company: string | null;
	readonly recording: string | null;
	readonly startedAt: ServerMs;
	readonly answeredAt: ServerMs | null;
	readonly endedAt: ServerMs | null;
	/** last DialEnd status towards the remote party */
	readonly dialStatus: string | null;
	readonly originateOk: boolean | null;
	readonly originateReason: number | null;
	/** most specific Hangup cause seen (not 0/16 when there was one) */
	readonly cause: number | null;
	readonly abandoned: boolean;
	/** live channels of the call */
	readonly live: number;
	/** hung-up uniqueids: late events about them must not resurrect a channel */
	readonly gone: readonly string[];
	readonly legs: Readonly<Record<string, LegRec>>;
	/** the last fact emitted (facts are emitted only when it changes) */
	readonly fact: CallFact | null;
}

export interface MemberRec {
	readonly paused: boolean;
	readonly reason: string | null;
	readonly status: number;
	readonly stateInterface: string | null;
}

export type DeviceAvailability = 'unknown' | 'available' | 'unavailable';

/** What the PBX says about one endpoint (agent or not). */
export interface EndpointRec {
	readonly pbx: string;
	readonly endpoint: string;
	/** uniqueids of live channels */
	readonly channels: readonly string[];
	/** queue memberships by queue name */
	readonly members: Readonly<Record<string, MemberRec>>;
	readonly device: DeviceAvailability;
	/** reason of the latest pause */
	readonly pauseReason: string | null;
	/** anything was ever seen about it (channel, membership, device state) */
	readonly seen: boolean;
	/** linkedids of calls this endpoint talks in and whose talk has not been closed yet */
	readonly openTalks: readonly string[];
}

export interface AgentRec {
	readonly info: DirectoryAgent;
	readonly state: AgentState;
	readonly since: ServerMs;
	readonly pauseReason: string | null;
	readonly wrapupSince: ServerMs | null;
	/** the agent recorded the outcome while still on the call: no wrap-up follows it */
	readonly wrapupWaived: boolean;
	readonly today: AgentCounters;
	readonly handRaised: boolean;
	/** last view sent (null before the first) */
	readonly view: AgentView | null;
}

export interface QueueRec {
	readonly id: string;
	readonly pbx: string;
	readonly name: string;
	/** waiting callers: channel uniqueid → joined at */
	readonly callers: Readonly<Record<string, ServerMs>>;
	/** members: endpoint → paused (persistent map: one update copies a bucket, not the whole set) */
	readonly members: PMap<boolean>;
	/** members whose value in `members` is true, kept incrementally */
	readonly pausedCount: number;
	readonly today: QueueDay;
	readonly view: QueueView | null;
}

/** A queue's counters for the current day. */
export interface QueueDay {
	readonly offered: number;
	readonly answered: number;
	readonly answeredInSl: number;
	readonly abandoned: number;
	readonly waitSeconds: number;
	readonly maxWaitSeconds: number;
}

export interface MonitorRec {
	readonly pbx: string;
	readonly spyerKey: string;
	readonly view: MonitorView;
}

export interface PendingMonitor {
	readonly pbx: string;
	readonly monitorId: string;
	readonly agentId: string;
	readonly supervisorId: string;
	readonly supervisorName: string;
	readonly mode: MonitorMode;
	readonly spyerEndpoint: string | null;
	readonly at: ServerMs;
}

export interface PendingOriginate {
	readonly pbx: string;
	readonly success: boolean;
	readonly reason: number;
	readonly callId: string | null;
	readonly exten: string;
	readonly endpoint: string;
	readonly at: ServerMs;
}

export interface PbxRec {
	readonly view: PbxLinkView;
	readonly lastEventAt: ServerMs | null;
}

/** The whole floor. Immutable: reduce returns a new one sharing unchanged parts. */
export interface FloorState {
	readonly config: FloorConfig;
	/** the reducer's clock: max of every `now` seen (never goes backwards) */
	readonly now: ServerMs;
	readonly day: string;
	readonly dayCheckedAt: ServerMs;
	readonly agents: PMap<AgentRec>;
	/** `${pbx}\0${endpoint}` → agent id */
	readonly agentByEndpoint: ReadonlyMap<string, string>;
	/** `${pbx}\0${endpoint}` */
	readonly endpoints: PMap<EndpointRec>;
	/** `${pbx}\0${stateInterface}` → endpoint key */
	readonly stateIfaces: PMap<string>;
	/** `${pbx}\0${uniqueid}` */
	readonly channels: PMap<ChannelRec>;
	/** `${pbx}\0${bridgeId}` → member uniqueids */
	readonly bridges: PMap<readonly string[]>;
	/** `${pbx}\0${linkedid}` */
	readonly calls: PMap<CallRec>;
	/** callId → call key */
	readonly callIds: PMap<string>;
	/** QueueView.id = `${pbx}:${name}` */
	readonly queues: PMap<QueueRec>;
	/** queue name → service-level threshold in seconds (managed queues; others use the default) */
	readonly serviceLevels: Readonly<Record<string, number>>;
	/** by monitor id */
	readonly monitors: PMap<MonitorRec>;
	/** `${pbx}\0${spyer uniqueid}` → monitor id */
	readonly spyers: PMap<string>;
	/** by monitor id */
	readonly pendingMonitors: PMap<PendingMonitor>;
	/** `u${pbx}\0${uniqueid}` (success before the channel) or `f${pbx}\0${callId}` (failure) */
	readonly pendingOriginates: PMap<PendingOriginate>;
	/** by pbx name */
	readonly links: PMap<PbxRec>;
}

export interface ReduceResult {
	state: FloorState;
	patches: FloorPatch[];
	effects: FloorEffect[];
}
