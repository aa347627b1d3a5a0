/**
 * The Socket.IO hub (DESIGN §3): websocket only, session-cookie auth, one room per scope, a
 * snapshot on subscribe, versioned patches at most every 100 ms, and a fresh snapshot instead of
 * a backlog for a client that falls behind. Every command re-checks role and team scope here.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type {
	Ack,
	ClientToServerEvents,
	ErrorBody,
	FloorSnapshot,
	HubHealth,
	MonitorMode,
	QueueMemberRequest,
	RingTo,
	ServerToClientEvents,
	SocketUser
} from '../../src/lib/protocol';
import { attachImports } from './imports';
import { attachFloorcharts, type FloorchartsHub } from './floorcharts';
import { FloorMirror, type FloorBatch } from './mirror';
import { registerQueueHandlers } from './queues';
import { canSupervise, scopeFor, scopeRoom, type Scope } from './scope';

export interface SocketData {
	user: SocketUser;
	scope: Scope | null;
	lagging: boolean;
	/** cockpit: the teams this supervisor watches on the floor page (presence), unset when not on it */
	presence?: { teams: string[] };
}

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Commands run where the AMI links are (the leader); the hub only validates and authorises. */
export interface HubCommands {
	pause(actor: SocketUser, agentId: string, reason: string): Promise<void>;
	unpause(actor: SocketUser, agentId: string): Promise<void>;
	monitorStart(actor: SocketUser, agentId: string, mode: MonitorMode, ringTo: RingTo): Promise<{ monitorId: string }>;
	monitorSwitch(actor: SocketUser, monitorId: string, mode: MonitorMode): Promise<void>;
	monitorStop(actor: SocketUser, monitorId: string): Promise<void>;
	/** click-to-call: the agent's phone first, then the lead's phone; the claim is checked where it runs */
	dial(actor: SocketUser, leadId: string, phoneId: string): Promise<{ callId: string }>;
	hangup(actor: SocketUser, callId: string): Promise<void>;
	/** a supervisor's queue membership change for an agent of their teams */
	queueMember(actor: SocketUser, request: QueueMemberRequest): Promise<void>;
	/** cockpit: an agent's raised hand (the floor state lives on the leader) */
	hand(actor: SocketUser, agentId: string, raised: boolean): Promise<void>;
	/** cockpit: remove the agent from every queue they are a member of */
	logoff(actor: SocketUser, agentId: string): Promise<{ queues: number }>;
}

