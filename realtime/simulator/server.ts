/**
 * AMI server for the simulated PBX, on loopback TCP, speaking the bytes Asterisk 22 speaks
 * (banner, login, responses, event lists, events; see ../shared/ami-transcripts and the
 * conformance test). One model, any number of sessions; every logged-in session receives the
 * model's events filtered by its `Events` mask.
 *
 * Write behaviour (like Asterisk): a response is written in 2–3 pieces (`Response`+`ActionID`,
 * the rest, and for Command a lone CRLF) unless `splitResponses: false`; each event is one write
 * (writes within one tick are corked into one syscall). Events caused by an action reach the
 * acting session after that action's response (and list). A synchronous Originate holds the
 * session's events until it returns. A session whose unread output exceeds `maxBufferedBytes`
 * is disconnected (a slow consumer, as Asterisk drops one).
 *
 * Fault hooks (`faults`): drop(), stall(ms), halfOpen(), garbage() — see SimulatorFaults.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { AmiParser } from '../ami/parser';
import type { AmiMessage } from '../ami/parser';
import { formatMessage } from '../ami/format';
import type { SimClock } from './clock';
import { createRng } from './clock';
import { channelBlock, channelEvent, eventHead, eventTv, hms, queueMemberItem } from './fields';
import type { SimFields } from './fields';
import { startLoad } from './load';
import type { LoadHandle } from './load';
import { PbxModel } from './model';
import type { BotProfile } from './bots';
import type { ChannelInfo, SimAgent, SimQueueConfig, SimTiming } from './model';
import { writeRecording } from './wav';

export const AMI_BANNER = 'Asterisk Call Manager/11.0.0\r\n';
export const ASTERISK_VERSION = '22.10.1';
const VERSION_LINE = `Asterisk ${ASTERISK_VERSION} built by switchboard @ simulator on a x86_64 running Linux on 2026-11-25 12:17:46 UTC`;

export interface SimulatorOptions {
	/** default 127.0.0.1 (loopback only) */
	host?: string;
	/** default 0 (a free port) */
	port?: number;
	agents: readonly SimAgent[];
	queues?: readonly SimQueueConfig[];
	seed?: number;
	username: string;
	secret: string;
	/** start every agent as a bot (default false); change per agent with model.setBot() */
	bots?: boolean;
	/** load mode: synthetic events per second on top of everything else */
	rate?: number;
	/** MixMonitor / SB_REC recordings are written under this directory (none when unset) */
	recordingsDir?: string;
	clock?: SimClock;
	timing?: Partial<SimTiming>;
	botProfile?: Partial<BotProfile>;
	/** probability that an async OriginateResponse precedes its call's events (default 0; see PbxModelOptions) */
	earlyOriginateResponse?: number;
	/** write responses in 2–3 pieces like Asterisk (default true) */
	splitResponses?: boolean;
	/** disconnect a session with more unread output than this (default 64 MiB) */
	maxBufferedBytes?: number;
}

export interface SimulatorFaults {
	/** destroy every client socket now */
	drop(): void;
	/** current sessions: stop reading and writing for `ms`, keep the sockets open, then catch up; resolves on resume */
	stall(ms: number): Promise<void>;
	/** current sessions: never read or write again, never close (new connections work normally) */
	halfOpen(): void;
	/** write random non-AMI bytes (ending in a blank line) to every session */
	garbage(bytes?: number): void;
}

export interface SimulatorHandle {
	host: string;
	port: number;
	/** `ami://user:secret@host:port` */
	url: string;
	model: PbxModel;
	faults: SimulatorFaults;
	/** connected sockets */
	sessionCount(): number;
	/** wait until every recording started so far is on disk; returns the paths written */
	flushRecordings(): Promise<string[]>;
	close(): Promise<void>;
}

type Mask = 'all' | 'none' | Set<string>;

function parseMask(v: string | undefined): Mask {
	if (v === undefined) return 'all';
	const s = v.trim().toLowerCase();
	if (s === '' || s === 'on' || s === 'yes' || s === 'true' || s === '1') return 'all';
	if (s === 'off' || s === 'no' || s === 'false' || s === '0') return 'none';
	const set = new Set(
		s
			.split(',')
			.map((x) => x.trim())
			.filter((x) => x !== '')
	);
	return set.has('all') ? 'all' : set;
}

function isTrue(v: string | undefined): boolean {
	return v !== undefined && /^(yes|true|y|t|1|on)$/i.test(v.trim());
}

/** Event classes from a Privilege value (`call,all` → ['call']). */
function classesOf(f: SimFields): string[] {
	const p = f.Privilege;
	if (typeof p !== 'string') return [];
	return p
		.toLowerCase()
		.split(',')
		.filter((c) => c !== 'all' && c !== '');
}

