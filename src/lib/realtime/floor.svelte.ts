/**
 * The live floor in the browser (DESIGN §1, §3): subscribe, load the snapshot, then apply the
 * versioned patch stream in order, once per animation frame. A gap in versions (or a version
 * that is not a number) asks the hub for a fresh snapshot; so does a backlog a hidden tab could
 * not apply. Collections are `$state.raw` and replaced wholesale, so a keyed `{#each}` only
 * re-renders the agents whose objects changed. Every timer derives from the one `ServerClock`.
 */
import { createContext } from 'svelte';
import type {
	Ack,
	AgentView,
	AckFn,
	ClientToServerEvents,
	FloorPatchMessage,
	FloorSnapshot,
	FloorSubscribeRequest,
	HubHealth,
	MonitorView,
	PbxLinkView,
	QueueView
} from '$lib/protocol';
import { ServerClock } from './clock.svelte';
import { ALL_CHANGED, downLinks, FloorModel, NO_MONITORS_BY_AGENT, type Changed } from './floor-model';
import { createHubSocket, type HubSocket } from './socket';

/** Floor commands (everything a client sends but the subscription itself). */
export type CommandEvent = Exclude<keyof ClientToServerEvents, 'floor:subscribe' | 'floor:snapshot'>;
export type CommandRequest<E extends CommandEvent> = Parameters<ClientToServerEvents[E]>[0];
export type CommandResult<E extends CommandEvent> =
	Parameters<ClientToServerEvents[E]>[1] extends AckFn<infer T> ? T : never;

export type ConnectionStatus = 'connecting' | 'live' | 'disconnected';

/** Runs `run` before the next paint; returns a cancel function. */
export type FrameScheduler = (run: () => void) => () => void;

export interface FloorStoreOptions {
	/** narrow the subscription to some teams (the hub intersects them with the user's scope) */
	teams?: string[];
	/** injected in tests; same-origin websocket otherwise */
	socket?: () => HubSocket;
	/** injected in tests; requestAnimationFrame otherwise */
	schedule?: FrameScheduler;
	/** how long to wait for a subscribe / snapshot ack */
	ackTimeoutMs?: number;
	/** wait before asking again after a failed subscribe / snapshot */
	retryMs?: number;
}

/** Patch messages a hidden tab may hold before it drops them and reloads a snapshot instead. */
const HIDDEN_BACKLOG = 200;
const NO_MONITORS: readonly MonitorView[] = Object.freeze([]);

const animationFrame: FrameScheduler = (run) => {
	const id = requestAnimationFrame(run);
	return () => cancelAnimationFrame(id);
};

