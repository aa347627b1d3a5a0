/**
 * AMI client: one TCP connection to one Asterisk, held forever.
 *
 * - Plain `Action: Login` (with the `Events:` mask), then the `onLogin` resync step, then 'ready'.
 *   'status' reports connected=true only from 'ready' on (a PBX is fresh once resynced), and
 *   connected=false on every loss.
 * - Reconnects forever with exponential backoff (reconnectMinMs doubling, capped at reconnectMaxMs,
 *   "equal jitter": a delay is between half and all of the capped step). A failed login, a failed
 *   resync or a dead link all reconnect the same way; the step resets after a successful 'ready'.
 * - ActionIDs are `<name>-<connection#>-<n>`: a counter per connection, never a clock.
 * - Keepalive: a Ping every pingIntervalMs; one unanswered within pingTimeoutMs declares the link
 *   dead (half-open TCP included); a silence watchdog also drops a link that sent no byte for
 *   pingTimeoutMs, so detection takes at most ~pingTimeoutMs after the last byte.
 * - Events whose name the eventFilter rejects are skipped by the parser before an object is built,
 *   except while an actionList is collecting (its items must not be lost); then they are filtered
 *   after parsing. Events carrying the ActionID of a pending list go to that list only.
 * - action() resolves with the response whatever its `Response:` (Success, Error, Goodbye …);
 *   actionList() rejects on `Response: Error`.
 * - 'disconnect' fires when an established TCP connection is lost (reason given); a failed connect
 *   attempt only shows as 'reconnect' ({attempt, delayMs, reason}).
 * - 'error' is emitted only when someone listens (an unhandled 'error' would crash the process);
 *   it is always logged.
 * - close() is final: start() afterwards throws. After close no timer or socket of the client is
 *   left (see `activeTimers`).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { formatAction, type AmiFields } from './format';
import { AmiParser, AmiProtocolError, first, type AmiMessage } from './parser';

export interface AmiLogger {
	debug(msg: string, data?: Record<string, unknown>): void;
	info(msg: string, data?: Record<string, unknown>): void;
	warn(msg: string, data?: Record<string, unknown>): void;
	error(msg: string, data?: Record<string, unknown>): void;
}

export interface AmiClientOptions {
	name: string;
	host: string;
	port: number;
	username: string;
	secret: string;
	/** Events mask sent at Login, default 'on' */
	events?: string;
	pingIntervalMs?: number;
	pingTimeoutMs?: number;
	actionTimeoutMs?: number;
	reconnectMinMs?: number;
	reconnectMaxMs?: number;
	/** TCP connect timeout, default 5000 */
	connectTimeoutMs?: number;
	/** return false to drop an event by name, as early as possible */
	eventFilter?: (eventName: string) => boolean;
	/** the resync step, run after EVERY successful login before 'ready'; a rejection reconnects */
	onLogin?: (client: AmiClient) => Promise<void>;
	logger?: AmiLogger;
}

export interface AmiStatus {
	connected: boolean;
	since: number;
}

export interface AmiListResult {
	response: AmiMessage;
	items: AmiMessage[];
	complete: AmiMessage;
}

export interface AmiClientEvents {
	event: [msg: AmiMessage, receivedAt: number];
	ready: [];
	disconnect: [reason: string];
	status: [status: AmiStatus];
	error: [err: Error];
	/** a reconnect is scheduled after `delayMs` (attempt counts from 1 since the last 'ready') */
	reconnect: [info: { attempt: number; delayMs: number; reason: string }];
}

/** The action could not be sent or answered because there is no logged-in connection (any more). */
export class AmiNotConnectedError extends Error {
	override name = 'AmiNotConnectedError';
}
/** No response within the timeout; the pending entry is gone. */
export class AmiTimeoutError extends Error {
	override name = 'AmiTimeoutError';
}
/** `Response: Error` to a list action, or a failed login. */
export class AmiActionError extends Error {
	override name = 'AmiActionError';
	readonly response: AmiMessage;
	constructor(message: string, response: AmiMessage) {
		super(message);
		this.response = response;
	}
}
export class AmiAuthError extends AmiActionError {
	override name = 'AmiAuthError';
}

