/**
 * Bot agents: make the demo floor live. Each bot cycles idle → dialing (its phone is originated
 * exactly like a browser click-to-call, so the events are the same) → ringing customer → talking
 * or a failure → hangup → wrap-up → idle, and now and then pauses with a reason through the same
 * code path as the QueuePause action. While any bot runs, customers also call the queues now and
 * then; bots answer those after a short ring.
 *
 * The outcome of a bot's call is chosen with the seeded RNG and encoded in the dialled number
 * (…0486 busy, …0487 no answer, …0488 congestion, …0489 unallocated; see dialOutcome()), so the
 * PBX model applies one deterministic rule to bots and humans alike.
 *
 * A share of the inbound callers (`inboundLeadShare`) are existing leads calling back: their caller
 * id is one of `inboundLeadNumbers` (E.164 numbers of real leads, handed over by the app's demo), so
 * the workstation pop-up, the call's lead link and the lead's history have something to show.
 */
import type { TimerId } from './clock';
import type { PbxModel } from './model';

/** how long a phone a person just took over is kept from queue calls (their Originate comes first) */
const TAKEOVER_HOLD_MS = 5000;
import { FIRST_NAMES, LAST_NAMES } from './names';

export interface BotProfile {
	/** idle time between two calls (ms, uniform) */
	idleMs: [number, number];
	/** relative weights of call outcomes */
	outcomes: { answer: number; busy: number; noanswer: number; congestion: number; unavailable: number };
	/** talk time: log-normal around the median, clamped */
	talkMedianMs: number;
	talkSigma: number;
	talkMinMs: number;
	talkMaxMs: number;
	/** wrap-up after each call (ms, uniform) */
	wrapUpMs: [number, number];
	/** chance that an idle bot pauses instead of dialling */
	pauseChance: number;
	pauseMs: [number, number];
	pauseReasons: string[];
	/** mean time between inbound queue calls while bots run (ms, exponential); 0 = none */
	inboundEveryMs: number;
	inboundPatienceMs: [number, number];
	/** a bot's phone rings this long before it answers a queue call (ms, uniform) */
	queueAnswerMs: [number, number];
	/** share (0–1) of inbound callers who are existing leads calling back, when lead numbers are known */
	inboundLeadShare: number;
	/** E.164 numbers of existing leads that may call in (see setInboundLeadNumbers) */
	inboundLeadNumbers: readonly string[];
	/** chance that the bot (not the caller) ends an inbound call */
	agentHangupChance: number;
	/** dialled numbers: prefix + random digits */
	numberPrefix: string;
}

export const DEFAULT_BOT_PROFILE: BotProfile = {
	idleMs: [2000, 12_000],
	outcomes: { answer: 0.45, busy: 0.12, noanswer: 0.3, congestion: 0.05, unavailable: 0.08 },
	talkMedianMs: 45_000,
	talkSigma: 0.8,
	talkMinMs: 5000,
	talkMaxMs: 600_000,
	wrapUpMs: [3000, 15_000],
	pauseChance: 0.05,
	pauseMs: [30_000, 180_000],
	pauseReasons: ['break', 'lunch', 'training', 'coaching'],
	inboundEveryMs: 25_000,
	inboundPatienceMs: [15_000, 120_000],
	queueAnswerMs: [1000, 4000],
	inboundLeadShare: 0.3,
	inboundLeadNumbers: [],
	agentHangupChance: 0.4,
	numberPrefix: '+3361'
};

type Phase = 'idle' | 'dialing' | 'wrapup' | 'paused';

interface Bot {
	endpoint: string;
	phase: Phase;
	timer: TimerId | null;
}

export class BotDriver {
	profile: BotProfile;
	readonly #model: PbxModel;
	readonly #bots = new Map<string, Bot>();
	#inboundTimer: TimerId | null = null;
	#unsubscribe: (() => void) | null = null;