export interface HubDeps {
	authenticate(cookieHeader: string | undefined): Promise<SocketUser | null>;
	commands: HubCommands;
	now?: () => number;
	/** socket.io adapter constructor (Redis streams in a cluster); in-process when absent */
	adapter?: Parameters<HubServer['adapter']>[0];
	/** outgoing packets queued on one socket beyond which it gets a snapshot instead of patches */
	maxBufferedPackets?: number;
	log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface Hub {
	io: HubServer;
	mirror: FloorMirror;
	/** apply one engine batch and send each scope its part */
	publish(batch: FloorBatch): boolean;
	/** replace the whole floor (start, or after a gap) and re-send snapshots */
	load(full: Omit<FloorSnapshot, 'version'> & { seq: number }): void;
	/** called after every batch or load was applied to the mirror (cockpit: the agents' coaching notice) */
	onApplied(listener: () => void): void;
	/** live charts and colour thresholds (floorcharts) */
	floorcharts: FloorchartsHub;
	/** what every socket of this node is told about its health (sent on connect and on change) */
	readonly health: HubHealth;
	setHealth(health: HubHealth): void;
	close(): Promise<void>;
}

export class CommandError extends Error {
	constructor(
		readonly code: ErrorBody['code'],
		message: string
	) {
		super(message);
	}
}

const modeSchema = z.enum(['listen', 'whisper', 'barge']);
const ringToSchema = z.union([
	z.literal('endpoint'),
	z.literal('mobile'),
	z.object({ number: z.string().regex(/^\+?[0-9]{3,20}$/, 'a phone number, digits only') })
]);
const schemas = {
	subscribe: z.object({ teams: z.array(z.string()).max(100).optional(), projects: z.array(z.string()).max(100).optional() }),
	// the reason becomes an AMI header value (QueuePause Reason): no CR/LF or other control characters
	// eslint-disable-next-line no-control-regex
	pause: z.object({ agentId: z.string().min(1), reason: z.string().trim().min(1).max(40).regex(/^[^\x00-\x1f\x7f]*$/, 'no line breaks or control characters') }),
	agent: z.object({ agentId: z.string().min(1) }),
	monitorStart: z.object({ agentId: z.string().min(1), mode: modeSchema, ringTo: ringToSchema }),
	monitorSwitch: z.object({ monitorId: z.string().min(1), mode: modeSchema }),
	monitor: z.object({ monitorId: z.string().min(1) }),
	dial: z.object({ leadId: z.string().uuid(), phoneId: z.string().uuid() }),
	hangup: z.object({ callId: z.string().uuid() })
};

export function failure(err: unknown): Ack<never> {
	if (err instanceof CommandError) return { ok: false, error: { code: err.code, message: err.message } };
	if (err instanceof z.ZodError) {
		const i = err.issues[0];
		return { ok: false, error: { code: 'bad_request', message: `${i?.path.join('.') || 'request'}: ${i?.message}` } };
	}
	return { ok: false, error: { code: 'internal', message: 'the command failed' } };
}

export function attachRealtime(httpServer: HttpServer, deps: HubDeps): Hub {
	const now = deps.now ?? Date.now;
	const maxBuffered = deps.maxBufferedPackets ?? 64;
	const io: HubServer = new Server(httpServer, {
		transports: ['websocket'],
		serveClient: false,
		pingInterval: 10_000,
		pingTimeout: 8_000,
		maxHttpBufferSize: 64 * 1024
	});
	if (deps.adapter) io.adapter(deps.adapter);
	const detachImports = attachImports(io);
	const mirror = new FloorMirror();
	/** scope room → scope, with the number of local sockets in it */
	const scopes = new Map<string, { scope: Scope; count: number }>();
	const applied: (() => void)[] = [];
	let health: HubHealth = { degraded: null };

	io.use(async (socket, next) => {
		try {
			const user = await deps.authenticate(socket.handshake.headers.cookie);
			if (!user) return next(new Error('unauthorized'));
			socket.data = { user, scope: null, lagging: false };
			next();
		} catch {
			next(new Error('unavailable'));
		}
	});

	function join(socket: HubSocket, scope: Scope) {
		leave(socket);
		const room = scopeRoom(scope);
		socket.data.scope = scope;
		void socket.join(room);
		const entry = scopes.get(room);
		if (entry) entry.count++;
		else scopes.set(room, { scope, count: 1 });
	}

	function leave(socket: HubSocket) {
		const scope = socket.data.scope;
		if (!scope) return;
		const room = scopeRoom(scope);
		void socket.leave(room);
		socket.data.scope = null;
		const entry = scopes.get(room);
		if (entry && --entry.count <= 0) scopes.delete(room);
	}

	/** a supervisor may narrow the view to some of their teams; managers to any teams */
	function requestedScope(user: SocketUser, teams: string[] | undefined): Scope {
		const base = scopeFor(user);
		if (!teams?.length || base.kind === 'agent') return base;
		const allowed = base.kind === 'all' ? teams : teams.filter((t) => base.teamIds.includes(t));
		return { kind: 'teams', teamIds: [...new Set(allowed)].sort() };
	}

	function supervisedAgent(user: SocketUser, agentId: string) {
		const agent = mirror.agent(agentId);
		if (!agent) throw new CommandError('not_found', 'no such agent on the floor');
		if (!canSupervise(user, agent)) throw new CommandError('forbidden', 'this agent is not in your teams');
		return agent;
	}

	function supervisedMonitor(user: SocketUser, monitorId: string) {
		const monitor = mirror.monitor(monitorId);
		if (!monitor) throw new CommandError('not_found', 'no such monitoring session');
		supervisedAgent(user, monitor.agentId);
		return monitor;
	}

	function requireSupervisor(user: SocketUser) {
		if (user.role === 'agent') throw new CommandError('forbidden', 'supervisors only');
	}

	io.on('connection', (socket: HubSocket) => {
		const user = socket.data.user;
		socket.emit('hub:health', health);

		socket.on('floor:subscribe', (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				const { teams } = schemas.subscribe.parse(request ?? {});
				const scope = requestedScope(user, teams);
				join(socket, scope);
				socket.data.lagging = false;
				ack({ ok: true, data: mirror.snapshotFor(scope, now()) });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('floor:snapshot', (ack) => {
			if (typeof ack !== 'function') return;
			const scope = socket.data.scope ?? scopeFor(user);
			socket.data.lagging = false;
			ack({ ok: true, data: mirror.snapshotFor(scope, now()) });
		});

		socket.on('agent:pause', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				const { agentId, reason } = schemas.pause.parse(request);
				if (user.role === 'agent' && agentId !== user.id) throw new CommandError('forbidden', 'agents pause only themselves');
				if (user.role !== 'agent') supervisedAgent(user, agentId);
				await deps.commands.pause(user, agentId, reason);
				ack({ ok: true, data: null });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('agent:unpause', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				const { agentId } = schemas.agent.parse(request);
				if (user.role === 'agent' && agentId !== user.id) throw new CommandError('forbidden', 'agents unpause only themselves');
				if (user.role !== 'agent') supervisedAgent(user, agentId);
				await deps.commands.unpause(user, agentId);
				ack({ ok: true, data: null });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('monitor:start', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				requireSupervisor(user);
				const { agentId, mode, ringTo } = schemas.monitorStart.parse(request);
				supervisedAgent(user, agentId);
				ack({ ok: true, data: await deps.commands.monitorStart(user, agentId, mode, ringTo) });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('monitor:switch', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				requireSupervisor(user);
				const { monitorId, mode } = schemas.monitorSwitch.parse(request);
				supervisedMonitor(user, monitorId);
				await deps.commands.monitorSwitch(user, monitorId, mode);
				ack({ ok: true, data: null });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('monitor:stop', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				requireSupervisor(user);
				const { monitorId } = schemas.monitor.parse(request);
				supervisedMonitor(user, monitorId);
				await deps.commands.monitorStop(user, monitorId);
				ack({ ok: true, data: null });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('call:dial', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				if (user.role !== 'agent') throw new CommandError('forbidden', 'only agents place calls from their workstation');
				const { leadId, phoneId } = schemas.dial.parse(request);
				ack({ ok: true, data: await deps.commands.dial(user, leadId, phoneId) });
			} catch (err) {
				ack(failure(err));
			}
		});

		socket.on('call:hangup', async (request, ack) => {
			if (typeof ack !== 'function') return;
			try {
				if (user.role !== 'agent') throw new CommandError('forbidden', 'only agents hang up their own calls');
				const { callId } = schemas.hangup.parse(request);
				await deps.commands.hangup(user, callId);
				ack({ ok: true, data: null });
			} catch (err) {
				ack(failure(err));
			}
		});

		registerQueueHandlers(socket, { user, supervisedAgent, commands: deps.commands });

		socket.on('disconnect', () => leave(socket));
	});

	/** Local sockets of a room that cannot keep up get no patches; they get a snapshot once drained. */
	function laggards(room: string): string[] {
		const out: string[] = [];
		for (const id of io.of('/').adapter.rooms.get(room) ?? []) {
			const s = io.of('/').sockets.get(id) as HubSocket | undefined;
			if (!s) continue;
			// engine.io keeps unsent packets in writeBuffer (not in its public types)
			const buffered = (s.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
			if (s.data.lagging) {
				if (buffered === 0 && s.data.scope) {
					s.data.lagging = false;
					s.emit('floor:snapshot', mirror.snapshotFor(s.data.scope, now()));
				}
				out.push(id);
			} else if (buffered > maxBuffered) {
				s.data.lagging = true;
				deps.log?.warn({ socket: id, buffered }, 'slow client: sending a snapshot when it catches up');
				out.push(id);
			}
		}
		return out;
	}

	function resendSnapshots() {
		for (const { scope } of scopes.values()) {
			io.local.to(scopeRoom(scope)).emit('floor:snapshot', mirror.snapshotFor(scope, now()));
		}
	}

	return {
		io,
		mirror,
		floorcharts: attachFloorcharts(io, mirror, deps.adapter !== undefined),
		publish(batch) {
			const messages = mirror.apply(
				batch,
				[...scopes.values()].map((e) => e.scope)
			);
			if (messages === false) return false;
			for (const [room, message] of messages) {
				const skip = laggards(room);
				const target = io.local.to(room);
				(skip.length ? target.except(skip) : target).emit('floor:patch', message);
			}
			for (const listener of applied) listener();
			return true;
		},
		load(full) {
			mirror.load(full, full.seq);
			resendSnapshots();
			for (const listener of applied) listener();
		},
		onApplied(listener) {
			applied.push(listener);
		},
		get health() {
			return health;
		},
		setHealth(next) {
			health = next;
			// local: the notice is about this node, and with Redis away a cluster-wide emit would wait for it
			io.local.emit('hub:health', health);
		},
		async close() {
			detachImports();
			// local: with the Redis adapter a plain disconnectSockets() would drop every node's clients
			io.local.disconnectSockets(true);
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	};
}