function serialize(f: SimFields): string {
	try {
		return formatMessage(f);
	} catch {
		// a client sent a value with a control character (e.g. TAB) that we echo in an event
		const clean: SimFields = {};
		// eslint-disable-next-line no-control-regex
		const strip = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');
		for (const [k, v] of Object.entries(f)) clean[k] = Array.isArray(v) ? v.map(strip) : strip(v);
		return formatMessage(clean);
	}
}

/** Asterisk writes a response in pieces: `Response`+`ActionID` | the rest (| a lone CRLF after Command output). */
export function splitPieces(text: string): string[] {
	const lines = text.split('\r\n');
	// lines: [...headers, '', ''] for 'a\r\nb\r\n\r\n'
	const headers = lines.slice(0, -2);
	if (headers.length <= 2) return [text];
	const head = headers.slice(0, 2).join('\r\n') + '\r\n';
	const rest = headers.slice(2).join('\r\n') + '\r\n';
	if (headers.some((h) => h.startsWith('Output:'))) return [head, rest, '\r\n'];
	return [head, rest + '\r\n'];
}

interface ActionContext {
	session: Session;
	msg: AmiMessage;
	/** case-insensitive header lookup (first value) */
	get(name: string): string | undefined;
	getAll(name: string): string[];
	actionId: string | undefined;
}

class Session {
	readonly socket: net.Socket;
	readonly parser = new AmiParser({ expectBanner: false });
	readonly id: string;
	authed = false;
	user = '';
	mask: Mask = 'all';
	challenge: string | null = null;
	loginAt = 0;
	halfOpen = false;
	/** an action is in progress (sync Originate): input waits */
	busy = false;
	#stalled = false;
	#holds = 0;
	#held: string[] = [];
	#stallQueue: string[] = [];
	#inbox: AmiMessage[] = [];
	#corked = false;
	readonly #server: SimServer;

	constructor(socket: net.Socket, server: SimServer, id: string) {
		this.socket = socket;
		this.#server = server;
		this.id = id;
	}

	get localAddress(): string {
		return `IPV4/TCP/${this.socket.localAddress ?? '127.0.0.1'}/${this.socket.localPort ?? 0}`;
	}

	get remoteAddress(): string {
		return `IPV4/TCP/${(this.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '')}/${this.socket.remotePort ?? 0}`;
	}

	wants(classes: readonly string[]): boolean {
		if (!this.authed || this.mask === 'none') return false;
		if (this.mask === 'all') return true;
		for (const c of classes) if (this.mask.has(c)) return true;
		return false;
	}

	// ---------------------------------------------------------------- output

	#write(data: string): void {
		if (this.halfOpen || this.socket.destroyed || this.socket.writableEnded) return;
		if (this.#stalled) {
			this.#stallQueue.push(data);
			return;
		}
		this.socket.write(data);
		if (this.socket.writableLength > this.#server.maxBuffered) this.socket.destroy();
	}

	/** One event (corked with the others of this tick). */
	event(text: string): void {
		if (this.#holds > 0) {
			this.#held.push(text);
			return;
		}
		if (!this.#corked && !this.#stalled && !this.halfOpen) {
			this.#corked = true;
			this.socket.cork();
			process.nextTick(() => {
				this.#corked = false;
				this.socket.uncork();
			});
		}
		this.#write(text);
	}

	/** A response or list item, written now (ahead of held events). */
	response(f: SimFields, split = false): void {
		const text = serialize(f);
		if (split && this.#server.split) {
			if (this.#corked) {
				this.#corked = false;
				this.socket.uncork();
			}
			for (const p of splitPieces(text)) this.#write(p);
		} else {
			this.#write(text);
		}
	}

	raw(data: string | Buffer): void {
		if (this.halfOpen || this.socket.destroyed || this.socket.writableEnded) return;
		this.socket.write(data);
	}

	hold(): void {
		this.#holds++;
	}