interface Pending {
	resolve(msg: AmiMessage): void;
	reject(err: Error): void;
	timer: NodeJS.Timeout;
	list: { response: AmiMessage | null; items: AmiMessage[] } | null;
}

/** One TCP connection and everything that dies with it. */
interface Conn {
	id: number;
	socket: net.Socket;
	parser: AmiParser;
	counter: number;
	pending: Map<string, Pending>;
	lists: number;
	loggedIn: boolean;
	pingTimer: NodeJS.Timeout | null;
	/** silence watchdog: a healthy logged-in link answers a Ping at least every pingIntervalMs */
	watchdogTimer: NodeJS.Timeout | null;
	lastRxAt: number;
	connectTimer: NodeJS.Timeout | null;
	dead: boolean;
	/** the TCP connection was established */
	tcpUp: boolean;
	/** called once when the connection is torn down */
	onDead: (() => void) | null;
}

const noop = (): void => {};
const silentLogger: AmiLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** Backoff step for a reconnect attempt (1-based): min·2^(attempt-1) capped at max, equal jitter. */
export function backoffDelay(
	attempt: number,
	minMs: number,
	maxMs: number,
	random: () => number = Math.random
): number {
	const step = Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
	return Math.round(step / 2 + random() * (step / 2));
}

export class AmiClient extends EventEmitter<AmiClientEvents> {
	readonly name: string;
	readonly #opts: Required<Omit<AmiClientOptions, 'eventFilter' | 'onLogin' | 'logger'>>;
	readonly #eventFilter: ((eventName: string) => boolean) | null;
	readonly #onLogin: ((client: AmiClient) => Promise<void>) | null;
	readonly #log: AmiLogger;
	readonly #idPrefix: string;
	readonly #timers = new Set<NodeJS.Timeout>();

	#conn: Conn | null = null;
	#connSeq = 0;
	#started = false;
	#closed = false;
	#connected = false;
	#since = Date.now();
	#attempt = 0;
	#reconnectTimer: NodeJS.Timeout | null = null;
	#closing: Promise<void> | null = null;

