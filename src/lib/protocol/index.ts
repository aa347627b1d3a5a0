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
	/** queues the agent is a member of on their PBX (sorted) */
	queues: string[];
}

export interface AgentCallView {
	linkedid: string;
	direction: 'in' | 'out';
	/** remote party number (E.164 when known) */
	number: string;
	projectId: string | null;
	/** the lead's company when the call is one of ours (SB_COMPANY) */
	company: string | null;
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
	/** today (server day): callers who joined, were answered, within the service level, gave up */
	offered: number;
	answered: number;
	answeredInSl: number;
	abandoned: number;
	/** sum and maximum of answered callers' waits today (seconds) */
	waitSeconds: number;
	maxWaitSeconds: number;
	/** the threshold `answeredInSl` counts against */
	serviceLevelSeconds: number;
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

/** add / remove / set penalty (0 = rung first) / back to what the skills say */
export type QueueMemberChange = { kind: 'add'; penalty?: number } | { kind: 'remove' } | { kind: 'penalty'; penalty: number } | { kind: 'reset' };
export interface QueueMemberRequest {
	agentId: string;
	queue: string;
	change: QueueMemberChange;
}

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
	// ── inbound: a supervisor changes an agent's queue membership (kept over the skills rule) ──
	'queue:member': (request: QueueMemberRequest, ack: AckFn) => void;
}

/** What the socket middleware attaches to every connection, taken from the session cookie. */
export interface SocketUser {
	id: string;
	name: string;
	role: Role;
	teamIds: string[];
}

// ─── cockpit: operator control, raised hands, messages, coaching notice, alerts, presence, notes ───

/** Alert rule kinds the leader evaluates from the live floor (thresholds per team). */
export type AlertKind =
	| 'paused_too_long'
	| 'no_connect'
	| 'low_intensity'
	| 'pbx_down'
	| 'caller_waiting'
	| 'list_exhausting';

/** One rule of a team: `threshold` is minutes (paused, no connect, list exhausting), calls per hour (intensity) or seconds (PBX down, caller waiting). */
export interface AlertRule {
	kind: AlertKind;
	enabled: boolean;
	threshold: number;
}

export interface AlertView {
	id: string;
	kind: AlertKind;
	/** agent id, `queue:<id>`, `pbx:<name>` or `project:<id>` */
	subject: string;
	/** a human name for the subject (agent name, queue name, PBX name) */
	subjectName: string;
	teamId: string | null;
	details: Record<string, number | string>;
	raisedAt: ServerMs;
	claimedBy: string | null;
	claimedByName: string | null;
	claimedAt: ServerMs | null;
	resolvedAt: ServerMs | null;
}

export interface MessageView {
	id: string;
	fromName: string | null;
	/** set when the message was a broadcast to a team */
	teamId: string | null;
	body: string;
	createdAt: ServerMs;
	readAt: ServerMs | null;
}

/** What the agent sees while a supervisor whispers to or barges in on them; never sent for a silent listen. */
export interface CoachNotice {
	active: boolean;
	mode: 'whisper' | 'barge' | null;
	text: string | null;
}

export interface PresenceEntry {
	userId: string;
	name: string;
	role: Role;
	/** the teams this viewer watches; empty = every team in their scope */
	teams: string[];
}

export interface AgentNoteView {
	id: string;
	agentId: string;
	authorName: string | null;
	body: string;
	createdAt: ServerMs;
}

export interface ProjectChoice {
	id: string;
	name: string;
}

/** merged into the contract above (declaration merging keeps the existing lines untouched) */
export interface ServerToClientEvents {
	'alert:raised': (alert: AlertView) => void;
	'alert:updated': (alert: AlertView) => void;
	'message:received': (message: MessageView) => void;
	'coach:notice': (notice: CoachNotice) => void;
	'presence:update': (entries: PresenceEntry[]) => void;
	'note:added': (note: AgentNoteView) => void;
	'note:removed': (note: { id: string; agentId: string }) => void;
	/** the agent's projects changed (moved by a supervisor): reload the workstation */
	'project:moved': (change: { projectId: string; projectName: string }) => void;
}

export interface ClientToServerEvents {
	'hand:raise': (request: Record<string, never>, ack: AckFn) => void;
	'hand:lower': (request: { agentId?: string }, ack: AckFn) => void;
	'agent:logoff': (request: { agentId: string }, ack: AckFn<{ queues: number }>) => void;
	'agent:projects': (request: { agentId: string }, ack: AckFn<{ current: ProjectChoice[]; available: ProjectChoice[] }>) => void;
	'agent:move': (request: { agentId: string; fromProjectId: string | null; toProjectId: string }, ack: AckFn) => void;
	'message:send': (request: { agentId: string; body: string }, ack: AckFn<{ id: string }>) => void;
	'message:broadcast': (request: { teamId: string; body: string }, ack: AckFn<{ sent: number }>) => void;
	'message:list': (request: Record<string, never>, ack: AckFn<MessageView[]>) => void;
	'message:read': (request: { messageId: string }, ack: AckFn) => void;
	'alert:list': (request: Record<string, never>, ack: AckFn<AlertView[]>) => void;
	'alert:claim': (request: { alertId: string }, ack: AckFn<AlertView>) => void;
	'alert:resolve': (request: { alertId: string }, ack: AckFn<AlertView>) => void;
	'presence:watch': (request: { teams: string[] }, ack: AckFn<PresenceEntry[]>) => void;
	'note:list': (request: Record<string, never>, ack: AckFn<AgentNoteView[]>) => void;
	'note:add': (request: { agentId: string; body: string }, ack: AckFn<AgentNoteView>) => void;
	'note:remove': (request: { noteId: string }, ack: AckFn) => void;
}

// ─── leads: live import progress ────────────────────────────────────────────

/** One committed batch (or the end) of a lead import, sent to the managers watching its project. */
export interface ImportProgressEvent {
	importId: string;
	projectId: string;
	status: 'running' | 'done' | 'cancelled' | 'failed';
	/** rows committed so far */
	processed: number;
	created: number;
	merged: number;
	duplicate: number;
	invalid: number;
	/** bytes of the file read so far and its size: the share done */
	bytesRead: number;
	bytesTotal: number;
}

// Interface merging: these add the import events to the wire contract above.
export interface ServerToClientEvents {
	'import:progress': (event: ImportProgressEvent) => void;
}

export interface ClientToServerEvents {
	/** managers and admins: receive `import:progress` for this project's imports (replaces the previous watch) */
	'import:watch': (request: { projectId: string }, ack: AckFn) => void;
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

/** a project's day so far against its targets (all its performers together; the leader reads it every 30 s) */
export interface ProjectTodayView {
	dials: number;
	connects: number;
	meetings: number;
	/** the project's daily call / meeting target per agent × its performers */
	dialTarget: number;
	meetingTarget: number;
}

export interface ProjectProgressView {
	projectId: string;
	name: string;
	teamId: string | null;
	points: ProjectProgressPoint[];
	/** replaces the previous one when present */
	today?: ProjectTodayView;
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

// ── hub health (issue 10): the hub tells every socket when it serves in a degraded mode ──
/**
 * `degraded` is null while the hub runs as configured. `redis_unreachable`: Redis is away, so this
 * node serves on its own — the floor it leads stays live, but other nodes' clients and commands
 * cannot reach it until Redis returns. Sent on connect and on every change.
 */
export interface HubHealth {
	degraded: { cause: 'redis_unreachable'; since: number; leading: boolean } | null;
}
export interface ServerToClientEvents {
	'hub:health': (health: HubHealth) => void;
}
