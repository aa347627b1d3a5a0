/**
 * The wire contract between the realtime hub and every browser (DESIGN §3).
 * Types only: imported by realtime/hub, realtime/state and src/lib/realtime.
 * Event names are `entity:verb`; every client command takes an Ack.
 */

export type Role = 'admin' | 'manager' | 'supervisor' | 'agent';

/** Agent states on the floor. `paused` carries a reason in `AgentView.pauseReason`. */
export type AgentState = 'offline' | 'idle' | 'ringing' | 'dialing' | 'talking' | 'wrapup' | 'paused';

export type MonitorMode = 'listen' | 'whisper' | 'barge';

/** Server epoch milliseconds. All timers on the floor are computed from server time. */
export type ServerMs = number;

export interface AgentCounters {
	dials: number;
	connects: number;
	talkSeconds: number;
}

export interface AgentView {
	/** users.id of the agent */
	id: string;
	name: string;
	/** e.g. `PJSIP/1001` */
	endpoint: string;
	pbx: string;
	teamIds: string[];
	state: AgentState;
	/** when the current state began (server ms) */
	since: ServerMs;
	pauseReason: string | null;
	/** the agent's active call, if any */
	call: AgentCallView | null;
	today: AgentCounters;
	handRaised: boolean;
}

export interface AgentCallView {
	linkedid: string;
	direction: 'in' | 'out';
	/** remote party number (E.164 when known) */
	number: string;
	projectId: string | null;
	leadId: string | null;
	callId: string | null;
	queue: string | null;
	startedAt: ServerMs;
	answeredAt: ServerMs | null;
}

export interface QueueView {
	/** `${pbx}:${queueName}` */
	id: string;
	pbx: string;
	name: string;
	waiting: number;
	/** when the longest-waiting caller joined, null when nobody waits */
	longestSince: ServerMs | null;
	members: number;
	paused: number;
}

export interface MonitorView {
	/** hub-assigned id */
	id: string;
	supervisorId: string | null;
	supervisorName: string | null;
	agentId: string;
	mode: MonitorMode;
	spyerChannel: string;
	since: ServerMs;
}

export interface PbxLinkView {
	name: string;
	connected: boolean;
	/** when the link entered its current connected/disconnected state */
	since: ServerMs;
	/** last event received from that PBX */
	lastEventAt: ServerMs | null;
}

export interface FloorSnapshot {
	version: number;
	serverTime: ServerMs;
	agents: AgentView[];
	queues: QueueView[];
	monitors: MonitorView[];
	pbx: PbxLinkView[];
}

/** One change to the floor. Agent patches carry the whole agent (coalesced per agent per flush). */
export type FloorPatch =
	| { kind: 'agent'; agent: AgentView }
	| { kind: 'agentRemoved'; agentId: string }
	| { kind: 'queue'; queue: QueueView }
	| { kind: 'monitor'; monitor: MonitorView }
	| { kind: 'monitorEnded'; monitorId: string }
	| { kind: 'pbx'; pbx: PbxLinkView };

export interface FloorPatchMessage {
	version: number;
	serverTime: ServerMs;
	patches: FloorPatch[];
}

export interface ErrorBody {
	code: 'unauthorized' | 'forbidden' | 'bad_request' | 'not_found' | 'unavailable' | 'internal';
	message: string;
}

export type Ack<T = null> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckFn<T = null> = (ack: Ack<T>) => void;

export interface FloorSubscribeRequest {
	teams?: string[];
	projects?: string[];
}

export type RingTo = 'endpoint' | 'mobile' | { number: string };

export interface ServerToClientEvents {
	'floor:snapshot': (snapshot: FloorSnapshot) => void;
	'floor:patch': (message: FloorPatchMessage) => void;
}

export interface ClientToServerEvents {
	'floor:subscribe': (request: FloorSubscribeRequest, ack: AckFn<FloorSnapshot>) => void;
	'floor:snapshot': (ack: AckFn<FloorSnapshot>) => void;
	'agent:pause': (request: { agentId: string; reason: string }, ack: AckFn) => void;
	'agent:unpause': (request: { agentId: string }, ack: AckFn) => void;
	'monitor:start': (
		request: { agentId: string; mode: MonitorMode; ringTo: RingTo },
		ack: AckFn<{ monitorId: string }>
	) => void;
	'monitor:switch': (request: { monitorId: string; mode: MonitorMode }, ack: AckFn) => void;
	'monitor:stop': (request: { monitorId: string }, ack: AckFn) => void;
	'call:dial': (request: { leadId: string; phoneId: string }, ack: AckFn<{ callId: string }>) => void;
	'call:hangup': (request: { callId: string }, ack: AckFn) => void;
}

/** What the socket middleware attaches to every connection, taken from the session cookie. */
export interface SocketUser {
	id: string;
	name: string;
	role: Role;
	teamIds: string[];
}

// ─── floorcharts: per-team colour thresholds and live charts (one stream for all viewers) ───

/** [yellow, orange, red] seconds in a state, ascending */
export type ThresholdSteps = [number, number, number];
/** a team's overrides of the wall-board colours, per agent state (absent: the default) */
export type TeamThresholdsView = Partial<Record<AgentState, ThresholdSteps>>;

export type ProjectLeadStatus = 'new' | 'callback' | 'in_progress' | 'done' | 'exhausted' | 'dnc';

/** an agent's outbound calls today per 15-minute slot of the day (slot 0 = 00:00–00:15 server local time) */
export interface AgentIntensityView {
	/** [slot, calls] for the slots with calls, ascending */
	slots: [number, number][];
	/** calls per 15 minutes the agent's projects ask for (their daily call target over 8 hours); null: no active project */
	target: number | null;
}

/** leads of a project by status at one moment (sampled by the leader) */
export interface ProjectProgressPoint {
	t: ServerMs;
	counts: Record<ProjectLeadStatus, number>;
}

export interface ProjectProgressView {
	projectId: string;
	name: string;
	teamId: string | null;
	points: ProjectProgressPoint[];
}

export interface FloorchartsState {
	/** the day the slots count (YYYY-MM-DD) and when it began (server ms) */
	day: string;
	dayStart: ServerMs;
	thresholds: Record<string, TeamThresholdsView>;
	intensity: Record<string, AgentIntensityView>;
	projects: ProjectProgressView[];
}

/**
 * A change to the charts state. `reset`: replace everything (new day, new leader). Otherwise
 * `thresholds` replaces the whole table, `intensity` replaces the listed agents, and each entry of
 * `projects` appends its points to that project (creating it when new).
 */
export interface FloorchartsDelta {
	seq: number;
	reset: boolean;
	day: string;
	dayStart: ServerMs;
	thresholds?: Record<string, TeamThresholdsView>;
	intensity?: Record<string, AgentIntensityView>;
	projects?: ProjectProgressView[];
}

// Declaration merging adds this area's events without touching the lists above.
export interface ServerToClientEvents {
	'floorcharts:delta': (delta: FloorchartsDelta) => void;
}
export interface ClientToServerEvents {
	'floorcharts:subscribe': (ack: AckFn<FloorchartsState>) => void;
}
