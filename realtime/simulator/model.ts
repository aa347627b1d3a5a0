/**
 * The simulated PBX: agents' PJSIP phones, a PJSIP trunk, queues, channels, bridges, device
 * states and spies, emitting the AMI events Asterisk 22 emits for the same situations (field sets
 * and order as in ../shared/ami-transcripts; channel technology is PJSIP instead of the Local
 * channels used for the recordings, so there are no `;1`/`;2` halves except for Local originates).
 *
 * Pure apart from the injected clock (timers) and seeded RNG: the same inputs produce the same
 * event stream. No sockets, no files: the server subscribes with onEvent() and onRecording().
 *
 * Names: agent legs `PJSIP/1001-0000001a`, customer legs `PJSIP/trunk-0000001b` (one global
 * 8-hex-digit counter), Uniqueid `<epoch>.<seq>`, Linkedid = first channel's Uniqueid of a call.
 */
import { createRng, createSystemClock } from './clock';
import type { Rng, SimClock, TimerId } from './clock';
import { BotDriver } from './bots';
import type { BotProfile } from './bots';
import {
	ChannelState,
	DEVICE_STATUS,
	bridgeBlock,
	causeText,
	cdrTime,
	channelBlock,
	channelEvent,
	dialEvent,
	eventHead,
	memberEvent,
	parseCallerId
} from './fields';
import type { ChannelSnapshot, MemberSnapshot, SimFields } from './fields';

/** An agent as the app knows it (from its users table). */
export interface SimAgent {
	/** device / queue interface, e.g. `PJSIP/1001` */
	endpoint: string;
	name: string;
	/** internal extension / caller id number, e.g. `1001` */
	extension: string;
}

export interface SimQueueConfig {
	name: string;
	/** member endpoints; default: every agent */
	members?: string[];
	/** only one member is rung at a time in every strategy (rrmemory rotates, others start at the top) */
	strategy?: 'rrmemory' | 'ringall' | 'linear';
	/** how long one member rings before AgentRingNoAnswer (ms, default 15000) */
	memberTimeoutMs?: number;
	/** seconds, for QueueParams ServiceLevel (default 20) */
	serviceLevel?: number;
	/**
	 * queues.conf `monitor-format`: record every answered caller (unless the call already carries
	 * SB_REC) as `<caller uniqueid>.<format>`, announced like Asterisk with a VarSet
	 * MIXMONITOR_FILENAME (the full path in the monitor spool) before MixMonitorStart
	 */
	monitorFormat?: 'wav';
}

export interface SimTiming {
	/** agent phone rings this long before it auto-answers an Originate (ms) */
	agentRingMs: number;
	/** an answering customer rings this long (ms) */
	customerRingMs: number;
	/** Dial timeout for numbers that never answer (…0487) (ms) */
	noAnswerMs: number;
	/** talk time of an answered call nobody hangs up (ms); null = until a Hangup action */
	talkMs: number | null;
	/** default Originate Timeout when the action gives none (ms) */
	originateTimeoutMs: number;
	/** a human agent's phone rings this long before it answers a queue call (ms) */
	memberRingMs: number;
	/** pause between two queue ring attempts (ms) */
	queueRetryMs: number;
	/** default patience of an inbound caller in a queue before abandoning (ms) */
	inboundPatienceMs: number;
}

export const DEFAULT_TIMING: SimTiming = {
	agentRingMs: 1000,
	customerRingMs: 2000,
	noAnswerMs: 5000,
	talkMs: null,
	originateTimeoutMs: 30_000,
	memberRingMs: 2000,
	queueRetryMs: 1000,
	inboundPatienceMs: 120_000
};

/** How an agent's phone reacts when it rings. */
export type AnswerMode = 'auto' | 'never' | 'busy';

export type AgentActivity = 'idle' | 'ringing' | 'dialing' | 'talking' | 'wrapup' | 'paused';

export type DialOutcome = 'answer' | 'busy' | 'noanswer' | 'congestion' | 'unavailable';

/** Deterministic outcome of dialling a customer number: …0486 busy, …0487 no answer, …0488 congestion, …0489 unallocated. */
export function dialOutcome(number: string): DialOutcome {
	if (number.endsWith('0486')) return 'busy';
	if (number.endsWith('0487')) return 'noanswer';
	if (number.endsWith('0488')) return 'congestion';
	if (number.endsWith('0489')) return 'unavailable';
	return 'answer';
}

export interface PbxModelOptions {
	agents: readonly SimAgent[];
	/** default: `sales` (every agent) and `support` (every other agent) */
	queues?: readonly SimQueueConfig[];
	clock?: SimClock;
	seed?: number;
	/** start every agent as a bot (default false) */
	bots?: boolean;
	timing?: Partial<SimTiming>;
	botProfile?: Partial<BotProfile>;
	/** emit Cdr events at hangup (default true) */
	cdr?: boolean;
	/**
	 * Probability (0–1, default 0) that an async Originate's OriginateResponse is delivered before
	 * any event of its call (its events are held until the leg answers or fails), as Asterisk does
	 * for many originates under load. Use it to check that consumers correlate by variables, not order.
	 */
	earlyOriginateResponse?: number;
}

export interface OriginateRequest {
	/** dial string: `PJSIP/1001`, `PJSIP/0612340487@trunk`, `Local/0612345678@outbound` */
	channel: string;
	context?: string;
	exten?: string;
	priority?: number;
	application?: string;
	data?: string;
	/** `"Name" <num>` */
	callerId?: string;
	variables?: ReadonlyArray<readonly [string, string]>;
	timeoutMs?: number;
	actionId?: string;
	/** emit OriginateResponse (default true); a synchronous Originate gets none */
	async?: boolean;
	/** override the talk time of the answered customer (ms; null = until hangup) */
	talkMs?: number | null;
	/** called once with the outcome */
	onResult?: (r: OriginateResult) => void;
}

export interface OriginateResult {
	response: 'Success' | 'Failure';
	/** 4 answered, 1 hung up, 3 no answer, 5 busy, 8 congestion, 0 failed */
	reason: number;
	/** channel name on success, the dial string on failure */
	channel: string;
	uniqueid: string;
}

export interface InboundCallRequest {
	queue: string;
	callerNum?: string;
	callerName?: string;
	/** ms before the caller gives up waiting (default timing.inboundPatienceMs) */
	patienceMs?: number;
	/** ms the caller talks before hanging up once connected (default timing.talkMs; bots choose their own) */
	talkMs?: number | null;
	variables?: ReadonlyArray<readonly [string, string]>;
}

/** Snapshot of a live channel (for Status / CoreShowChannels). */
export interface ChannelInfo extends ChannelSnapshot {
	tech: string;
	application: string;
	applicationData: string;
	bridgeId: string;
	createdAt: number;
	answeredAt: number | null;
	/** channel variables (names as set, e.g. `_SB_CALL`) */
	variables: ReadonlyMap<string, string>;
	device: string | null;
}

export interface QueueEntryInfo {
	position: number;
	channel: ChannelInfo;
	joinedAt: number;
}

export interface QueueInfo {
	name: string;
	strategy: string;
	serviceLevel: number;
	completed: number;
	abandoned: number;
	/** average hold / talk seconds */
	holdTime: number;
	talkTime: number;
	serviceLevelPerf: number;
	members: MemberSnapshot[];
	entries: QueueEntryInfo[];
}

export interface RecordingStart {
	channel: string;
	uniqueid: string;
	linkedid: string;
	/** file name as given (MixMonitor File, or the SB_REC channel variable) */
	file: string;
}

export type SpyMode = 'listen' | 'whisper' | 'barge';

// ---------------------------------------------------------------------------------------------

interface Bridge {
	id: string;
	channels: Chan[];
}

interface Chan extends ChannelSnapshot {
	tech: 'PJSIP' | 'Local';
	device: string | null;
	createdAt: number;
	answeredAt: number | null;
	app: string;
	appData: string;
	bridge: Bridge | null;
	vars: Map<string, string>;
	/** runs dialplan (originated or incoming) rather than being a dialled outgoing leg */
	dialplan: boolean;
	hangingUp: boolean;
	hungup: boolean;
	timers: Set<TimerId>;
	localPeer: Chan | null;
	/** flow hooks run right after HangupRequest/SoftHangupRequest, before BridgeLeave */
	onHangupRequest: Array<(cause: number) => void>;
	/** flow hooks run after the Hangup event */
	afterHangup: Array<() => void>;
	/** set when a bridged peer leaves: what this channel does then (default: hang up) */
	onBridgeEnd: (() => void) | null;
	spy: SpyRec | null;
	lastPeer: string;
	disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED';
	mixMonitors: number;
}

interface SpyRec {
	spyer: Chan;
	spec: string;
	byUniqueid: boolean;
	endWithSpyee: boolean;
	dtmf: boolean;
	mode: SpyMode;
	target: Chan | null;
}

interface AgentRec {
	agent: SimAgent;
	answer: AnswerMode;
	wrapUntil: number;
	/** no queue call rings this phone before (a person just took it over from a bot) */
	heldUntil: number;
}