	release(): void {
		if (this.#holds === 0) return;
		this.#holds--;
		if (this.#holds > 0) return;
		const held = this.#held;
		this.#held = [];
		for (const t of held) this.#write(t);
	}

	// ---------------------------------------------------------------- input

	onData(chunk: Buffer): void {
		if (this.halfOpen) return;
		try {
			for (const m of this.parser.push(chunk)) this.#inbox.push(m);
		} catch {
			this.socket.destroy();
			return;
		}
		this.drain();
	}

	drain(): void {
		while (!this.#stalled && !this.busy && !this.halfOpen && !this.socket.destroyed) {
			const m = this.#inbox.shift();
			if (m === undefined) return;
			this.#server.handle(this, m);
		}
	}

	// ---------------------------------------------------------------- faults

	stall(): void {
		this.#stalled = true;
		this.socket.pause();
	}

	resume(): void {
		if (!this.#stalled) return;
		this.#stalled = false;
		const q = this.#stallQueue;
		this.#stallQueue = [];
		if (!this.halfOpen && !this.socket.destroyed) {
			this.socket.resume();
			for (const d of q) this.#write(d);
		}
		this.drain();
	}

	goHalfOpen(): void {
		this.halfOpen = true;
		this.#stallQueue = [];
		this.#held = [];
		this.#inbox = [];
		this.socket.pause();
	}
}

class SimServer {
	readonly model: PbxModel;
	readonly opts: SimulatorOptions;
	readonly split: boolean;
	readonly maxBuffered: number;
	readonly sessions = new Set<Session>();
	readonly #pendingWrites = new Set<Promise<string | null>>();
	readonly #written: string[] = [];
	readonly #rng;
	#load: LoadHandle | null = null;
	#processedCalls = 0;

	constructor(opts: SimulatorOptions) {
		this.opts = opts;
		this.split = opts.splitResponses ?? true;
		this.maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
		this.#rng = createRng((opts.seed ?? 1) ^ 0x5eed);
		this.model = new PbxModel({
			agents: opts.agents,
			queues: opts.queues,
			clock: opts.clock,
			seed: opts.seed,
			bots: opts.bots,
			timing: opts.timing,
			botProfile: opts.botProfile,
			earlyOriginateResponse: opts.earlyOriginateResponse
		});
		this.model.onEvent((f) => this.broadcast(f));
		this.model.onRecording((r) => {
			const dir = opts.recordingsDir;
			if (dir === undefined) return;
			const p = writeRecording(dir, r.file).then(
				(path) => {
					this.#written.push(path);
					return path;
				},
				() => null
			);
			this.#pendingWrites.add(p);
			void p.finally(() => this.#pendingWrites.delete(p));
		});
		if (opts.rate !== undefined && opts.rate > 0) this.#load = startLoad(this.model, opts.rate);
	}

	async flushRecordings(): Promise<string[]> {
		while (this.#pendingWrites.size > 0) await Promise.all([...this.#pendingWrites]);
		return [...this.#written];
	}

	stop(): void {
		this.#load?.stop();
		this.model.dispose();
	}

	broadcast(f: SimFields): void {
		if (this.sessions.size === 0) return;
		const classes = classesOf(f);
		let text: string | null = null;
		for (const s of this.sessions) {
			if (!s.wants(classes)) continue;
			text ??= serialize(f);
			s.event(text);
		}
	}

	accept(socket: net.Socket): void {
		socket.setNoDelay(true);
		const s = new Session(
			socket,
			this,
			`0x${this.#rng.int(0x10000000, 0x7fffffff).toString(16)}${this.#rng.int(0x1000, 0xffff).toString(16)}`
		);
		this.sessions.add(s);
		socket.on('data', (c: Buffer) => s.onData(c));
		socket.on('error', () => socket.destroy());
		socket.on('close', () => this.sessions.delete(s));
		socket.write(AMI_BANNER);
	}

	// ------------------------------------------------------------------------------ actions

	handle(session: Session, msg: AmiMessage): void {
		const lower = new Map<string, string[]>();
		for (const [k, v] of Object.entries(msg)) {
			const key = k.toLowerCase();
			const list = lower.get(key) ?? [];
			if (Array.isArray(v)) list.push(...v);
			else list.push(v);
			lower.set(key, list);
		}
		const ctx: ActionContext = {
			session,
			msg,
			get: (n) => lower.get(n.toLowerCase())?.[0],
			getAll: (n) => lower.get(n.toLowerCase()) ?? [],
			actionId: lower.get('actionid')?.[0]
		};
		const action = (ctx.get('Action') ?? '').trim();
		// the acting session sees the events its action causes after the response
		session.hold();
		try {
			this.#dispatch(ctx, action);
		} finally {
			session.release();
		}
	}

	#respond(
		ctx: ActionContext,
		response: 'Success' | 'Error' | 'Goodbye',
		fields: SimFields = {},
		split = true
	): void {
		const f: SimFields = { Response: response };
		if (ctx.actionId !== undefined) f.ActionID = ctx.actionId;
		Object.assign(f, fields);
		ctx.session.response(f, split);
	}

	#error(ctx: ActionContext, message: string): void {
		this.#respond(ctx, 'Error', { Message: message });
	}

	#security(name: string, session: Session, severity: string, fields: SimFields, version = '1'): SimFields {
		const now = this.model.clock.now();
		return {
			...eventHead(name, 'security,all'),
			EventTV: eventTv(now),
			Severity: severity,
			Service: 'AMI',
			EventVersion: version,
			...fields,
			SessionTV: session.authed ? eventTv(session.loginAt) : '1970-01-01T00:00:00.000+0000'
		};
	}

	#dispatch(ctx: ActionContext, action: string): void {
		const s = ctx.session;
		const name = action.toLowerCase();
		if (name === '') {
			this.#error(ctx, 'Missing action in request');
			this.broadcast(
				this.#security('RequestBadFormat', s, 'Error', {
					SessionID: s.id,
					LocalAddress: s.localAddress,
					RemoteAddress: s.remoteAddress,
					RequestType: 'Action: NONE',
					SessionTV: '',
					AccountID: s.user
				})
			);
			return;
		}
		if (!s.authed && name !== 'login' && name !== 'challenge' && name !== 'logoff') {
			this.#error(ctx, 'Permission denied');
			this.broadcast(
				this.#security('RequestNotAllowed', s, 'Error', {
					AccountID: s.user,
					SessionID: s.id,
					LocalAddress: s.localAddress,
					RemoteAddress: s.remoteAddress,
					RequestType: `Action: ${action}`
				})
			);
			return;
		}
		switch (name) {
			case 'login':
				return this.#login(ctx);
			case 'challenge':
				return this.#challenge(ctx);
			case 'logoff':
				this.#respond(ctx, 'Goodbye', { Message: 'Thanks for all the fish.' }, false);
				s.socket.end();
				return;
			case 'ping': {
				const now = this.model.clock.now();
				const ts = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
				return this.#respond(ctx, 'Success', { Ping: 'Pong', Timestamp: ts });
			}
			case 'events': {
				s.mask = parseMask(ctx.get('EventMask'));
				return this.#respond(ctx, 'Success', { Events: s.mask === 'none' ? 'Off' : 'On' });
			}
			case 'coresettings':
				return this.#respond(ctx, 'Success', {
					AMIversion: '11.0.0',
					AsteriskVersion: ASTERISK_VERSION,
					SystemName: '',
					CoreMaxCalls: '0',
					CoreMaxLoadAvg: '0.000000',
					CoreRunUser: '',
					CoreRunGroup: '',
					CoreMaxFilehandles: '0',
					CoreRealTimeEnabled: 'No',
					CoreCDRenabled: 'Yes',
					CoreHTTPenabled: 'No',
					SoundsSearchCustomDir: 'No'
				});
			case 'corestatus': {
				const start = new Date(this.model.startedAt).toISOString();
				return this.#respond(ctx, 'Success', {
					CoreStartupDate: start.slice(0, 10),
					CoreStartupTime: start.slice(11, 19),
					CoreReloadDate: start.slice(0, 10),
					CoreReloadTime: start.slice(11, 19),
					CoreCurrentCalls: String(new Set(this.model.channels().map((c) => c.linkedid)).size),
					CoreProcessedCalls: String(this.#processedCalls)
				});
			}
			case 'command':
				return this.#command(ctx);
			case 'status':
				return this.#status(ctx);
			case 'coreshowchannels':
				return this.#coreShowChannels(ctx);
			case 'queuestatus':
				return this.#queueStatus(ctx);
			case 'queuesummary':
				return this.#queueSummary(ctx);
			case 'originate':
				return this.#originate(ctx);
			case 'hangup':
				return this.#hangup(ctx);
			case 'setvar':
				return this.#setvar(ctx);
			case 'getvar':
				return this.#getvar(ctx);
			case 'playdtmf':
				return this.#playDtmf(ctx);
			case 'mixmonitor':
				return this.#mixMonitor(ctx);
			case 'stopmixmonitor':
				return this.#stopMixMonitor(ctx);
			case 'mixmonitormute':
				return this.#mixMonitorMute(ctx);
			case 'queuepause':
				return this.#queuePause(ctx);
			case 'queueadd':
				return this.#queueAdd(ctx);
			case 'queueremove':
				return this.#queueRemove(ctx);
			case 'queuepenalty':
				return this.#queuePenalty(ctx);
			default:
				this.#error(
					ctx,
					`Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`
				);
				this.broadcast(
					this.#security('RequestBadFormat', s, 'Error', {
						SessionID: s.id,
						LocalAddress: s.localAddress,
						RemoteAddress: s.remoteAddress,
						RequestType: `Action: ${action}`,
						SessionTV: eventTv(s.loginAt),
						AccountID: s.user
					})
				);
		}
	}

	#login(ctx: ActionContext): void {
		const s = ctx.session;
		const user = ctx.get('Username') ?? '';
		let ok = false;
		if ((ctx.get('AuthType') ?? '').toLowerCase() === 'md5') {
			const key = ctx.get('Key') ?? '';
			const expect =
				s.challenge === null
					? null
					: createHash('md5')
							.update(s.challenge + this.opts.secret)
							.digest('hex');
			ok = user === this.opts.username && expect !== null && key.toLowerCase() === expect;
		} else {
			ok = user === this.opts.username && ctx.get('Secret') === this.opts.secret;
		}
		if (!ok) {
			this.#respond(ctx, 'Error', { Message: 'Authentication failed' }, false);
			this.broadcast(
				this.#security(
					'InvalidPassword',
					s,
					'Error',
					{ AccountID: user, SessionID: s.id, LocalAddress: s.localAddress, RemoteAddress: s.remoteAddress },
					'2'
				)
			);
			s.socket.end();
			return;
		}
		s.user = user;
		s.authed = true;
		s.loginAt = this.model.clock.now();
		s.mask = parseMask(ctx.get('Events'));
		this.#respond(ctx, 'Success', { Message: 'Authentication accepted' }, false);
		if (s.wants(['system'])) {
			const now = this.model.clock.now();
			const up = String(Math.floor((now - this.model.startedAt) / 1000));
			s.response({
				...eventHead('FullyBooted', 'system,all'),
				Uptime: up,
				LastReload: up,
				Status: 'Fully Booted'
			});
		}
		this.broadcast(
			this.#security('SuccessfulAuth', s, 'Informational', {
				AccountID: user,
				SessionID: s.id,
				LocalAddress: s.localAddress,
				RemoteAddress: s.remoteAddress,
				UsingPassword: '0'
			})
		);
	}

	#challenge(ctx: ActionContext): void {
		if ((ctx.get('AuthType') ?? '').toLowerCase() !== 'md5') return this.#error(ctx, 'Must specify AuthType');
		ctx.session.challenge = String(this.#rng.int(100_000_000, 999_999_999));
		this.#respond(ctx, 'Success', { Challenge: ctx.session.challenge });
	}

	#command(ctx: ActionContext): void {
		const cmd = (ctx.get('Command') ?? '').trim().replace(/\s+/g, ' ');
		if (cmd === 'core show version') {
			return this.#respond(ctx, 'Success', { Message: 'Command output follows', Output: [VERSION_LINE] });
		}
		if (cmd === 'core show channels concise') {
			const now = this.model.clock.now();
			const lines = this.model
				.channels()
				.map((c) =>
					[
						c.name,
						c.context,
						c.exten,
						c.priority,
						c.state === 6
							? 'Up'
							: c.state === 5
								? 'Ringing'
								: c.state === 4
									? 'Ring'
									: c.state === 7
										? 'Busy'
										: 'Down',
						c.application,
						c.applicationData,
						c.callerNum === '<unknown>' ? '' : c.callerNum,
						c.accountCode,
						'',
						'3',
						Math.floor((now - c.createdAt) / 1000),
						c.bridgeId,
						c.uniqueid
					].join('!')
				);
			return this.#respond(ctx, 'Success', {
				Message: 'Command output follows',
				Output: lines.length === 0 ? [''] : lines
			});
		}
		this.#respond(ctx, 'Error', {
			Message: 'Command output follows',
			Output: [`No such command '${cmd}' (type 'core show help ${cmd}' for other possible commands)`]
		});
	}

	#list(
		ctx: ActionContext,
		message: string,
		items: SimFields[],
		complete: string,
		extra: SimFields = {}
	): void {
		this.#respond(ctx, 'Success', { EventList: 'start', Message: message }, false);
		for (const it of items) ctx.session.response(it);
		const done: SimFields = { Event: complete };
		if (ctx.actionId !== undefined) done.ActionID = ctx.actionId;
		done.EventList = 'Complete';
		done.ListItems = String(items.length);
		Object.assign(done, extra);
		ctx.session.response(done, Object.keys(extra).length > 0);
	}

	#status(ctx: ActionContext): void {
		const want = ctx.get('Channel');
		let chans = this.model.channels();
		if (want !== undefined && want !== '') {
			chans = chans.filter((c) => c.name === want);
			if (chans.length === 0) return this.#error(ctx, 'No such channel');
		}
		const now = this.model.clock.now();
		const items = chans.map((c) => {
			const f: SimFields = { Event: 'Status', Privilege: 'Call' };
			channelBlock(c, '', f);
			f.Type = c.tech;
			f.DNID = '';
			f.EffectiveConnectedLineNum = c.connNum;
			f.EffectiveConnectedLineName = c.connName;
			f.TimeToHangup = '0';
			f.BridgeID = c.bridgeId;
			f.Application = c.application;
			f.Data = c.applicationData;
			f.Nativeformats = '(ulaw)';
			f.Readformat = 'ulaw';
			f.Readtrans = '';
			f.Writeformat = 'ulaw';
			f.Writetrans = '';
			f.Callgroup = '0';
			f.Pickupgroup = '0';
			f.Seconds = String(Math.floor((now - c.createdAt) / 1000));
			if (ctx.actionId !== undefined) f.ActionID = ctx.actionId;
			return f;
		});
		this.#list(ctx, 'Channel status will follow', items, 'StatusComplete', { Items: String(items.length) });
	}

	#coreShowChannels(ctx: ActionContext): void {
		const now = this.model.clock.now();
		const items = this.model.channels().map((c: ChannelInfo) => {
			const f: SimFields = { Event: 'CoreShowChannel' };
			if (ctx.actionId !== undefined) f.ActionID = ctx.actionId;
			channelBlock(c, '', f);
			f.Application = c.application;
			f.ApplicationData = c.applicationData;
			f.Duration = hms((now - c.createdAt) / 1000);
			f.BridgeId = c.bridgeId;
			return f;
		});
		this.#list(ctx, 'Channels will follow', items, 'CoreShowChannelsComplete');
	}

	#queueStatus(ctx: ActionContext): void {
		const wantQ = ctx.get('Queue');
		const wantM = ctx.get('Member');
		const now = this.model.clock.now();
		const items: SimFields[] = [];
		const aid = ctx.actionId;
		const withId = (f: SimFields): SimFields => {
			if (aid !== undefined) f.ActionID = aid;
			return f;
		};
		for (const q of this.model.queues()) {
			if (wantQ !== undefined && wantQ !== '' && q.name !== wantQ) continue;
			items.push(
				withId({
					Event: 'QueueParams',
					Queue: q.name,
					Max: '0',
					Strategy: q.strategy,
					Calls: String(q.entries.length),
					Holdtime: String(q.holdTime),
					TalkTime: String(q.talkTime),
					Completed: String(q.completed),
					Abandoned: String(q.abandoned),
					ServiceLevel: String(q.serviceLevel),
					ServicelevelPerf: q.serviceLevelPerf.toFixed(1),
					ServicelevelPerf2: q.serviceLevelPerf.toFixed(1),
					Weight: '0'
				})
			);
			for (const m of q.members) {
				if (wantM !== undefined && wantM !== '' && m.iface !== wantM && m.memberName !== wantM) continue;
				items.push(queueMemberItem(m, aid));
			}
			if (wantM === undefined || wantM === '') {
				for (const e of q.entries) {
					items.push(
						withId({
							Event: 'QueueEntry',
							Queue: q.name,
							Position: String(e.position),
							Channel: e.channel.name,
							Uniqueid: e.channel.uniqueid,
							CallerIDNum: e.channel.callerNum,
							CallerIDName: e.channel.callerName,
							ConnectedLineNum: e.channel.connNum,
							ConnectedLineName: e.channel.connName,
							Wait: String(Math.floor((now - e.joinedAt) / 1000)),
							Priority: '0'
						})
					);
				}
			}
		}
		this.#list(ctx, 'Queue status will follow', items, 'QueueStatusComplete');
	}

	#queueSummary(ctx: ActionContext): void {
		const wantQ = ctx.get('Queue');
		const now = this.model.clock.now();
		const items: SimFields[] = [];
		for (const q of this.model.queues()) {
			if (wantQ !== undefined && wantQ !== '' && q.name !== wantQ) continue;
			const loggedIn = q.members.filter((m) => m.status !== 5 && m.status !== 4).length;
			const available = q.members.filter((m) => !m.paused && m.status === 1 && !m.inCall).length;
			const longest = q.entries.reduce((mx, e) => Math.max(mx, Math.floor((now - e.joinedAt) / 1000)), 0);
			const f: SimFields = {
				Event: 'QueueSummary',
				Queue: q.name,
				LoggedIn: String(loggedIn),
				Available: String(available),
				Callers: String(q.entries.length),
				HoldTime: String(q.holdTime),
				TalkTime: String(q.talkTime),
				LongestHoldTime: String(longest)
			};
			if (ctx.actionId !== undefined) f.ActionID = ctx.actionId;
			items.push(f);
		}
		this.#list(ctx, 'Queue summary will follow', items, 'QueueSummaryComplete');
	}

	#originate(ctx: ActionContext): void {
		const channel = ctx.get('Channel');
		if (channel === undefined || channel === '') return this.#error(ctx, 'Channel not specified');
		const application = ctx.get('Application');
		const exten = ctx.get('Exten');
		if ((application === undefined || application === '') && (exten === undefined || exten === '')) {
			return this.#error(ctx, 'Exten not specified');
		}
		const variables: Array<[string, string]> = [];
		for (const v of ctx.getAll('Variable')) {
			for (const part of v.split(',')) {
				const eq = part.indexOf('=');
				if (eq > 0) variables.push([part.slice(0, eq).trim(), part.slice(eq + 1)]);
			}
		}
		const timeout = Number(ctx.get('Timeout'));
		const priority = Number(ctx.get('Priority'));
		const async = isTrue(ctx.get('Async'));
		const session = ctx.session;
		this.#processedCalls++;
		if (async) this.#respond(ctx, 'Success', { Message: 'Originate successfully queued' });
		else {
			session.busy = true;
			session.hold();
		}
		this.model.originate({
			channel,
			context: ctx.get('Context'),
			exten,
			priority: Number.isFinite(priority) && priority > 0 ? priority : 1,
			application,
			data: ctx.get('Data'),
			callerId: ctx.get('CallerID'),
			variables,
			timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
			actionId: ctx.actionId,
			async,
			onResult: async
				? undefined
				: (r) => {
						if (r.response === 'Success')
							this.#respond(ctx, 'Success', { Message: 'Originate successfully queued' });
						else this.#error(ctx, 'Originate failed');
						session.busy = false;
						session.release();
						session.drain();
					}
		});
	}

	#hangup(ctx: ActionContext): void {
		const ch = ctx.get('Channel');
		if (ch === undefined || ch === '') return this.#error(ctx, 'No channel specified');
		const causeText = ctx.get('Cause');
		const cause = causeText !== undefined && /^\d+$/.test(causeText.trim()) ? Number(causeText) : undefined;
		if (ch.length > 2 && ch.startsWith('/') && ch.endsWith('/')) {
			let re: RegExp;
			try {
				re = new RegExp(ch.slice(1, -1));
			} catch {
				return this.#error(ctx, `Regex compile failed on: ${ch.slice(1, -1)}`);
			}
			const names = this.model
				.channels()
				.map((c) => c.name)
				.filter((n) => re.test(n));
			const items = names.map((n) => {
				const f: SimFields = { Event: 'ChannelHungup', Channel: n };
				if (ctx.actionId !== undefined) f.ActionID = ctx.actionId;
				return f;
			});
			this.#list(ctx, 'Channels hung up will follow', items, 'ChannelsHungupListComplete');
			for (const n of names) this.model.hangup(n, cause);
			return;
		}
		if (this.model.channel(ch) === undefined) return this.#error(ctx, 'No such channel');
		this.#respond(ctx, 'Success', { Message: 'Channel Hungup' });
		this.model.hangup(ch, cause);
	}

	#setvar(ctx: ActionContext): void {
		const variable = ctx.get('Variable');
		if (variable === undefined || variable === '') return this.#error(ctx, 'No variable specified');
		const value = ctx.get('Value') ?? '';
		const ch = ctx.get('Channel');
		if (ch !== undefined && ch !== '' && this.model.channel(ch) === undefined)
			return this.#error(ctx, 'No such channel');
		this.#respond(ctx, 'Success', { Message: 'Variable Set' });
		this.model.setVar(ch === undefined || ch === '' ? null : ch, variable, value);
	}

	#getvar(ctx: ActionContext): void {
		const variable = ctx.get('Variable');
		if (variable === undefined || variable === '') return this.#error(ctx, 'No variable specified');
		const ch = ctx.get('Channel');
		const v = this.model.getVar(ch === undefined || ch === '' ? null : ch, variable);
		if (v === null) return this.#error(ctx, 'No such channel');
		this.#respond(ctx, 'Success', { Variable: variable, Value: v });
	}

	#playDtmf(ctx: ActionContext): void {
		const ch = ctx.get('Channel') ?? '';
		const digit = ctx.get('Digit') ?? '';
		if (this.model.channel(ch) === undefined) return this.#error(ctx, 'Channel not found');
		if (digit === '') return this.#error(ctx, 'No digit specified');
		const duration = Number(ctx.get('Duration'));
		this.#respond(ctx, 'Success', { Message: 'DTMF successfully queued' });
		this.model.playDtmf(
			ch,
			digit.slice(0, 1),
			Number.isFinite(duration) && duration > 0 ? duration : 100,
			isTrue(ctx.get('Receive'))
		);
	}

	#mixMonitor(ctx: ActionContext): void {
		const ch = ctx.get('Channel');
		if (ch === undefined || ch === '') return this.#error(ctx, 'No channel specified');
		if (this.model.channel(ch) === undefined) return this.#error(ctx, 'No such channel');
		const file = ctx.get('File') ?? `${this.model.channel(ch)?.uniqueid ?? 'recording'}.wav`;
		this.#respond(ctx, 'Success');
		this.model.mixMonitor(ch, file);
	}

	#stopMixMonitor(ctx: ActionContext): void {
		const ch = ctx.get('Channel');
		if (ch === undefined || ch === '') return this.#error(ctx, 'No channel specified');
		if (this.model.channel(ch) === undefined) return this.#error(ctx, 'No such channel');
		this.#respond(ctx, 'Success');
		this.model.stopMixMonitor(ch);
	}

	#mixMonitorMute(ctx: ActionContext): void {
		const name = ctx.get('Channel');
		if (name === undefined || name === '') return this.#error(ctx, 'No channel specified');
		const ch = this.model.channel(name);
		if (ch === undefined) return this.#error(ctx, 'No such channel');
		this.#respond(ctx, 'Success');
		this.model.emit(
			channelEvent('MixMonitorMute', 'call,all', ch, {
				Direction: ctx.get('Direction') ?? 'both',
				State: isTrue(ctx.get('State')) ? '1' : '0'
			})
		);
	}

	#queuePause(ctx: ActionContext): void {
		const iface = ctx.get('Interface');
		const pausedText = ctx.get('Paused');
		if (iface === undefined || iface === '' || pausedText === undefined) {
			return this.#error(ctx, "Need 'Interface' and 'Paused' parameters.");
		}
		const paused = isTrue(pausedText);
		const req = { iface, paused, queue: ctx.get('Queue'), reason: ctx.get('Reason') };
		// respond first (events after the response), but only when the interface exists
		if (
			!this.model
				.queues()
				.some(
					(q) =>
						(req.queue === undefined || req.queue === '' || q.name === req.queue) &&
						q.members.some((m) => m.iface === iface)
				)
		) {
			return this.#error(ctx, 'Interface not found');
		}
		this.#respond(ctx, 'Success', {
			Message: paused ? 'Interface paused successfully' : 'Interface unpaused successfully'
		});
		this.model.queuePause(req);
	}

	#queueAdd(ctx: ActionContext): void {
		const queue = ctx.get('Queue');
		const iface = ctx.get('Interface');
		if (queue === undefined || queue === '' || iface === undefined || iface === '') {
			return this.#error(ctx, "'Queue' and 'Interface' not specified.");
		}
		const penalty = Number(ctx.get('Penalty'));
		const r = this.model.queueAdd({
			queue,
			iface,
			memberName: ctx.get('MemberName'),
			stateInterface: ctx.get('StateInterface'),
			penalty: Number.isFinite(penalty) && penalty >= 0 ? penalty : 0,
			paused: isTrue(ctx.get('Paused')),
			reason: ctx.get('Reason')
		});
		if (r === 'noqueue') return this.#error(ctx, 'Unable to add interface to queue: No such queue');
		if (r === 'exists') return this.#error(ctx, 'Unable to add interface: Already there');
		this.#respond(ctx, 'Success', { Message: 'Added interface to queue' });
	}

	#queueRemove(ctx: ActionContext): void {
		const queue = ctx.get('Queue');
		const iface = ctx.get('Interface');
		if (queue === undefined || queue === '' || iface === undefined || iface === '') {
			return this.#error(ctx, "Need 'Queue' and 'Interface' parameters.");
		}
		const r = this.model.queueRemove({ queue, iface });
		if (r === 'noqueue') return this.#error(ctx, 'Unable to remove interface from queue: No such queue');
		if (r === 'notthere') return this.#error(ctx, 'Unable to remove interface: Not there');
		this.#respond(ctx, 'Success', { Message: 'Removed interface from queue' });
	}

	#queuePenalty(ctx: ActionContext): void {
		const iface = ctx.get('Interface');
		const penalty = Number(ctx.get('Penalty'));
		if (iface === undefined || iface === '' || !Number.isFinite(penalty)) {
			return this.#error(ctx, "Need 'Interface' and 'Penalty' parameters.");
		}
		const n = this.model.queuePenalty({ iface, penalty, queue: ctx.get('Queue') });
		if (n === 0) return this.#error(ctx, 'Invalid interface, queuename or penalty');
		this.#respond(ctx, 'Success', { Message: 'Interface penalty set successfully' });
	}
}