	constructor(opts: AmiClientOptions) {
		super();
		this.name = opts.name;
		this.#opts = {
			name: opts.name,
			host: opts.host,
			port: opts.port,
			username: opts.username,
			secret: opts.secret,
			events: opts.events ?? 'on',
			// a dead or half-open link is noticed within ~2 s (the failover goal is 3 s to detect)
			pingIntervalMs: opts.pingIntervalMs ?? 1000,
			pingTimeoutMs: opts.pingTimeoutMs ?? 2000,
			actionTimeoutMs: opts.actionTimeoutMs ?? 10_000,
			reconnectMinMs: opts.reconnectMinMs ?? 250,
			reconnectMaxMs: opts.reconnectMaxMs ?? 5000,
			connectTimeoutMs: opts.connectTimeoutMs ?? 5000
		};
		this.#eventFilter = opts.eventFilter ?? null;
		this.#onLogin = opts.onLogin ?? null;
		this.#log = opts.logger ?? silentLogger;
		this.#idPrefix = opts.name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'ami';
		// Validate what goes into Login now, not at the first (re)connect.
		formatAction({
			Action: 'Login',
			Username: opts.username,
			Secret: opts.secret,
			Events: this.#opts.events
		});
	}

	/** Logged in and resynced ('ready' seen, no loss since). */
	get connected(): boolean {
		return this.#connected;
	}
	/** Local Date.now() of the last connected/disconnected transition. */
	get since(): number {
		return this.#since;
	}
	/** Timers currently armed by this client (0 after close()). */
	get activeTimers(): number {
		return this.#timers.size;
	}
	/** Banner of the current connection, e.g. 'Asterisk Call Manager/11.0.0'. */
	get banner(): string | null {
		return this.#conn?.parser.banner ?? null;
	}

	/** Connect and stay connected until close(). Idempotent; throws after close(). */
	start(): void {
		if (this.#closed) throw new Error(`AmiClient ${this.name}: start() after close(); create a new client`);
		if (this.#started) return;
		this.#started = true;
		this.#connect();
	}

	/** Send an action and resolve with its response (any `Response:` value). */
	action(fields: AmiFields, opts: { timeoutMs?: number } = {}): Promise<AmiMessage> {
		const conn = this.#conn;
		if (conn === null || !conn.loggedIn) {
			return Promise.reject(new AmiNotConnectedError(`AMI ${this.name}: not logged in`));
		}
		return this.#send(conn, fields, opts.timeoutMs ?? this.#opts.actionTimeoutMs, false).then(
			(r) => r.response
		);
	}

	/** Send a list action (CoreShowChannels, QueueStatus, Status …) and collect its event list. */
	actionList(fields: AmiFields, opts: { timeoutMs?: number } = {}): Promise<AmiListResult> {
		const conn = this.#conn;
		if (conn === null || !conn.loggedIn) {
			return Promise.reject(new AmiNotConnectedError(`AMI ${this.name}: not logged in`));
		}
		return this.#send(conn, fields, opts.timeoutMs ?? this.#opts.actionTimeoutMs, true).then((r) => {
			if (r.items === null) throw new Error('unreachable: list without items');
			return { response: r.listResponse ?? r.response, items: r.items, complete: r.response };
		});
	}

	/** Logoff (best effort), end the socket, clear every timer. Final; repeated calls share the result. */
	close(): Promise<void> {
		this.#closing ??= this.#close();
		return this.#closing;
	}

	async #close(): Promise<void> {
		this.#closed = true;
		this.#clearTimer(this.#reconnectTimer);
		this.#reconnectTimer = null;
		const conn = this.#conn;
		if (conn !== null && !conn.dead) {
			if (conn.loggedIn && conn.socket.writable) {
				try {
					// Asterisk answers Goodbye and closes the socket itself.
					await this.#send(conn, { Action: 'Logoff' }, Math.min(1000, this.#opts.actionTimeoutMs), false);
				} catch {
					// best effort
				}
				if (!conn.dead) {
					await new Promise<void>((resolve) => {
						conn.onDead = resolve;
						this.#setTimer(() => this.#drop(conn, 'closed'), 500);
						conn.socket.end();
					});
				}
			}
			this.#drop(conn, 'closed');
		}
		for (const t of this.#timers) clearTimeout(t);
		this.#timers.clear();
	}

	// ---- internals ----

	#setTimer(fn: () => void, ms: number): NodeJS.Timeout {
		const t = setTimeout(() => {
			this.#timers.delete(t);
			fn();
		}, ms);
		this.#timers.add(t);
		return t;
	}

	#clearTimer(t: NodeJS.Timeout | null): void {
		if (t === null) return;
		clearTimeout(t);
		this.#timers.delete(t);
	}

	#emitError(err: Error): void {
		this.#log.error(`AMI ${this.name}: ${err.message}`, { error: err.name });
		if (this.listenerCount('error') > 0) this.emit('error', err);
	}

	#setStatus(connected: boolean): void {
		if (this.#connected === connected) return;
		this.#connected = connected;
		this.#since = Date.now();
		this.emit('status', { connected, since: this.#since });
	}

	#connect(): void {
		this.#reconnectTimer = null;
		if (this.#closed) return;
		const id = ++this.#connSeq;
		const { host, port } = this.#opts;
		this.#log.debug(`AMI ${this.name}: connecting`, { host, port, connection: id });
		const userFilter = this.#eventFilter;
		const socket = net.connect({ host, port });
		const conn: Conn = {
			id,
			socket,
			parser: new AmiParser({ expectBanner: true }),
			counter: 0,
			pending: new Map(),
			lists: 0,
			loggedIn: false,
			pingTimer: null,
			watchdogTimer: null,
			lastRxAt: Date.now(),
			connectTimer: null,
			dead: false,
			tcpUp: false,
			onDead: null
		};
		if (userFilter !== null) conn.parser.eventFilter = (name) => conn.lists > 0 || userFilter(name);
		this.#conn = conn;
		conn.connectTimer = this.#setTimer(() => {
			conn.connectTimer = null;
			this.#drop(conn, `connect timeout after ${this.#opts.connectTimeoutMs} ms`);
		}, this.#opts.connectTimeoutMs);
		socket.setNoDelay(true);
		socket.on('connect', () => {
			this.#clearTimer(conn.connectTimer);
			conn.connectTimer = null;
			conn.tcpUp = true;
			socket.setKeepAlive(true, 10_000);
			this.#login(conn).catch((err: unknown) => {
				this.#emitError(new Error(`AMI ${this.name}: login step failed: ${String(err)}`, { cause: err }));
				this.#drop(conn, 'login step failed');
			});
		});
		socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
		socket.on('error', (err: Error) => {
			this.#log.warn(`AMI ${this.name}: socket error`, { error: err.message });
			this.#drop(conn, `socket error: ${err.message}`);
		});
		socket.on('close', () => this.#drop(conn, 'connection closed by peer'));
		socket.on('end', () => this.#drop(conn, 'connection ended by peer'));
	}

	async #login(conn: Conn): Promise<void> {
		const o = this.#opts;
		let res: AmiMessage;
		try {
			const r = await this.#send(
				conn,
				{ Action: 'Login', Username: o.username, Secret: o.secret, Events: o.events },
				o.actionTimeoutMs,
				false
			);
			res = r.response;
		} catch (err) {
			if (!conn.dead) this.#drop(conn, `login: ${(err as Error).message}`);
			return;
		}
		if (conn.dead) return;
		if (first(res, 'Response') !== 'Success') {
			const msg = first(res, 'Message') ?? 'login refused';
			this.#emitError(new AmiAuthError(`AMI ${this.name}: login failed: ${msg}`, res));
			this.#drop(conn, `login failed: ${msg}`);
			return;
		}
		conn.loggedIn = true;
		this.#log.info(`AMI ${this.name}: logged in`, { banner: conn.parser.banner, connection: conn.id });
		conn.lastRxAt = Date.now();
		this.#scheduleWatchdog(conn);
		this.#schedulePing(conn);
		if (this.#onLogin !== null) {
			try {
				await this.#onLogin(this);
			} catch (err) {
				if (conn.dead) return;
				const e = err instanceof Error ? err : new Error(String(err));
				this.#emitError(new Error(`AMI ${this.name}: resync failed: ${e.message}`, { cause: e }));
				this.#drop(conn, `resync failed: ${e.message}`);
				return;
			}
		}
		if (conn.dead || this.#conn !== conn) return;
		this.#attempt = 0;
		this.#setStatus(true);
		this.emit('ready');
	}

	/**
	 * Half-open links send nothing at all. Since Pings go out every pingIntervalMs, more than
	 * pingTimeoutMs without a single byte means the link is dead — detected within pingTimeoutMs
	 * of the last byte (plus the watchdog's granularity), not interval + timeout.
	 */
	#scheduleWatchdog(conn: Conn): void {
		// Silence only proves death when a healthy link always speaks more often than the deadline.
		if (this.#opts.pingTimeoutMs <= this.#opts.pingIntervalMs) return;
		const step = Math.max(20, Math.min(250, Math.floor(this.#opts.pingTimeoutMs / 6)));
		conn.watchdogTimer = this.#setTimer(() => {
			conn.watchdogTimer = null;
			if (conn.dead) return;
			if (Date.now() - conn.lastRxAt <= this.#opts.pingTimeoutMs) {
				this.#scheduleWatchdog(conn);
				return;
			}
			// Timers run before I/O in a loop turn: after our own process stalled, bytes may be waiting
			// unread. Look again once the poll phase has read them (setImmediate runs right after it).
			setImmediate(() => {
				if (conn.dead) return;
				const silentFor = Date.now() - conn.lastRxAt;
				if (silentFor > this.#opts.pingTimeoutMs) {
					this.#log.warn(`AMI ${this.name}: no data for ${silentFor} ms, link is dead`);
					this.#drop(conn, `no data for ${silentFor} ms`);
					return;
				}
				this.#scheduleWatchdog(conn);
			});
		}, step);
	}

	#schedulePing(conn: Conn): void {
		conn.pingTimer = this.#setTimer(() => {
			conn.pingTimer = null;
			if (conn.dead) return;
			this.#schedulePing(conn);
			this.#send(conn, { Action: 'Ping' }, this.#opts.pingTimeoutMs, false).then(
				() => {},
				(err: Error) => {
					if (conn.dead) return;
					this.#log.warn(`AMI ${this.name}: ping failed, link is dead`, { error: err.message });
					this.#drop(conn, `ping timeout (${this.#opts.pingTimeoutMs} ms)`);
				}
			);
		}, this.#opts.pingIntervalMs);
	}

	#send(
		conn: Conn,
		fields: AmiFields,
		timeoutMs: number,
		isList: boolean
	): Promise<{ response: AmiMessage; listResponse: AmiMessage | null; items: AmiMessage[] | null }> {
		for (const k of Object.keys(fields)) {
			if (k.toLowerCase() === 'actionid') {
				return Promise.reject(new TypeError('ActionID is assigned by AmiClient; do not pass one'));
			}
		}
		const actionId = `${this.#idPrefix}-${conn.id}-${++conn.counter}`;
		let text: string;
		try {
			text = formatAction({ ...fields, ActionID: actionId });
		} catch (err) {
			return Promise.reject(err as Error);
		}
		if (conn.dead || !conn.socket.writable) {
			return Promise.reject(new AmiNotConnectedError(`AMI ${this.name}: connection lost`));
		}
		return new Promise((resolve, reject) => {
			const list = isList ? { response: null as AmiMessage | null, items: [] as AmiMessage[] } : null;
			const entry: Pending = {
				resolve: (msg) =>
					resolve({ response: msg, listResponse: list?.response ?? null, items: list?.items ?? null }),
				reject,
				// the answer may be waiting unread if this process stalled: decide after the I/O phase
				timer: this.#setTimer(() => {
					setImmediate(() => {
						if (conn.pending.get(actionId) !== entry) return;
						this.#settle(conn, actionId, entry);
						reject(
							new AmiTimeoutError(
								`AMI ${this.name}: ${String(fields.Action)} (${actionId}) got no response in ${timeoutMs} ms`
							)
						);
					});
				}, timeoutMs),
				list
			};
			conn.pending.set(actionId, entry);
			if (list !== null) conn.lists++;
			conn.socket.write(text);
		});
	}

	/** Remove a pending entry and its timer. */
	#settle(conn: Conn, actionId: string, entry: Pending): void {
		conn.pending.delete(actionId);
		this.#clearTimer(entry.timer);
		if (entry.list !== null) conn.lists--;
	}

	#onData(conn: Conn, chunk: Buffer): void {
		if (conn.dead) return;
		const receivedAt = Date.now();
		conn.lastRxAt = receivedAt;
		let messages: AmiMessage[];
		try {
			messages = conn.parser.push(chunk);
		} catch (err) {
			if (err instanceof AmiProtocolError) {
				this.#emitError(err);
				this.#drop(conn, `protocol error: ${err.message}`);
				return;
			}
			throw err;
		}
		for (const msg of messages) {
			if (conn.dead) return;
			this.#dispatch(conn, msg, receivedAt);
		}
	}

	#dispatch(conn: Conn, msg: AmiMessage, receivedAt: number): void {
		const eventName = first(msg, 'Event');
		const actionId = first(msg, 'ActionID');
		if (eventName === undefined) {
			if (first(msg, 'Response') === undefined) {
				this.#log.debug(`AMI ${this.name}: message without Event or Response ignored`);
				return;
			}
			const entry = actionId === undefined ? undefined : conn.pending.get(actionId);
			if (entry === undefined || actionId === undefined) {
				this.#log.debug(`AMI ${this.name}: response for unknown ActionID`, { actionId });
				return;
			}
			if (entry.list === null) {
				this.#settle(conn, actionId, entry);
				entry.resolve(msg);
				return;
			}
			if (first(msg, 'Response') !== 'Success') {
				this.#settle(conn, actionId, entry);
				entry.reject(
					new AmiActionError(`AMI ${this.name}: ${first(msg, 'Message') ?? 'list action failed'}`, msg)
				);
				return;
			}
			entry.list.response = msg;
			if (first(msg, 'EventList')?.toLowerCase() !== 'start') {
				// Not a list after all: nothing will follow.
				this.#settle(conn, actionId, entry);
				entry.resolve(msg);
			}
			return;
		}
		if (actionId !== undefined && conn.lists > 0) {
			const entry = conn.pending.get(actionId);
			if (entry !== undefined && entry.list !== null) {
				if (first(msg, 'EventList')?.toLowerCase() === 'complete') {
					this.#settle(conn, actionId, entry);
					entry.resolve(msg);
				} else {
					entry.list.items.push(msg);
				}
				return;
			}
		}
		// Early filtering happened in the parser unless a list was pending or Event was not first.
		if (this.#eventFilter !== null && !this.#eventFilter(eventName)) return;
		try {
			this.emit('event', msg, receivedAt);
		} catch (err) {
			// A throwing listener must not kill the link (we are inside the socket's data handler).
			this.#emitError(
				new Error(`AMI ${this.name}: 'event' listener threw: ${(err as Error).message}`, { cause: err })
			);
		}
	}

	/** Tear a connection down (idempotent), fail its pending actions, and schedule a reconnect. */
	#drop(conn: Conn, reason: string): void {
		if (conn.dead) return;
		conn.dead = true;
		if (this.#closed) reason = 'closed';
		const wasConnected = this.#connected;
		const wasLoggedIn = conn.loggedIn;
		conn.loggedIn = false;
		this.#clearTimer(conn.pingTimer);
		this.#clearTimer(conn.watchdogTimer);
		conn.watchdogTimer = null;
		this.#clearTimer(conn.connectTimer);
		conn.pingTimer = null;
		conn.connectTimer = null;
		conn.socket.removeAllListeners();
		conn.socket.on('error', noop); // late errors of a destroyed socket must not crash
		conn.socket.destroy();
		const err = new AmiNotConnectedError(`AMI ${this.name}: disconnected (${reason})`);
		for (const [id, entry] of conn.pending) {
			this.#settle(conn, id, entry);
			entry.reject(err);
		}
		if (this.#conn === conn) this.#conn = null;
		if (wasLoggedIn || wasConnected) this.#log.warn(`AMI ${this.name}: disconnected`, { reason });
		else this.#log.debug(`AMI ${this.name}: connection failed`, { reason });
		this.#setStatus(false);
		// 'disconnect' only for a connection that was up; a failed connect shows as 'reconnect'
		if (conn.tcpUp) this.emit('disconnect', reason);
		conn.onDead?.();
		if (!this.#closed) this.#scheduleReconnect(reason);
	}

	#scheduleReconnect(reason: string): void {
		if (this.#reconnectTimer !== null) return;
		this.#attempt++;
		const delayMs = backoffDelay(this.#attempt, this.#opts.reconnectMinMs, this.#opts.reconnectMaxMs);
		this.emit('reconnect', { attempt: this.#attempt, delayMs, reason });
		this.#reconnectTimer = this.#setTimer(() => this.#connect(), delayMs);
	}
}