interface MemberRec extends MemberSnapshot {
	ringing: boolean;
}

interface QueueEntry {
	ch: Chan;
	joinedAt: number;
	originalPosition: number;
	ringing: { member: MemberRec; ch: Chan; startedAt: number } | null;
	connected: boolean;
	talkMs: number | null;
	done: boolean;
	/** no ring attempt before this time (queue retry after a no-answer) */
	retryAt: number;
}

interface QueueRec {
	name: string;
	strategy: 'rrmemory' | 'ringall' | 'linear';
	memberTimeoutMs: number;
	serviceLevel: number;
	members: MemberRec[];
	entries: QueueEntry[];
	rr: number;
	completed: number;
	abandoned: number;
	holdTotal: number;
	talkTotal: number;
	withinSl: number;
	monitorFormat: 'wav' | null;
}

type DialTarget =
	| { kind: 'phone'; device: string; resource: string }
	| { kind: 'trunk'; number: string }
	| { kind: 'local'; exten: string; context: string }
	| { kind: 'invalid' };

function parseDialString(s: string): DialTarget {
	let m = /^PJSIP\/([^@/\s]+)@trunk$/i.exec(s) ?? /^PJSIP\/trunk\/([^@/\s]+)$/i.exec(s);
	if (m !== null) return { kind: 'trunk', number: m[1] ?? '' };
	m = /^PJSIP\/([A-Za-z0-9_.+-]+)$/i.exec(s);
	if (m !== null && m[1] !== 'trunk') return { kind: 'phone', device: `PJSIP/${m[1]}`, resource: m[1] ?? '' };
	m = /^Local\/([^@/\s]+)@([^/\s]+)(?:\/n)?$/i.exec(s);
	if (m !== null) return { kind: 'local', exten: m[1] ?? '', context: m[2] ?? '' };
	return { kind: 'invalid' };
}

/** Variable name as Getvar sees it (inheritance underscores stripped). */
function varKey(name: string): string {
	return name.replace(/^_{1,2}/, '');
}

const TRUNK_DEVICE = 'PJSIP/trunk';
const AGENT_CONTEXT = 'from-internal';
const TRUNK_CONTEXT = 'from-trunk';
/** `Originate Channel: Local/<queue>@inbound`: a customer calling that queue (see originate()) */
const INBOUND_CONTEXT = 'inbound';
/** where Asterisk's queue recordings land (monitor-format); the app mounts this spool as its recordings dir */
const MONITOR_SPOOL = '/var/spool/asterisk/monitor';

export class PbxModel {
	readonly clock: SimClock;
	readonly timing: SimTiming;
	readonly rng: Rng;
	readonly bots: BotDriver;
	readonly startedAt: number;

	readonly #cdr: boolean;
	readonly #earlyResponse: number;
	/** Linkedid → events held back until the Originate's response (earlyOriginateResponse) */
	readonly #heldCalls = new Map<string, SimFields[]>();
	#holdNextCall = false;
	readonly #listeners = new Set<(f: SimFields) => void>();
	/** channels kept outside the model (the load generator's synthetic calls), listed with ours */
	readonly #channelSources = new Set<() => readonly ChannelInfo[]>();
	readonly #recordingListeners = new Set<(r: RecordingStart) => void>();
	readonly #agentListeners = new Set<(endpoint: string, why: 'hangup' | 'pause') => void>();
	readonly #agents = new Map<string, AgentRec>();
	readonly #queues = new Map<string, QueueRec>();
	readonly #channels = new Map<string, Chan>();
	readonly #deviceChans = new Map<string, Set<Chan>>();
	readonly #devices = new Map<string, string>();
	readonly #globals = new Map<string, string>();
	readonly #spies = new Set<SpyRec>();
	readonly #timers = new Set<TimerId>();
	#chanIdx: number;
	#uidSeq: number;
	#disposed = false;

	constructor(opts: PbxModelOptions) {
		this.clock = opts.clock ?? createSystemClock();
		this.timing = { ...DEFAULT_TIMING, ...opts.timing };
		this.rng = createRng(opts.seed ?? 1);
		this.#cdr = opts.cdr ?? true;
		this.#earlyResponse = opts.earlyOriginateResponse ?? 0;
		this.startedAt = this.clock.now();
		this.#chanIdx = this.rng.int(0x10, 0x200);
		this.#uidSeq = this.rng.int(0, 40);
		for (const a of opts.agents) this.#addAgentRec(a);
		const queues = opts.queues ?? [
			{ name: 'sales', strategy: 'rrmemory' as const },
			{
				name: 'support',
				strategy: 'rrmemory' as const,
				members: opts.agents.filter((_, i) => i % 2 === 1).map((a) => a.endpoint)
			}
		];
		for (const q of queues) this.#addQueue(q);
		this.#devices.set(TRUNK_DEVICE, 'NOT_INUSE');
		this.bots = new BotDriver(this, opts.botProfile);
		if (opts.bots === true) for (const a of opts.agents) this.bots.setBot(a.endpoint, true);
	}

	// ----------------------------------------------------------------------------- subscriptions

	/** Every event, in order. Returns an unsubscribe function. */
	onEvent(fn: (f: SimFields) => void): () => void {
		this.#listeners.add(fn);
		return () => this.#listeners.delete(fn);
	}

	/** A recording starts (MixMonitor action, or an answered call carrying SB_REC). */
	onRecording(fn: (r: RecordingStart) => void): () => void {
		this.#recordingListeners.add(fn);
		return () => this.#recordingListeners.delete(fn);
	}

	/** A channel on an agent's phone hung up, or the agent's pause state changed. */
	onAgentChange(fn: (endpoint: string, why: 'hangup' | 'pause') => void): () => void {
		this.#agentListeners.add(fn);
		return () => this.#agentListeners.delete(fn);
	}