/** 127.0.0.0/8, ::1, localhost */
export function isLoopback(host: string): boolean {
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Start the simulator (loopback only); resolves once listening. */
export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
	const host = opts.host ?? '127.0.0.1';
	if (!isLoopback(host)) throw new Error(`the AMI simulator only listens on loopback, not ${host}`);
	const sim = new SimServer(opts);
	const server = net.createServer((socket) => sim.accept(socket));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const addr = server.address();
	const port = typeof addr === 'object' && addr !== null ? addr.port : (opts.port ?? 0);
	const garbageRng = createRng((opts.seed ?? 1) ^ 0x9a7ba6e);
	let closed: Promise<void> | null = null;

	const faults: SimulatorFaults = {
		drop() {
			for (const s of sim.sessions) s.socket.destroy();
		},
		stall(ms) {
			const targets = [...sim.sessions];
			for (const s of targets) s.stall();
			return new Promise<void>((resolve) => {
				setTimeout(() => {
					for (const s of targets) s.resume();
					resolve();
				}, ms);
			});
		},
		halfOpen() {
			for (const s of sim.sessions) s.goHalfOpen();
		},
		garbage(bytes = 256) {
			for (const s of sim.sessions) {
				const buf = Buffer.alloc(bytes + 4);
				for (let i = 0; i < bytes; i++) buf[i] = garbageRng.int(0, 255);
				buf.write('\r\n\r\n', bytes, 'latin1');
				s.raw(buf);
			}
		}
	};

	return {
		host,
		port,
		url: `ami://${encodeURIComponent(opts.username)}:${encodeURIComponent(opts.secret)}@${host}:${port}`,
		model: sim.model,
		faults,
		sessionCount: () => sim.sessions.size,
		flushRecordings: () => sim.flushRecordings(),
		close() {
			closed ??= (async () => {
				sim.stop();
				for (const s of sim.sessions) s.socket.destroy();
				await new Promise<void>((resolve) => server.close(() => resolve()));
				await sim.flushRecordings();
			})();
			return closed;
		}
	};
}