function isHidden(): boolean {
	return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

export class FloorStore {
	readonly clock = new ServerClock();

	#agents = $state.raw<readonly AgentView[]>([]);
	#queues = $state.raw<readonly QueueView[]>([]);
	#pbx = $state.raw<readonly PbxLinkView[]>([]);
	#monitorsByAgent = $state.raw<ReadonlyMap<string, readonly MonitorView[]>>(NO_MONITORS_BY_AGENT);
	#status = $state<ConnectionStatus>('connecting');
	#denied = $state(false);
	#snapshots = $state(0);
	#version = $state<number | null>(null);
	#health = $state.raw<HubHealth>({ degraded: null });
	readonly #downPbx = $derived(downLinks(this.#pbx));

	/** the working copy patches go into; published to the fields above once per frame */
	readonly #model = new FloorModel();
	readonly #options: FloorStoreOptions;
	readonly #schedule: FrameScheduler;
	#socket: HubSocket | null = null;
	#pending: FloorPatchMessage[] = [];
	#cancelFrame: (() => void) | null = null;
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	/** a subscribe or snapshot request is in flight: patches wait in #pending */
	#awaitingSnapshot = false;
	/** a hidden tab dropped its backlog: reload when visible */
	#dropped = false;
	/** bumped on every (dis)connect, so acks from an older connection are ignored */
	#session = 0;
	#destroyed = false;

	constructor(options: FloorStoreOptions = {}) {
		this.#options = options;
		this.#schedule = options.schedule ?? animationFrame;
	}

	get agents(): readonly AgentView[] {
		return this.#agents;
	}
	get queues(): readonly QueueView[] {
		return this.#queues;
	}
	get pbx(): readonly PbxLinkView[] {
		return this.#pbx;
	}
	/** PBX links that are down, by name: their agents' tiles are stale. */
	get downPbx(): ReadonlyMap<string, PbxLinkView> {
		return this.#downPbx;
	}
	get status(): ConnectionStatus {
		return this.#status;
	}
	/** the hub refused the session (signed out elsewhere, expired): reconnecting will not help */
	get denied(): boolean {
		return this.#denied;
	}
	/** a snapshot has been loaded at least once */
	get loaded(): boolean {
		return this.#snapshots > 0;
	}
	/** how many snapshots were loaded (the floor was replaced wholesale) */
	get snapshots(): number {
		return this.#snapshots;
	}
	/** the hub serves in a degraded mode (Redis away: this node alone); null while it runs as configured */
	get degraded(): HubHealth['degraded'] {
		return this.#health.degraded;
	}
	/** version of the last applied snapshot or patch; null while not in sync */
	get version(): number | null {
		return this.#version;
	}

	/** the live connection, for other features that share it (null before connect and after destroy) */
	get socket(): HubSocket | null {
		return this.#socket;
	}

	/** every live monitoring session, by the agent monitored */
	get monitorsByAgent(): ReadonlyMap<string, readonly MonitorView[]> {
		return this.#monitorsByAgent;
	}

	monitorsFor(agentId: string): readonly MonitorView[] {
		return this.#monitorsByAgent.get(agentId) ?? NO_MONITORS;
	}

	/**
	 * Sends a floor command and resolves with its Ack; never rejects. No connection or no answer
	 * within the ack timeout resolves as `unavailable` with an empty message.
	 */
	command<E extends CommandEvent>(event: E, request: CommandRequest<E>): Promise<Ack<CommandResult<E>>> {
		const socket = this.#socket;
		const unavailable: Ack<CommandResult<E>> = { ok: false, error: { code: 'unavailable', message: '' } };
		if (!socket?.connected) return Promise.resolve(unavailable);
		return new Promise((resolve) => {
			const timed = socket.timeout(this.#ackTimeout);
			// socket.io cannot type an emit over a union of event names: the signature is checked above
			const emit = timed.emit as unknown as (
				event: E,
				request: CommandRequest<E>,
				ack: (err: Error | null, ack?: Ack<CommandResult<E>>) => void
			) => void;
			emit.call(timed, event, request, (err, ack) => resolve(!err && ack ? ack : unavailable));
		});
	}

	connect(): void {
		if (this.#socket || this.#destroyed) return;
		const socket = (this.#options.socket ?? createHubSocket)();
		this.#socket = socket;
		socket.on('connect', this.#onConnect);
		socket.on('disconnect', this.#onDisconnect);
		socket.on('connect_error', this.#onConnectError);
		socket.on('floor:snapshot', this.#onSnapshot);
		socket.on('floor:patch', this.#onPatch);
		socket.on('hub:health', this.#onHealth);
		if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.#onVisibility);
		this.clock.start();
		this.#status = 'connecting';
		socket.connect();
	}

	/** Removes every listener and timer and closes the socket. */
	destroy(): void {
		this.#destroyed = true;
		this.#cancelFlush();
		this.#clearRetry();
		this.clock.stop();
		if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.#onVisibility);
		const socket = this.#socket;
		this.#socket = null;
		if (socket) {
			socket.off('connect', this.#onConnect);
			socket.off('disconnect', this.#onDisconnect);
			socket.off('connect_error', this.#onConnectError);
			socket.off('floor:snapshot', this.#onSnapshot);
			socket.off('floor:patch', this.#onPatch);
			socket.off('hub:health', this.#onHealth);
			socket.disconnect();
		}
		this.#pending = [];
	}

	// ── connection ──

	readonly #onConnect = () => {
		this.#session++;
		this.#denied = false;
		this.#clearRetry();
		this.#subscribe();
	};

	readonly #onDisconnect = () => {
		this.#session++;
		this.#status = 'disconnected';
		this.#model.invalidate();
		this.#version = null;
		this.#awaitingSnapshot = false;
		this.#pending = [];
		this.#cancelFlush();
		this.#clearRetry();
	};

	readonly #onConnectError = (err: Error) => {
		this.#status = 'disconnected';
		if (err.message === 'unauthorized') this.#denied = true;
		// A refusal by the hub's middleware stops socket.io's own reconnection: keep trying, slowly,
		// unless the session itself is gone.
		const socket = this.#socket;
		if (socket && !socket.active && !this.#denied) this.#retry(() => socket.connect(), 5_000);
	};

	#subscribe(): void {
		const socket = this.#socket;
		if (!socket?.connected) return;
		const session = this.#session;
		const request: FloorSubscribeRequest = this.#options.teams?.length ? { teams: this.#options.teams } : {};
		this.#awaitingSnapshot = true;
		socket.timeout(this.#ackTimeout).emit('floor:subscribe', request, (err, ack) => {
			if (session === this.#session) this.#settle(err, ack, () => this.#subscribe());
		});
	}

	/** Asks for a fresh snapshot; patches wait until it arrives. */
	#resync(): void {
		const socket = this.#socket;
		if (this.#awaitingSnapshot || !socket?.connected) return;
		const session = this.#session;
		this.#awaitingSnapshot = true;
		socket.timeout(this.#ackTimeout).emit('floor:snapshot', (err, ack) => {
			if (session === this.#session) this.#settle(err, ack, () => this.#resync());
		});
	}

	#settle(err: Error | null, ack: Ack<FloorSnapshot> | undefined, again: () => void): void {
		if (!err && ack?.ok) return this.#load(ack.data);
		this.#awaitingSnapshot = false;
		if (ack && !ack.ok && (ack.error.code === 'unauthorized' || ack.error.code === 'forbidden')) {
			this.#denied = true;
			return;
		}
		this.#retry(again, this.#options.retryMs ?? 2_000);
	}

	get #ackTimeout(): number {
		return this.#options.ackTimeoutMs ?? 10_000;
	}

	#retry(run: () => void, ms: number): void {
		this.#clearRetry();
		this.#retryTimer = setTimeout(() => {
			this.#retryTimer = null;
			if (!this.#destroyed) run();
		}, ms);
	}

	#clearRetry(): void {
		if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
	}

	readonly #onHealth = (health: HubHealth) => {
		this.#health = health;
	};

	// ── snapshot and patches ──

	/** Pushed by the hub after it reloaded the floor, or to a client that fell behind. */
	readonly #onSnapshot = (snapshot: FloorSnapshot) => this.#load(snapshot);

	#load(snapshot: FloorSnapshot): void {
		// Socket.IO keeps order on a connection: every patch received before this snapshot is in it.
		this.#pending = [];
		this.#cancelFlush();
		this.#awaitingSnapshot = false;
		this.#dropped = false;
		this.clock.sync(snapshot.serverTime);
		this.#model.load(snapshot);
		this.#publish(ALL_CHANGED);
		this.#snapshots++;
		this.#status = 'live';
	}

	readonly #onPatch = (message: FloorPatchMessage) => {
		if (this.#dropped) return;
		this.#pending.push(message);
		if (isHidden()) {
			// No frames run in a hidden tab: cap the backlog and reload once visible.
			if (this.#pending.length > HIDDEN_BACKLOG) {
				this.#pending = [];
				this.#dropped = true;
			}
			return;
		}
		this.#cancelFrame ??= this.#schedule(this.#flush);
	};

	readonly #onVisibility = () => {
		if (isHidden()) return;
		if (this.#dropped) {
			this.#dropped = false;
			this.#resync();
		} else if (this.#pending.length) {
			this.#cancelFrame ??= this.#schedule(this.#flush);
		}
	};

	/** Applies every buffered message in version order: one reactive update per frame. */
	readonly #flush = () => {
		this.#cancelFrame = null;
		if (this.#awaitingSnapshot || this.#model.version === null) return;
		const batch = this.#pending;
		this.#pending = [];
		const { changed, gap } = this.#model.apply(batch);
		this.#publish(changed);
		if (gap) this.#resync();
	};

	#cancelFlush(): void {
		this.#cancelFrame?.();
		this.#cancelFrame = null;
	}

	#publish(changed: Readonly<Changed>): void {
		if (changed.agents) this.#agents = this.#model.agents();
		if (changed.queues) this.#queues = this.#model.queues();
		if (changed.pbx) this.#pbx = this.#model.pbx();
		if (changed.monitors) this.#monitorsByAgent = this.#model.monitorsByAgent();
		this.#version = this.#model.version;
	}
}

/** The page's floor store, for the widgets below it (no prop drilling). */
export const [getFloor, setFloor] = createContext<FloorStore>();