	/** Deliver an event to subscribers (the load generator uses this for synthetic traffic). */
	emit(f: SimFields): void {
		for (const fn of this.#listeners) fn(f);
	}

	/** Stop all timers and bots; the model emits nothing afterwards. */
	dispose(): void {
		this.#disposed = true;
		this.bots.stopAll();
		for (const id of this.#timers) this.clock.clearTimeout(id);
		this.#timers.clear();
		this.#listeners.clear();
	}

	/** Schedule work on the model clock (cancelled by dispose, or with the owning channel). */
	after(ms: number, fn: () => void, owner?: { timers: Set<TimerId> }): TimerId {
		const id = this.clock.setTimeout(() => {
			this.#timers.delete(id);
			owner?.timers.delete(id);
			if (!this.#disposed) fn();
		}, ms);
		this.#timers.add(id);
		owner?.timers.add(id);
		return id;
	}

	cancel(id: TimerId): void {
		this.clock.clearTimeout(id);
		this.#timers.delete(id);
	}

	// ----------------------------------------------------------------------------- agents

	agents(): SimAgent[] {
		return [...this.#agents.values()].map((r) => r.agent);
	}

	agent(endpoint: string): SimAgent | undefined {
		return this.#agents.get(endpoint)?.agent;
	}

	/** Add an agent (not a queue member until QueueAdd); `bot` starts the bot loop for it. */
	addAgent(agent: SimAgent, opts: { bot?: boolean } = {}): void {
		if (!this.#agents.has(agent.endpoint)) this.#addAgentRec(agent);
		if (opts.bot !== undefined) this.bots.setBot(agent.endpoint, opts.bot);
	}

	/** Mark an agent as a bot (dials on its own) or human (only Originate/queue calls). */
	setBot(endpoint: string, bot: boolean): void {
		this.bots.setBot(endpoint, bot);
	}

	isBot(endpoint: string): boolean {
		return this.bots.isBot(endpoint);
	}

	/** How the agent's phone reacts to ringing (tests: 'never' → OriginateResponse Failure 3). */
	setAnswerMode(endpoint: string, mode: AnswerMode): void {
		const r = this.#agents.get(endpoint);
		if (r !== undefined) r.answer = mode;
	}

	/** Keep an agent out of queue routing until `untilMs` (bots' wrap-up). */
	setWrapUp(endpoint: string, untilMs: number): void {
		const r = this.#agents.get(endpoint);
		if (r !== undefined) r.wrapUntil = untilMs;
	}

	/**
	 * Keep a phone out of queue routing for `ms` without any state of its own (not wrap-up, not
	 * paused): a person taking over a bot's phone to place a call must not find a queue caller
	 * put through in the moment between the bot's hangup and their Originate.
	 */
	holdFromQueues(endpoint: string, ms: number): void {
		const r = this.#agents.get(endpoint);
		if (r === undefined) return;
		r.heldUntil = this.clock.now() + ms;
		this.after(ms, () => this.dispatchQueues());
	}

	deviceState(device: string): string {
		return this.#devices.get(device) ?? (this.#agents.has(device) ? 'NOT_INUSE' : 'UNAVAILABLE');
	}

	/** The agent has a live channel on its phone. */
	agentBusy(endpoint: string): boolean {
		const set = this.#deviceChans.get(endpoint);
		return set !== undefined && set.size > 0;
	}

	/** Paused in every queue it belongs to (false when in no queue). */
	agentPaused(endpoint: string): boolean {
		let any = false;
		for (const q of this.#queues.values()) {
			for (const m of q.members) {
				if (m.iface !== endpoint) continue;
				if (!m.paused) return false;
				any = true;
			}
		}
		return any;
	}

	/** What the agent is doing now, derived from its channels (and its bot's wrap-up). */
	agentActivity(endpoint: string): AgentActivity {
		const set = this.#deviceChans.get(endpoint);
		if (set !== undefined && set.size > 0) {
			for (const ch of set) if (ch.bridge !== null) return 'talking';
			for (const ch of set) if (ch.dialplan) return 'dialing';
			return 'ringing';
		}
		const r = this.#agents.get(endpoint);
		if (r !== undefined && r.wrapUntil > this.clock.now()) return 'wrapup';
		if (this.agentPaused(endpoint)) return 'paused';
		return 'idle';
	}

	#addAgentRec(agent: SimAgent): void {
		this.#agents.set(agent.endpoint, { agent, answer: 'auto', wrapUntil: 0, heldUntil: 0 });
		this.#devices.set(agent.endpoint, 'NOT_INUSE');
	}

	#notifyAgent(endpoint: string | null, why: 'hangup' | 'pause'): void {
		if (endpoint === null || !this.#agents.has(endpoint)) return;
		for (const fn of this.#agentListeners) fn(endpoint, why);
	}

	// ----------------------------------------------------------------------------- queues

	#addQueue(q: SimQueueConfig): void {
		const members = q.members ?? [...this.#agents.keys()];
		const now = Math.floor(this.clock.now() / 1000);
		const rec: QueueRec = {
			name: q.name,
			strategy: q.strategy ?? 'rrmemory',
			memberTimeoutMs: q.memberTimeoutMs ?? 15_000,
			serviceLevel: q.serviceLevel ?? 20,
			members: [],
			entries: [],
			rr: 0,
			completed: 0,
			abandoned: 0,
			holdTotal: 0,
			talkTotal: 0,
			withinSl: 0,
			monitorFormat: q.monitorFormat ?? null
		};
		for (const ep of members) {
			const a = this.#agents.get(ep)?.agent;
			rec.members.push(this.#newMember(rec.name, ep, a?.name ?? ep, ep, 'static', 0, now));
		}
		this.#queues.set(q.name, rec);
	}

	#newMember(
		queue: string,
		iface: string,
		memberName: string,
		stateInterface: string,
		membership: 'static' | 'dynamic',
		penalty: number,
		loginTime: number
	): MemberRec {
		return {
			queue,
			memberName,
			iface,
			stateInterface,
			membership,
			penalty,
			callsTaken: 0,
			lastCall: 0,
			lastPause: 0,
			loginTime,
			inCall: false,
			status: DEVICE_STATUS[this.deviceState(stateInterface)] ?? 0,
			paused: false,
			pausedReason: '',
			wrapuptime: 0,
			ringing: false
		};
	}

	queueNames(): string[] {
		return [...this.#queues.keys()];
	}

	queues(): QueueInfo[] {
		const now = this.clock.now();
		return [...this.#queues.values()].map((q) => ({
			name: q.name,
			strategy: q.strategy,
			serviceLevel: q.serviceLevel,
			completed: q.completed,
			abandoned: q.abandoned,
			holdTime: q.completed === 0 ? 0 : Math.round(q.holdTotal / q.completed),
			talkTime: q.completed === 0 ? 0 : Math.round(q.talkTotal / q.completed),
			serviceLevelPerf: q.completed === 0 ? 0 : (100 * q.withinSl) / q.completed,
			members: q.members.map((m) => this.#memberSnap(m)),
			entries: q.entries.map((e, i) => ({
				position: i + 1,
				channel: this.#info(e.ch, now),
				joinedAt: e.joinedAt
			}))
		}));
	}

	#memberSnap(m: MemberRec): MemberSnapshot {
		return {
			queue: m.queue,
			memberName: m.memberName,
			iface: m.iface,
			stateInterface: m.stateInterface,
			membership: m.membership,
			penalty: m.penalty,
			callsTaken: m.callsTaken,
			lastCall: m.lastCall,
			lastPause: m.lastPause,
			loginTime: m.loginTime,
			inCall: m.inCall,
			status: DEVICE_STATUS[this.deviceState(m.stateInterface)] ?? 0,
			paused: m.paused,
			pausedReason: m.pausedReason,
			wrapuptime: m.wrapuptime
		};
	}

	/**
	 * QueuePause: every membership of `iface` (or only in `queue`). Emits QueueMemberPause per
	 * membership. Returns how many memberships matched (0 → "Interface not found").
	 */
	queuePause(req: { iface: string; paused: boolean; queue?: string; reason?: string }): number {
		let n = 0;
		const now = Math.floor(this.clock.now() / 1000);
		for (const q of this.#queues.values()) {
			if (req.queue !== undefined && req.queue !== '' && q.name !== req.queue) continue;
			for (const m of q.members) {
				if (m.iface !== req.iface) continue;
				n++;
				m.paused = req.paused;
				m.pausedReason = req.paused ? (req.reason ?? '') : '';
				if (req.paused) m.lastPause = now;
				this.#emit(memberEvent('QueueMemberPause', this.#memberSnap(m)));
			}
		}
		if (n > 0) {
			this.#notifyAgent(req.iface, 'pause');
			if (!req.paused) this.dispatchQueues();
		}
		return n;
	}

	queueAdd(req: {
		queue: string;
		iface: string;
		memberName?: string;
		stateInterface?: string;
		penalty?: number;
		paused?: boolean;
		reason?: string;
	}): 'ok' | 'noqueue' | 'exists' {
		const q = this.#queues.get(req.queue);
		if (q === undefined) return 'noqueue';
		if (q.members.some((m) => m.iface === req.iface)) return 'exists';
		const name = req.memberName ?? this.#agents.get(req.iface)?.agent.name ?? req.iface;
		const m = this.#newMember(
			q.name,
			req.iface,
			name,
			req.stateInterface ?? req.iface,
			'dynamic',
			req.penalty ?? 0,
			Math.floor(this.clock.now() / 1000)
		);
		if (req.paused === true) {
			m.paused = true;
			m.pausedReason = req.reason ?? '';
		}
		q.members.push(m);
		this.#emit(memberEvent('QueueMemberAdded', this.#memberSnap(m)));
		this.dispatchQueues();
		return 'ok';
	}

	queueRemove(req: { queue: string; iface: string }): 'ok' | 'noqueue' | 'notthere' {
		const q = this.#queues.get(req.queue);
		if (q === undefined) return 'noqueue';
		const i = q.members.findIndex((m) => m.iface === req.iface);
		if (i === -1) return 'notthere';
		const [m] = q.members.splice(i, 1);
		if (m !== undefined) this.#emit(memberEvent('QueueMemberRemoved', this.#memberSnap(m)));
		return 'ok';
	}

	queuePenalty(req: { iface: string; penalty: number; queue?: string }): number {
		let n = 0;
		for (const q of this.#queues.values()) {
			if (req.queue !== undefined && req.queue !== '' && q.name !== req.queue) continue;
			for (const m of q.members) {
				if (m.iface !== req.iface) continue;
				n++;
				m.penalty = req.penalty;
				this.#emit(memberEvent('QueueMemberPenalty', this.#memberSnap(m)));
			}
		}
		return n;
	}

	// ----------------------------------------------------------------------------- channel snapshots

	/** Live channels, newest first (the order Asterisk lists them). */
	channels(): ChannelInfo[] {
		const now = this.clock.now();
		const own = [...this.#channels.values()].reverse().map((c) => this.#info(c, now));
		for (const source of this.#channelSources) own.unshift(...source());
		return own;
	}

	/**
	 * Live channels emitted by someone else through emit() (the load generator): Asterisk lists every
	 * live channel in CoreShowChannels/Status, so a consumer resyncing mid-call must find them too.
	 */
	addChannelSource(source: () => readonly ChannelInfo[]): () => void {
		this.#channelSources.add(source);
		return () => this.#channelSources.delete(source);
	}

	channel(name: string): ChannelInfo | undefined {
		const c = this.#channels.get(name);
		return c === undefined ? undefined : this.#info(c, this.clock.now());
	}

	#info(c: Chan, _now: number): ChannelInfo {
		return {
			name: c.name,
			state: c.state,
			callerNum: c.callerNum,
			callerName: c.callerName,
			connNum: c.connNum,
			connName: c.connName,
			language: c.language,
			accountCode: c.accountCode,
			context: c.context,
			exten: c.exten,
			priority: c.priority,
			uniqueid: c.uniqueid,
			linkedid: c.linkedid,
			tech: c.tech,
			application: c.app,
			applicationData: c.appData,
			bridgeId: c.bridge?.id ?? '',
			createdAt: c.createdAt,
			answeredAt: c.answeredAt,
			variables: new Map(c.vars),
			device: c.device
		};
	}

	/** Current spy mode of a spyer channel (null when it is not spying). */
	spyMode(spyerChannel: string): SpyMode | null {
		return this.#channels.get(spyerChannel)?.spy?.mode ?? null;
	}

	/** The channel a spyer currently listens to. */
	spyTarget(spyerChannel: string): string | null {
		return this.#channels.get(spyerChannel)?.spy?.target?.name ?? null;
	}

	// ----------------------------------------------------------------------------- primitives

	#emit(f: SimFields): void {
		if (this.#disposed) return;
		if (this.#heldCalls.size > 0) {
			const lid = f.Linkedid ?? f.DestLinkedid ?? f.LocalOneLinkedid;
			const held = typeof lid === 'string' ? this.#heldCalls.get(lid) : undefined;
			if (held !== undefined) {
				held.push(f);
				return;
			}
		}
		for (const fn of this.#listeners) fn(f);
	}

	/** Deliver a held call's events (after its OriginateResponse). */
	#releaseCall(linkedid: string): void {
		const held = this.#heldCalls.get(linkedid);
		if (held === undefined) return;
		this.#heldCalls.delete(linkedid);
		for (const f of held) this.#emit(f);
	}

	/** Next `PJSIP/1001-0000001a`-style suffix and Uniqueid (also used by the load generator). */
	allocChannelId(): { suffix: string; uniqueid: string } {
		return { suffix: this.#nextSuffix(), uniqueid: this.#nextUniqueid() };
	}

	#nextSuffix(): string {
		return (this.#chanIdx++).toString(16).padStart(8, '0');
	}

	#nextUniqueid(): string {
		return `${Math.floor(this.clock.now() / 1000)}.${this.#uidSeq++}`;
	}

	#newChannel(o: {
		tech: 'PJSIP' | 'Local';
		resource: string;
		device: string | null;
		state: number;
		context: string;
		exten: string;
		dialplan: boolean;
		linkedid?: string;
		callerNum?: string;
		callerName?: string;
		localHalf?: { suffix: string; half: 1 | 2 };
	}): Chan {
		const id =
			o.localHalf === undefined
				? this.allocChannelId()
				: { suffix: o.localHalf.suffix, uniqueid: this.#nextUniqueid() };
		const name =
			o.localHalf === undefined
				? `${o.tech}/${o.resource}-${id.suffix}`
				: `Local/${o.resource}-${id.suffix};${o.localHalf.half}`;
		const ch: Chan = {
			name,
			state: o.state,
			callerNum: o.callerNum ?? '<unknown>',
			callerName: o.callerName ?? '<unknown>',
			connNum: '<unknown>',
			connName: '<unknown>',
			language: 'en',
			accountCode: '',
			context: o.context,
			exten: o.exten,
			priority: 1,
			uniqueid: id.uniqueid,
			linkedid: o.linkedid ?? id.uniqueid,
			tech: o.tech,
			device: o.device,
			createdAt: this.clock.now(),
			answeredAt: o.state === ChannelState.Up ? this.clock.now() : null,
			app: '',
			appData: '',
			bridge: null,
			vars: new Map(),
			dialplan: o.dialplan,
			hangingUp: false,
			hungup: false,
			timers: new Set(),
			localPeer: null,
			onHangupRequest: [],
			afterHangup: [],
			onBridgeEnd: null,
			spy: null,
			lastPeer: '',
			disposition: 'NO ANSWER',
			mixMonitors: 0
		};
		this.#channels.set(name, ch);
		if (this.#holdNextCall) {
			this.#holdNextCall = false;
			this.#heldCalls.set(ch.linkedid, []);
		}
		if (ch.device !== null) {
			let set = this.#deviceChans.get(ch.device);
			if (set === undefined) this.#deviceChans.set(ch.device, (set = new Set()));
			set.add(ch);
		}
		this.#emit(channelEvent('Newchannel', 'call,all', ch));
		this.#refreshDevice(ch.device);
		return ch;
	}

	#setState(ch: Chan, state: number): void {
		if (ch.state === state) return;
		ch.state = state;
		if (state === ChannelState.Up && ch.answeredAt === null) {
			ch.answeredAt = this.clock.now();
			ch.disposition = 'ANSWERED';
		}
		this.#emit(channelEvent('Newstate', 'call,all', ch));
		this.#refreshDevice(ch.device);
	}

	#setCallerId(ch: Chan, num: string, name: string): void {
		ch.callerNum = num === '' ? '<unknown>' : num;
		ch.callerName = name === '' ? '<unknown>' : name;
		this.#emit(
			channelEvent('NewCallerid', 'call,all', ch, {
				'CID-CallingPres': '0 (Presentation Allowed, Not Screened)'
			})
		);
	}