	constructor(model: PbxModel, profile?: Partial<BotProfile>) {
		this.#model = model;
		this.profile = { ...DEFAULT_BOT_PROFILE, ...profile };
	}

	isBot(endpoint: string): boolean {
		return this.#bots.has(endpoint);
	}

	/** Endpoints currently driven by bots. */
	list(): string[] {
		return [...this.#bots.keys()];
	}

	/** What the bot is about to do (for tests and logs); null when the agent is human. */
	phase(endpoint: string): Phase | null {
		return this.#bots.get(endpoint)?.phase ?? null;
	}

	setBot(endpoint: string, bot: boolean): void {
		const existing = this.#bots.get(endpoint);
		if (!bot) {
			if (existing === undefined) return;
			this.#clear(existing);
			this.#bots.delete(endpoint);
			// the bot's own break ends with it: the person taking over is not left paused in the queues
			if (existing.phase === 'paused') this.#model.queuePause({ iface: endpoint, paused: false });
			this.#model.setWrapUp(endpoint, 0);
			// the person takes over to place a call (click-to-call hangs up the bot's call first)
			this.#model.holdFromQueues(endpoint, TAKEOVER_HOLD_MS);
			if (this.#bots.size === 0) this.#stopInbound();
			return;
		}
		if (existing !== undefined || this.#model.agent(endpoint) === undefined) return;
		if (this.#unsubscribe === null)
			this.#unsubscribe = this.#model.onAgentChange((ep, why) => {
				if (why === 'hangup') this.#onAgentChange(ep);
			});
		const b: Bot = { endpoint, phase: 'idle', timer: null };
		this.#bots.set(endpoint, b);
		this.#idle(b);
		this.#startInbound();
	}

	stopAll(): void {
		for (const b of this.#bots.values()) this.#clear(b);
		this.#bots.clear();
		this.#stopInbound();
		this.#unsubscribe?.();
		this.#unsubscribe = null;
	}

	/** The numbers of existing leads that call back from now on (a share `inboundLeadShare` of callers). */
	setInboundLeadNumbers(numbers: readonly string[]): void {
		this.profile = { ...this.profile, inboundLeadNumbers: [...numbers] };
	}

	/** How long a bot's phone rings before it answers a queue call. */
	queueAnswerDelay(): number {
		const [a, b] = this.profile.queueAnswerMs;
		return Math.round(this.#model.rng.range(a, b));
	}

	/** Talk time of an inbound call a bot answered, and who hangs up. */
	inboundTalk(): { talkMs: number; agentHangsUp: boolean } {
		return { talkMs: this.#talk(), agentHangsUp: this.#model.rng.chance(this.profile.agentHangupChance) };
	}

	// -----------------------------------------------------------------------------------------

	#clear(b: Bot): void {
		if (b.timer !== null) this.#model.cancel(b.timer);
		b.timer = null;
	}

	#schedule(b: Bot, ms: number, fn: () => void): void {
		this.#clear(b);
		b.timer = this.#model.after(ms, () => {
			b.timer = null;
			if (this.#bots.get(b.endpoint) === b) fn();
		});
	}

	#idle(b: Bot): void {
		b.phase = 'idle';
		const [lo, hi] = this.profile.idleMs;
		this.#schedule(b, Math.round(this.#model.rng.range(lo, hi)), () => this.#act(b));
	}

	#act(b: Bot): void {
		const m = this.#model;
		// on a (queue) call: resume when it ends (#onAgentChange)
		if (m.agentBusy(b.endpoint)) return;
		// paused by someone else (the app): look again later
		if (m.agentPaused(b.endpoint)) {
			this.#idle(b);
			return;
		}
		const rng = m.rng;
		if (rng.chance(this.profile.pauseChance)) {
			const reason = rng.pick(this.profile.pauseReasons);
			b.phase = 'paused';
			m.queuePause({ iface: b.endpoint, paused: true, reason });
			const [lo, hi] = this.profile.pauseMs;
			this.#schedule(b, Math.round(rng.range(lo, hi)), () => {
				m.queuePause({ iface: b.endpoint, paused: false });
				this.#idle(b);
			});
			return;
		}
		const agent = m.agent(b.endpoint);
		if (agent === undefined) return;
		b.phase = 'dialing';
		m.originate({
			channel: b.endpoint,
			context: 'outbound',
			exten: this.#number(),
			priority: 1,
			callerId: `"${agent.name}" <${agent.extension}>`,
			async: true,
			talkMs: this.#talk()
		});
	}

	#onAgentChange(endpoint: string): void {
		const b = this.#bots.get(endpoint);
		if (b === undefined || b.phase === 'paused' || b.phase === 'wrapup') return;
		// still on a call (another leg of theirs is up)
		if (this.#model.agentBusy(endpoint)) return;
		// its own call, or a queue call it answered while idle, ended
		this.#wrapUp(b);
	}

	#wrapUp(b: Bot): void {
		b.phase = 'wrapup';
		const [lo, hi] = this.profile.wrapUpMs;
		const ms = Math.round(this.#model.rng.range(lo, hi));
		this.#model.setWrapUp(b.endpoint, this.#model.clock.now() + ms);
		this.#schedule(b, ms, () => {
			this.#idle(b);
			this.#model.dispatchQueues();
		});
	}

	#number(): string {
		const rng = this.#model.rng;
		const o = this.profile.outcomes;
		const total = o.answer + o.busy + o.noanswer + o.congestion + o.unavailable;
		let x = rng.next() * total;
		let suffix: string;
		if ((x -= o.busy) < 0) suffix = '0486';
		else if ((x -= o.noanswer) < 0) suffix = '0487';
		else if ((x -= o.congestion) < 0) suffix = '0488';
		else if ((x -= o.unavailable) < 0) suffix = '0489';
		else {
			do suffix = String(rng.int(0, 9999)).padStart(4, '0');
			while (suffix >= '0486' && suffix <= '0489');
		}
		return `${this.profile.numberPrefix}${String(rng.int(0, 99)).padStart(2, '0')}${suffix}`;
	}

	#talk(): number {
		const rng = this.#model.rng;
		// Box–Muller
		const u = Math.max(rng.next(), 1e-12);
		const v = rng.next();
		const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
		const ms = this.profile.talkMedianMs * Math.exp(this.profile.talkSigma * z);
		return Math.round(Math.min(this.profile.talkMaxMs, Math.max(this.profile.talkMinMs, ms)));
	}

	#startInbound(): void {
		if (this.#inboundTimer !== null || this.profile.inboundEveryMs <= 0) return;
		const rng = this.#model.rng;
		const wait = Math.round(-Math.log(Math.max(rng.next(), 1e-12)) * this.profile.inboundEveryMs);
		this.#inboundTimer = this.#model.after(wait, () => {
			this.#inboundTimer = null;
			if (this.#bots.size === 0) return;
			const queues = this.#model.queueNames();
			if (queues.length > 0) {
				const [lo, hi] = this.profile.inboundPatienceMs;
				const leads = this.profile.inboundLeadNumbers;
				const lead = leads.length > 0 && rng.chance(this.profile.inboundLeadShare);
				this.#model.inboundCall({
					queue: rng.pick(queues),
					callerNum: lead ? rng.pick(leads) : `0${rng.int(1, 9)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
					callerName: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
					patienceMs: Math.round(rng.range(lo, hi)),
					// a person who answers (not a bot) hears the caller out: the caller ends the call
					talkMs: this.#talk()
				});
			}
			this.#startInbound();
		});
	}

	#stopInbound(): void {
		if (this.#inboundTimer !== null) this.#model.cancel(this.#inboundTimer);
		this.#inboundTimer = null;
	}
}