	#setConnected(ch: Chan, num: string, name: string): void {
		ch.connNum = num === '' ? '<unknown>' : num;
		ch.connName = name === '' ? '<unknown>' : name;
		this.#emit(channelEvent('NewConnectedLine', 'call,all', ch));
	}

	#setVar(ch: Chan, name: string, value: string): void {
		ch.vars.set(name, value);
		this.#emit(channelEvent('VarSet', 'dialplan,all', ch, { Variable: name, Value: value }));
	}

	#inheritVars(from: Chan, to: Chan): void {
		for (const [k, v] of from.vars) {
			if (k.startsWith('__')) this.#setVar(to, k, v);
			else if (k.startsWith('_')) this.#setVar(to, k.slice(1), v);
		}
	}

	#getVar(ch: Chan, name: string): string | undefined {
		const want = varKey(name);
		for (const [k, v] of ch.vars) if (varKey(k) === want) return v;
		return undefined;
	}

	/** Run a dialplan application (Newexten). */
	#exec(ch: Chan, app: string, data: string, advance = true): void {
		if (advance && ch.app !== '') ch.priority++;
		ch.app = app;
		ch.appData = data;
		this.#emit(
			channelEvent('Newexten', 'dialplan,all', ch, { Extension: ch.exten, Application: app, AppData: data })
		);
	}

	#goto(ch: Chan, context: string, exten: string, priority: number): void {
		ch.context = context;
		ch.exten = exten;
		ch.priority = priority;
		ch.app = '';
	}

	#refreshDevice(device: string | null): void {
		if (device === null) return;
		const set = this.#deviceChans.get(device);
		let ring = false;
		let use = false;
		let busy = false;
		if (set !== undefined) {
			for (const c of set) {
				if (c.state === ChannelState.Ringing) ring = true;
				else if (c.state === ChannelState.Busy) busy = true;
				else if (c.state !== ChannelState.Down) use = true;
			}
		}
		const base =
			this.#agents.has(device) || device === TRUNK_DEVICE || this.#devices.has(device)
				? 'NOT_INUSE'
				: 'UNAVAILABLE';
		const state = ring && use ? 'RINGINUSE' : ring ? 'RINGING' : use ? 'INUSE' : busy ? 'BUSY' : base;
		if (this.#devices.get(device) === state) return;
		this.#devices.set(device, state);
		const status = DEVICE_STATUS[state] ?? 0;
		for (const q of this.#queues.values()) {
			for (const m of q.members) {
				if (m.stateInterface !== device) continue;
				m.status = status;
				this.#emit(memberEvent('QueueMemberStatus', this.#memberSnap(m)));
			}
		}
		this.#emit({ ...eventHead('DeviceStateChange', 'call,all'), Device: device, State: state });
	}

	#dialBegin(caller: Chan | null, dest: Chan, dialString: string): void {
		this.#emit(dialEvent('DialBegin', 'call,all', caller, dest, { DialString: dialString }));
	}

	#dialState(caller: Chan | null, dest: Chan, status: string): void {
		this.#emit(dialEvent('DialState', 'call,all', caller, dest, { DialStatus: status }));
	}

	#dialEnd(caller: Chan | null, dest: Chan, status: string): void {
		this.#emit(dialEvent('DialEnd', 'call,all', caller, dest, { DialStatus: status }));
	}

	#bridgeEvent(name: string, b: Bridge, ch?: Chan): SimFields {
		const f = bridgeBlock({ id: b.id, numChannels: b.channels.length }, eventHead(name, 'call,all'));
		if (ch !== undefined) channelBlock(ch, '', f);
		return f;
	}

	/** Put two answered channels in a new basic bridge (first enters first). */
	#bridge(a: Chan, b: Chan): Bridge {
		const br: Bridge = { id: this.rng.uuid(), channels: [] };
		this.#emit(this.#bridgeEvent('BridgeCreate', br));
		for (const c of [a, b]) {
			br.channels.push(c);
			c.bridge = br;
			this.#emit(this.#bridgeEvent('BridgeEnter', br, c));
		}
		a.lastPeer = b.name;
		b.lastPeer = a.name;
		this.#setVar(a, 'BRIDGEPEER', b.name);
		this.#setVar(b, 'BRIDGEPEER', a.name);
		this.#rescanSpies();
		return br;
	}

	#leaveBridge(ch: Chan): Chan | null {
		const br = ch.bridge;
		if (br === null) return null;
		br.channels = br.channels.filter((c) => c !== ch);
		ch.bridge = null;
		this.#emit(this.#bridgeEvent('BridgeLeave', br, ch));
		if (br.channels.length === 0) {
			this.#emit(this.#bridgeEvent('BridgeDestroy', br));
			return null;
		}
		return br.channels.length === 1 ? (br.channels[0] ?? null) : null;
	}

	/**
	 * Hang a channel up. `request`: 'soft' = Hangup action / dialplan Hangup() (SoftHangupRequest),
	 * 'remote' = the far end hung up (HangupRequest), 'none' = torn down by the Dial/Queue app.
	 */
	#hangup(ch: Chan, cause: number, request: 'soft' | 'remote' | 'none'): void {
		if (ch.hungup || ch.hangingUp) return;
		ch.hangingUp = true;
		for (const id of ch.timers) this.cancel(id);
		ch.timers.clear();
		if (ch.spy !== null) this.#stopSpy(ch.spy, false);
		if (request === 'soft') this.#emit(channelEvent('SoftHangupRequest', 'call,all', ch, { Cause: '16' }));
		else if (request === 'remote')
			this.#emit(channelEvent('HangupRequest', 'call,all', ch, { Cause: String(cause) }));
		for (const fn of ch.onHangupRequest.splice(0)) fn(cause);
		const peer = this.#leaveBridge(ch);
		const spiers: SpyRec[] = [];
		for (const s of this.#spies) if (s.target === ch) spiers.push(s);
		for (const s of spiers) this.#stopSpy(s, true);
		if (this.#cdr) this.#emit(this.#cdrEvent(ch));
		this.#emit(
			channelEvent('Hangup', 'call,all', ch, { Cause: String(cause), 'Cause-txt': causeText(cause) })
		);
		ch.hungup = true;
		this.#channels.delete(ch.name);
		if (ch.device !== null) this.#deviceChans.get(ch.device)?.delete(ch);
		this.#refreshDevice(ch.device);
		if (ch.localPeer !== null && !ch.localPeer.hungup) this.#hangup(ch.localPeer, cause, 'remote');
		for (const fn of ch.afterHangup.splice(0)) fn();
		if (peer !== null && !peer.hangingUp) {
			this.#leaveBridge(peer);
			if (peer.onBridgeEnd !== null) peer.onBridgeEnd();
			else this.#hangup(peer, 16, peer.dialplan ? 'soft' : 'none');
		}
		for (const s of spiers) {
			if (s.endWithSpyee) this.#hangup(s.spyer, 16, 'soft');
			else this.#spyScan(s);
		}
		this.#notifyAgent(ch.device, 'hangup');
		this.dispatchQueues();
	}

	#cdrEvent(ch: Chan): SimFields {
		const now = this.clock.now();
		const cid = ch.callerName === '<unknown>' ? ch.callerNum : `"${ch.callerName}" <${ch.callerNum}>`;
		return {
			...eventHead('Cdr', 'cdr,all'),
			AccountCode: ch.accountCode,
			Source: ch.callerNum === '<unknown>' ? '' : ch.callerNum,
			Destination: ch.exten,
			DestinationContext: ch.context,
			CallerID: cid,
			Channel: ch.name,
			DestinationChannel: ch.lastPeer,
			LastApplication: ch.app,
			LastData: ch.appData,
			StartTime: cdrTime(ch.createdAt),
			AnswerTime: cdrTime(ch.answeredAt),
			EndTime: cdrTime(now),
			Duration: String(Math.floor((now - ch.createdAt) / 1000)),
			BillableSeconds: String(ch.answeredAt === null ? 0 : Math.floor((now - ch.answeredAt) / 1000)),
			Disposition: ch.disposition,
			AMAFlags: 'DOCUMENTATION',
			UniqueID: ch.uniqueid,
			UserField: ''
		};
	}

	// ----------------------------------------------------------------------------- actions

	/** Hang up one channel by exact name; false when there is none. `cause` as the Hangup action's Cause. */
	hangup(name: string, cause?: number): boolean {
		const ch = this.#channels.get(name);
		if (ch === undefined) return false;
		this.#hangup(ch, cause ?? (ch.bridge !== null ? 16 : 0), 'soft');
		return true;
	}

	/** Hang up every channel whose name matches; returns their names (in the order hung up). */
	hangupMatching(re: RegExp, cause?: number): string[] {
		const names = [...this.#channels.keys()].reverse().filter((n) => re.test(n));
		const out: string[] = [];
		for (const n of names) {
			if (!this.#channels.has(n)) continue;
			out.push(n);
			this.hangup(n, cause);
		}
		return out;
	}

	/** Setvar: on a channel (VarSet with its block) or global (`Channel: none`). false = no such channel. */
	setVar(channel: string | null, name: string, value: string): boolean {
		if (channel === null) {
			this.#globals.set(varKey(name), value);
			this.#emit({
				...eventHead('VarSet', 'dialplan,all'),
				Channel: 'none',
				Uniqueid: 'none',
				Variable: name,
				Value: value
			});
			return true;
		}
		const ch = this.#channels.get(channel);
		if (ch === undefined) return false;
		this.#setVar(ch, name, value);
		return true;
	}

	/** Getvar: value ('' when unset), or null when the channel does not exist. */
	getVar(channel: string | null, name: string): string | null {
		if (channel === null) return this.#globals.get(varKey(name)) ?? '';
		const ch = this.#channels.get(channel);
		if (ch === undefined) return null;
		return this.#getVar(ch, name) ?? '';
	}

	/**
	 * PlayDTMF: DTMFEnd on the channel (Direction Received with `receive`, else Sent). A spyer
	 * started with option d switches mode on received 4 (listen), 5 (whisper), 6 (barge).
	 */
	playDtmf(channel: string, digit: string, durationMs: number, receive: boolean): boolean {
		const ch = this.#channels.get(channel);
		if (ch === undefined) return false;
		this.#emit(
			channelEvent('DTMFEnd', 'dtmf,all', ch, {
				Digit: digit,
				DurationMs: String(durationMs),
				Direction: receive ? 'Received' : 'Sent'
			})
		);
		if (receive && ch.spy !== null && ch.spy.dtmf) {
			if (digit === '4') ch.spy.mode = 'listen';
			else if (digit === '5') ch.spy.mode = 'whisper';
			else if (digit === '6') ch.spy.mode = 'barge';
		}
		return true;
	}

	/** MixMonitor on a channel: MixMonitorStart, and a recording notification for `file`. */
	mixMonitor(channel: string, file: string): boolean {
		const ch = this.#channels.get(channel);
		if (ch === undefined) return false;
		this.#startRecording(ch, file);
		return true;
	}

	stopMixMonitor(channel: string): boolean {
		const ch = this.#channels.get(channel);
		if (ch === undefined) return false;
		if (ch.mixMonitors > 0) {
			ch.mixMonitors--;
			this.#emit(channelEvent('MixMonitorStop', 'call,all', ch));
		}
		return true;
	}

	#startRecording(ch: Chan, file: string): void {
		ch.mixMonitors++;
		this.#emit(channelEvent('MixMonitorStart', 'call,all', ch));
		const r: RecordingStart = { channel: ch.name, uniqueid: ch.uniqueid, linkedid: ch.linkedid, file };
		for (const fn of this.#recordingListeners) fn(r);
	}

	// ----------------------------------------------------------------------------- Originate

	/**
	 * Originate. The phone/trunk leg rings and answers (or fails), then runs `application`
	 * (ChanSpy, Wait, anything else just stays up) or the dialplan at context/exten: a numeric
	 * exten is dialled out through the trunk (outcome by dialOutcome()).
	 */
	originate(req: OriginateRequest): void {
		const target = parseDialString(req.channel);
		const cid = req.callerId !== undefined && req.callerId !== '' ? parseCallerId(req.callerId) : null;
		let settled = false;
		let heldLinkedid: string | null = null;
		const result = (r: OriginateResult): void => {
			if (settled) return;
			settled = true;
			if (req.async !== false) this.#emit(this.#originateResponse(req, r, cid));
			if (heldLinkedid !== null) this.#releaseCall(heldLinkedid);
			req.onResult?.(r);
		};
		const fail = (reason: number): void => {
			result({ response: 'Failure', reason, channel: req.channel, uniqueid: '<unknown>' });
		};
		if (target.kind === 'invalid') {
			this.after(0, () => fail(0));
			return;
		}
		if (target.kind === 'local' && target.context === INBOUND_CONTEXT) {
			this.#originateInbound(target.exten, req, cid, result, fail);
			return;
		}
		const timeoutMs = req.timeoutMs ?? this.timing.originateTimeoutMs;
		const vars = req.variables ?? [];
		this.#holdNextCall =
			req.async !== false && this.#earlyResponse > 0 && this.rng.chance(this.#earlyResponse);

		let ch: Chan;
		let ringMs: number | null;
		let failNow: { reason: number; cause: number; state: number } | null = null;
		if (target.kind === 'phone') {
			ch = this.#newChannel({
				tech: 'PJSIP',
				resource: target.resource,
				device: target.device,
				state: ChannelState.Down,
				context: AGENT_CONTEXT,
				exten: 's',
				dialplan: true
			});
			const mode = this.#agents.get(target.device)?.answer ?? 'auto';
			ringMs = mode === 'never' ? null : this.timing.agentRingMs;
			if (mode === 'busy') failNow = { reason: 5, cause: 17, state: ChannelState.Busy };
		} else if (target.kind === 'trunk') {
			ch = this.#newChannel({
				tech: 'PJSIP',
				resource: 'trunk',
				device: TRUNK_DEVICE,
				state: ChannelState.Down,
				context: TRUNK_CONTEXT,
				exten: 's',
				dialplan: true
			});
			const o = dialOutcome(target.number);
			ringMs = o === 'answer' ? this.timing.customerRingMs : null;
			if (o === 'busy') failNow = { reason: 5, cause: 17, state: ChannelState.Busy };
			else if (o === 'congestion') failNow = { reason: 8, cause: 34, state: ChannelState.Busy };
			else if (o === 'unavailable') failNow = { reason: 1, cause: 1, state: ChannelState.Down };
		} else {
			const suffix = this.#nextSuffix();
			const resource = `${target.exten}@${target.context}`;
			ch = this.#newChannel({
				tech: 'Local',
				resource,
				device: null,
				state: ChannelState.Down,
				context: target.context,
				exten: target.exten,
				dialplan: true,
				localHalf: { suffix, half: 1 }
			});
			const two = this.#newChannel({
				tech: 'Local',
				resource,
				device: null,
				state: ChannelState.Ring,
				context: target.context,
				exten: target.exten,
				dialplan: true,
				linkedid: ch.linkedid,
				localHalf: { suffix, half: 2 }
			});
			ch.localPeer = two;
			two.localPeer = ch;
			const o = dialOutcome(target.exten);
			ringMs = o === 'answer' ? this.timing.agentRingMs : null;
			if (o === 'busy') failNow = { reason: 5, cause: 17, state: ChannelState.Busy };
			else if (o === 'congestion') failNow = { reason: 8, cause: 34, state: ChannelState.Busy };
			else if (o === 'unavailable') failNow = { reason: 1, cause: 1, state: ChannelState.Down };
		}
		this.#holdNextCall = false;
		if (this.#heldCalls.has(ch.linkedid)) heldLinkedid = ch.linkedid;
		ch.app = 'AppDial2';
		ch.appData = '(Outgoing Line)';
		for (const [k, v] of vars) this.#setVar(ch, k, v);
		if (ch.localPeer !== null) for (const [k, v] of vars) this.#setVar(ch.localPeer, k, v);
		if (cid !== null) {
			this.#setCallerId(ch, cid.num, cid.name);
			this.#setConnected(ch, cid.num, cid.name);
		}
		if (ch.localPeer !== null) this.#emit(this.#localBridgeEvent(ch, ch.localPeer));
		const dialString = req.channel.replace(/^[^/]+\//, '');
		this.#dialBegin(null, ch, dialString);
		// the leg is hung up by an action while it rings → Failure reason 1
		ch.onHangupRequest.push(() => fail(1));

		if (failNow !== null) {
			const f = failNow;
			this.after(
				0,
				() => {
					if (f.state !== ChannelState.Down) this.#setState(ch, f.state);
					this.#dialEnd(null, ch, f.reason === 5 ? 'BUSY' : f.reason === 8 ? 'CONGESTION' : 'CHANUNAVAIL');
					ch.onHangupRequest = [];
					this.#hangup(ch, f.cause, 'remote');
					fail(f.reason);
				},
				ch
			);
			return;
		}
		this.#setState(ch, ChannelState.Ringing);
		this.#dialState(null, ch, 'RINGING');
		if (ringMs === null || ringMs >= timeoutMs) {
			this.after(
				timeoutMs,
				() => {
					ch.onHangupRequest = [];
					this.#hangup(ch, 19, 'remote');
					fail(3);
				},
				ch
			);
			return;
		}
		this.after(
			ringMs,
			() => {
				ch.onHangupRequest = [];
				if (ch.localPeer !== null) this.#setState(ch.localPeer, ChannelState.Up);
				this.#setState(ch, ChannelState.Up);
				this.#dialEnd(null, ch, 'ANSWER');
				result({ response: 'Success', reason: 4, channel: ch.name, uniqueid: ch.uniqueid });
				this.#afterOriginateAnswer(ch, req);
			},
			ch
		);
	}

	/**
	 * `Local/<queue>@inbound`: like a dialplan whose `inbound` context runs Queue(<exten>), a customer
	 * with the Originate's CallerID joins the queue at once (the Originate succeeds when it is
	 * queued). Simulator variables, for tests that need a given agent to take the call: SIM_TALK
	 * (seconds talked once answered), SIM_PATIENCE (seconds the caller waits), SIM_MEMBER=<interface>
	 * (this caller is offered to that member only).
	 */
	#originateInbound(
		queue: string,
		req: OriginateRequest,
		cid: { num: string; name: string } | null,
		result: (r: OriginateResult) => void,
		fail: (reason: number) => void
	): void {
		const vars = req.variables ?? [];
		const seconds = (variable: string): number | undefined => {
			const v = vars.find(([k]) => varKey(k) === variable)?.[1];
			return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) * 1000 : undefined;
		};
		const name = this.inboundCall({
			queue,
			callerNum: cid?.num,
			callerName: cid?.name,
			variables: vars,
			patienceMs: seconds('SIM_PATIENCE'),
			talkMs: seconds('SIM_TALK') ?? req.talkMs
		});
		const ch = name === null ? undefined : this.#channels.get(name);
		if (ch === undefined) {
			// no such queue: the dialplan has nothing to run
			this.after(0, () => fail(0));
			return;
		}
		this.after(0, () => result({ response: 'Success', reason: 4, channel: ch.name, uniqueid: ch.uniqueid }));
	}

	#originateResponse(
		req: OriginateRequest,
		r: OriginateResult,
		cid: { num: string; name: string } | null
	): SimFields {
		const f = eventHead('OriginateResponse', 'call,all');
		if (req.actionId !== undefined) f.ActionID = req.actionId;
		f.Response = r.response;
		f.Channel = r.channel;
		if (req.application !== undefined && req.application !== '') {
			f.Application = req.application;
			f.Data = req.data ?? '';
		} else {
			f.Context = req.context ?? '';
			f.Exten = req.exten ?? '';
		}
		f.Reason = String(r.reason);
		f.Uniqueid = r.uniqueid;
		const ch = r.response === 'Success' ? this.#channels.get(r.channel) : undefined;
		f.CallerIDNum = ch?.callerNum ?? (cid !== null && cid.num !== '' ? cid.num : '<unknown>');
		f.CallerIDName = ch?.callerName ?? (cid !== null && cid.name !== '' ? cid.name : '<unknown>');
		return f;
	}

	#localBridgeEvent(one: Chan, two: Chan): SimFields {
		const f = eventHead('LocalBridge', 'call,all');
		channelBlock(one, 'LocalOne', f);
		channelBlock(two, 'LocalTwo', f);
		f.Context = one.context;
		f.Exten = one.exten;
		f.LocalOptimization = 'No';
		return f;
	}

	#afterOriginateAnswer(ch: Chan, req: OriginateRequest): void {
		const app = req.application ?? '';
		if (app !== '') {
			const data = req.data ?? '';
			if (app.toLowerCase() === 'chanspy') {
				this.#runChanSpy(ch, data);
			} else {
				this.#exec(ch, app, data, false);
				if (app.toLowerCase() === 'wait') {
					const secs = Number.parseFloat(data);
					this.after(Number.isFinite(secs) ? secs * 1000 : 0, () => this.#hangup(ch, 16, 'soft'), ch);
				}
			}
			return;
		}
		this.#goto(ch, req.context ?? 'default', req.exten ?? 's', req.priority ?? 1);
		const exten = ch.exten;
		if (/^\+?[0-9]{3,}$/.test(exten)) {
			this.#dialTrunk(ch, exten, req.talkMs === undefined ? this.#talkFromVars(ch) : req.talkMs);
		} else {
			this.#exec(ch, 'Hangup', '', false);
			this.#hangup(ch, 16, 'soft');
		}
	}

	/** Talk time from a SIM_TALK channel variable (seconds), else the default. */
	#talkFromVars(ch: Chan): number | null {
		const v = this.#getVar(ch, 'SIM_TALK');
		if (v !== undefined && v !== '' && Number.isFinite(Number(v))) return Number(v) * 1000;
		return this.timing.talkMs;
	}

	/** `caller` (an answered channel running dialplan) dials `number` through the trunk. */
	#dialTrunk(caller: Chan, number: string, talkMs: number | null): void {
		this.#exec(caller, 'Dial', `PJSIP/${number}@trunk,60`, false);
		const cust = this.#newChannel({
			tech: 'PJSIP',
			resource: 'trunk',
			device: TRUNK_DEVICE,
			state: ChannelState.Down,
			context: TRUNK_CONTEXT,
			exten: 's',
			dialplan: false,
			linkedid: caller.linkedid
		});
		cust.app = 'AppDial';
		cust.appData = '(Outgoing Line)';
		this.#inheritVars(caller, cust);
		this.#setCallerId(cust, number, '');
		this.#setConnected(cust, caller.callerNum, caller.callerName);
		this.#dialBegin(caller, cust, `${number}@trunk`);
		const outcome = dialOutcome(number);

		const finish = (dialStatus: string, hangupCause: number): void => {
			caller.onHangupRequest = caller.onHangupRequest.filter((f) => f !== cancel);
			this.#setVar(caller, 'DIALSTATUS', dialStatus);
			this.#exec(caller, 'Hangup', '');
			this.#hangup(caller, hangupCause, 'soft');
		};
		// the agent hangs up while the customer still rings: Dial is cancelled
		const cancel = (): void => {
			if (cust.hungup) return;
			this.#dialEnd(caller, cust, 'CANCEL');
			cust.onHangupRequest = [];
			this.#hangup(cust, 0, 'none');
		};
		caller.onHangupRequest.push(cancel);
		// the customer leg is hung up by an action before answering
		cust.onHangupRequest.push(() => {
			if (cust.state === ChannelState.Up) return;
			this.#dialEnd(caller, cust, 'NOANSWER');
			cust.afterHangup.push(() => finish('NOANSWER', 16));
		});

		const failLater = (ms: number, fn: () => void): void => {
			this.after(ms, fn, cust);
		};
		switch (outcome) {
			case 'busy':
			case 'congestion':
				failLater(0, () => {
					cust.onHangupRequest = [];
					const status = outcome === 'busy' ? 'BUSY' : 'CONGESTION';
					cust.disposition = outcome === 'busy' ? 'BUSY' : 'FAILED';
					this.#dialEnd(caller, cust, status);
					this.#hangup(cust, outcome === 'busy' ? 17 : 34, 'none');
					finish(status, 16);
				});
				return;
			case 'unavailable':
				failLater(0, () => {
					cust.onHangupRequest = [];
					cust.disposition = 'FAILED';
					this.#emit(channelEvent('HangupRequest', 'call,all', cust, { Cause: '1' }));
					this.#dialEnd(caller, cust, 'NOANSWER');
					this.#hangup(cust, 1, 'none');
					finish('CHANUNAVAIL', 1);
				});
				return;
			case 'noanswer':
				this.#setState(cust, ChannelState.Ringing);
				this.#dialState(caller, cust, 'RINGING');
				failLater(this.timing.noAnswerMs, () => {
					cust.onHangupRequest = [];
					this.#dialEnd(caller, cust, 'NOANSWER');
					this.#hangup(cust, 0, 'none');
					finish('NOANSWER', 16);
				});
				return;
			case 'answer':
				this.#setState(cust, ChannelState.Ringing);
				this.#dialState(caller, cust, 'RINGING');
				this.after(
					this.timing.customerRingMs,
					() => {
						cust.onHangupRequest = [];
						caller.onHangupRequest = caller.onHangupRequest.filter((f) => f !== cancel);
						this.#setState(cust, ChannelState.Up);
						this.#setVar(caller, 'DIALSTATUS', 'ANSWER');
						this.#dialEnd(caller, cust, 'ANSWER');
						this.#bridge(cust, caller);
						const rec = this.#getVar(caller, 'SB_REC');
						if (rec !== undefined && rec !== '') this.#startRecording(caller, rec);
						if (talkMs !== null) this.after(talkMs, () => this.#hangup(cust, 16, 'remote'), cust);
					},
					cust
				);
				return;
		}
	}

	// ----------------------------------------------------------------------------- ChanSpy

	#runChanSpy(spyer: Chan, data: string): void {
		this.#exec(spyer, 'ChanSpy', data, false);
		const comma = data.indexOf(',');
		const spec = (comma === -1 ? data : data.slice(0, comma)).trim();
		const opts = comma === -1 ? '' : data.slice(comma + 1);
		const rec: SpyRec = {
			spyer,
			spec,
			byUniqueid: opts.includes('u'),
			endWithSpyee: opts.includes('E'),
			dtmf: opts.includes('d'),
			mode: opts.includes('B') ? 'barge' : opts.includes('w') ? 'whisper' : 'listen',
			target: null
		};
		spyer.spy = rec;
		this.#spies.add(rec);
		this.#spyScan(rec);
	}

	#spyScan(rec: SpyRec): void {
		if (rec.target !== null || rec.spyer.hungup || rec.spyer.hangingUp) return;
		let best: Chan | null = null;
		let bestScore = -1;
		for (const c of this.#channels.values()) {
			if (c === rec.spyer || c.hangingUp || c.spy !== null) continue;
			let match: boolean;
			if (rec.byUniqueid) match = c.uniqueid === rec.spec;
			else match = rec.spec !== '' && c.name.toLowerCase().startsWith(rec.spec.toLowerCase());
			if (!match) continue;
			const score =
				(c.bridge !== null ? 2 : 0) +
				(c.state === ChannelState.Up ? 1 : 0) +
				(c.name.startsWith(`${rec.spec}-`) ? 4 : 0);
			if (c.state !== ChannelState.Up) continue;
			if (score > bestScore) {
				best = c;
				bestScore = score;
			}
		}
		if (best === null) return;
		rec.target = best;
		this.#emit(this.#spyEvent('ChanSpyStart', rec.spyer, best));
	}

	#rescanSpies(): void {
		for (const s of this.#spies) if (s.target === null) this.#spyScan(s);
	}

	/** `spyeeGone`: the spied channel hangs up (the spyer may keep scanning). */
	#stopSpy(rec: SpyRec, spyeeGone: boolean): void {
		if (rec.target !== null) this.#emit(this.#spyEvent('ChanSpyStop', rec.spyer, rec.target));
		rec.target = null;
		if (!spyeeGone) {
			this.#spies.delete(rec);
			rec.spyer.spy = null;
		}
	}

	#spyEvent(name: string, spyer: Chan, spyee: Chan): SimFields {
		const f = eventHead(name, 'call,all');
		channelBlock(spyer, 'Spyer', f);
		channelBlock(spyee, 'Spyee', f);
		return f;
	}

	// ----------------------------------------------------------------------------- inbound queue calls

	/** A customer calls in on the trunk and waits in `queue`. Returns the trunk channel name, or null for an unknown queue. */
	inboundCall(req: InboundCallRequest): string | null {
		const q = this.#queues.get(req.queue);
		if (q === undefined) return null;
		const num = req.callerNum ?? `06${String(this.rng.int(10_000_000, 99_999_999))}`;
		const ch = this.#newChannel({
			tech: 'PJSIP',
			resource: 'trunk',
			device: TRUNK_DEVICE,
			state: ChannelState.Ring,
			context: TRUNK_CONTEXT,
			exten: q.name,
			dialplan: true,
			callerNum: num,
			callerName: req.callerName ?? '<unknown>'
		});
		for (const [k, v] of req.variables ?? []) this.#setVar(ch, k, v);
		this.#exec(ch, 'Answer', '', false);
		this.#setState(ch, ChannelState.Up);
		this.#setConnected(ch, num, req.callerName ?? '');
		const patienceMs = req.patienceMs ?? this.timing.inboundPatienceMs;
		this.#exec(ch, 'Queue', `${q.name},t,,,${Math.round(patienceMs / 1000)}`);
		const entry: QueueEntry = {
			ch,
			joinedAt: this.clock.now(),
			originalPosition: q.entries.length + 1,
			ringing: null,
			connected: false,
			talkMs: req.talkMs === undefined ? this.timing.talkMs : req.talkMs,
			done: false,
			retryAt: 0
		};
		q.entries.push(entry);
		this.#emit(
			channelEvent('QueueCallerJoin', 'agent,all', ch, {
				Queue: q.name,
				Position: String(q.entries.length),
				Count: String(q.entries.length)
			})
		);
		// caller hangs up while waiting (patience or Hangup action)
		ch.onHangupRequest.push(() => {
			if (!entry.connected) this.#abandon(q, entry);
		});
		this.after(patienceMs, () => this.#hangup(ch, 16, 'remote'), ch);
		this.#dispatch(q);
		return ch.name;
	}

	#abandon(q: QueueRec, entry: QueueEntry): void {
		if (entry.done) return;
		entry.done = true;
		const pos = q.entries.indexOf(entry) + 1;
		this.#cancelRing(entry);
		const hold = String(Math.floor((this.clock.now() - entry.joinedAt) / 1000));
		this.#emit(
			channelEvent('QueueCallerAbandon', 'agent,all', entry.ch, {
				Queue: q.name,
				Position: String(pos),
				OriginalPosition: String(entry.originalPosition),
				HoldTime: hold
			})
		);
		q.entries = q.entries.filter((e) => e !== entry);
		q.abandoned++;
		this.#emit(
			channelEvent('QueueCallerLeave', 'agent,all', entry.ch, {
				Queue: q.name,
				Position: String(pos),
				Count: String(q.entries.length)
			})
		);
	}

	#cancelRing(entry: QueueEntry): void {
		const r = entry.ringing;
		if (r === null) return;
		entry.ringing = null;
		r.member.ringing = false;
		if (!r.ch.hungup) {
			this.#dialEnd(entry.ch, r.ch, 'CANCEL');
			r.ch.onHangupRequest = [];
			this.#hangup(r.ch, 0, 'none');
		}
	}

	/** Offer waiting callers to available members (called whenever someone may have become free). */
	dispatchQueues(): void {
		if (this.#disposed) return;
		for (const q of this.#queues.values()) if (q.entries.length > 0) this.#dispatch(q);
	}

	#available(m: MemberRec): boolean {
		if (m.paused || m.ringing || m.inCall) return false;
		if (this.deviceState(m.stateInterface) !== 'NOT_INUSE') return false;
		if (this.agentBusy(m.iface)) return false;
		const a = this.#agents.get(m.iface);
		if (a !== undefined && (a.wrapUntil > this.clock.now() || a.heldUntil > this.clock.now())) return false;
		for (const q of this.#queues.values())
			for (const o of q.members) if (o.iface === m.iface && (o.ringing || o.inCall)) return false;
		return true;
	}

	#dispatch(q: QueueRec): void {
		for (const entry of q.entries) {
			if (entry.ringing !== null || entry.connected || entry.done || entry.retryAt > this.clock.now())
				continue;
			const n = q.members.length;
			if (n === 0) return;
			const only = this.#getVar(entry.ch, 'SIM_MEMBER');
			let chosen: MemberRec | null = null;
			const start = q.strategy === 'rrmemory' ? q.rr % n : 0;
			for (let i = 0; i < n; i++) {
				const m = q.members[(start + i) % n];
				if (m !== undefined && (only === undefined || only === '' || m.iface === only) && this.#available(m)) {
					chosen = m;
					if (q.strategy === 'rrmemory') q.rr = (start + i + 1) % n;
					break;
				}
			}
			// a caller held for one member does not block the callers behind it
			if (chosen === null) {
				if (only === undefined || only === '') return;
				continue;
			}
			this.#ringMember(q, entry, chosen);
		}
	}

	#ringMember(q: QueueRec, entry: QueueEntry, m: MemberRec): void {
		const caller = entry.ch;
		const resource = m.iface.replace(/^[^/]+\//, '');
		const mch = this.#newChannel({
			tech: 'PJSIP',
			resource,
			device: m.iface,
			state: ChannelState.Down,
			context: AGENT_CONTEXT,
			exten: q.name,
			dialplan: false,
			linkedid: caller.linkedid
		});
		mch.app = 'AppQueue';
		mch.appData = '(Outgoing Line)';
		m.ringing = true;
		entry.ringing = { member: m, ch: mch, startedAt: this.clock.now() };
		this.#inheritVars(caller, mch);
		this.#setCallerId(
			mch,
			caller.callerNum === '<unknown>' ? '' : caller.callerNum,
			caller.callerName === '<unknown>' ? '' : caller.callerName
		);
		this.#setConnected(
			mch,
			caller.callerNum === '<unknown>' ? '' : caller.callerNum,
			caller.callerName === '<unknown>' ? '' : caller.callerName
		);
		this.#emit(
			dialEvent('AgentCalled', 'agent,all', caller, mch, {
				Queue: q.name,
				Interface: m.iface,
				MemberName: m.memberName
			})
		);
		this.#dialBegin(caller, mch, resource);
		this.#setState(mch, ChannelState.Ringing);
		this.#dialState(caller, mch, 'RINGING');

		const noAnswer = (): void => {
			if (entry.ringing?.ch !== mch) return;
			const ringMs = this.clock.now() - (entry.ringing?.startedAt ?? this.clock.now());
			entry.ringing = null;
			m.ringing = false;
			this.#emit(
				dialEvent('AgentRingNoAnswer', 'agent,all', caller, mch, {
					Queue: q.name,
					Interface: m.iface,
					MemberName: m.memberName,
					RingTime: String(ringMs)
				})
			);
			this.#dialEnd(caller, mch, 'NOANSWER');
			this.#dialEnd(caller, mch, 'CANCEL');
			mch.onHangupRequest = [];
			entry.retryAt = this.clock.now() + this.timing.queueRetryMs;
			this.#hangup(mch, 0, 'none');
			this.after(this.timing.queueRetryMs, () => this.#dispatch(q), caller);
		};
		// the member's phone is hung up (rejected) while ringing
		mch.onHangupRequest.push(() => {
			if (entry.ringing?.ch !== mch) return;
			entry.ringing = null;
			m.ringing = false;
			this.#emit(
				dialEvent('AgentRingNoAnswer', 'agent,all', caller, mch, {
					Queue: q.name,
					Interface: m.iface,
					MemberName: m.memberName,
					RingTime: String(this.clock.now() - mch.createdAt)
				})
			);
			this.#dialEnd(caller, mch, 'NOANSWER');
			entry.retryAt = this.clock.now() + this.timing.queueRetryMs;
			this.after(this.timing.queueRetryMs, () => this.#dispatch(q), caller);
		});
		this.after(q.memberTimeoutMs, noAnswer, mch);

		const delay = this.#memberAnswerDelay(m.iface);
		if (delay === 'busy') {
			this.after(0, noAnswer, mch);
			return;
		}
		if (delay === null || delay >= q.memberTimeoutMs) return;
		this.after(delay, () => this.#connectMember(q, entry, m, mch), mch);
	}

	#memberAnswerDelay(endpoint: string): number | null | 'busy' {
		const mode = this.#agents.get(endpoint)?.answer ?? 'auto';
		if (mode === 'never') return null;
		if (mode === 'busy') return 'busy';
		if (this.bots.isBot(endpoint)) return this.bots.queueAnswerDelay();
		return this.timing.memberRingMs;
	}

	#connectMember(q: QueueRec, entry: QueueEntry, m: MemberRec, mch: Chan): void {
		const caller = entry.ch;
		if (entry.ringing?.ch !== mch || entry.done) return;
		mch.onHangupRequest = [];
		for (const id of mch.timers) this.cancel(id);
		mch.timers.clear();
		entry.ringing = null;
		entry.connected = true;
		m.ringing = false;
		m.inCall = true;
		const now = this.clock.now();
		const ringSec = Math.floor((now - mch.createdAt) / 1000);
		const holdSec = Math.floor((now - entry.joinedAt) / 1000);
		this.#setState(mch, ChannelState.Up);
		this.#dialEnd(caller, mch, 'ANSWER');
		const pos = q.entries.indexOf(entry) + 1;
		q.entries = q.entries.filter((e) => e !== entry);
		this.#emit(
			channelEvent('QueueCallerLeave', 'agent,all', caller, {
				Queue: q.name,
				Position: String(pos),
				Count: String(q.entries.length)
			})
		);
		this.#emit(
			dialEvent('AgentConnect', 'agent,all', caller, mch, {
				Queue: q.name,
				Interface: m.iface,
				MemberName: m.memberName,
				HoldTime: String(holdSec),
				RingTime: String(ringSec)
			})
		);
		q.holdTotal += holdSec;
		if (holdSec <= q.serviceLevel) q.withinSl++;
		this.#bridge(mch, caller);
		const rec = this.#getVar(caller, 'SB_REC');
		if (rec !== undefined && rec !== '') this.#startRecording(caller, rec);
		else if (q.monitorFormat !== null) {
			const file = `${caller.uniqueid}.${q.monitorFormat}`;
			this.#setVar(caller, 'MIXMONITOR_FILENAME', `${MONITOR_SPOOL}/${file}`);
			this.#startRecording(caller, file);
		}

		let completed = false;
		const complete = (reason: 'caller' | 'agent'): void => {
			if (completed) return;
			completed = true;
			const talkSec = Math.floor((this.clock.now() - now) / 1000);
			m.inCall = false;
			m.callsTaken++;
			m.lastCall = Math.floor(this.clock.now() / 1000);
			q.completed++;
			q.talkTotal += talkSec;
			this.#emit(
				dialEvent('AgentComplete', 'agent,all', caller, mch, {
					Queue: q.name,
					Interface: m.iface,
					MemberName: m.memberName,
					HoldTime: String(holdSec),
					TalkTime: String(talkSec),
					Reason: reason
				})
			);
		};
		caller.onHangupRequest.push(() => complete('caller'));
		mch.onHangupRequest.push(() => complete('agent'));

		const plan = this.bots.isBot(m.iface)
			? this.bots.inboundTalk()
			: { talkMs: entry.talkMs, agentHangsUp: false };
		if (plan.talkMs !== null) {
			if (plan.agentHangsUp) this.after(plan.talkMs, () => this.#hangup(mch, 16, 'remote'), mch);
			else this.after(plan.talkMs, () => this.#hangup(caller, 16, 'remote'), caller);
		}
	}
}
