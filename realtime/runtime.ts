/**
 * Everything live next to the HTTP server. Every node runs the hub (sockets, mirror of the floor).
 * The leader — always this node without REDIS_URL, the holder of the Redis lock with it — also
 * runs the AMI links (or the built-in simulator when AMI_URL is unset, reached over loopback TCP
 * exactly like a real PBX), the floor engine and persistence. Followers mirror the leader's batches
 * and forward commands to it. Shared by the production entry and the Vite dev plugin.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { eq } from 'drizzle-orm';
import { createClient } from 'redis';
import type { MonitorMode, QueueMemberRequest, RingTo, SocketUser } from '../src/lib/protocol';
import type { Services } from '../src/lib/server/app';
import { audit } from '../src/lib/server/audit';
import { users } from '../src/lib/server/db/schema';
import { floorDirectory } from '../src/lib/server/users';
import { startProgressSnapshots } from '../src/lib/server/reports/progress-snapshots';
import { dialTarget } from '../src/lib/server/leads/dial';
import { callbackNumbers } from '../src/lib/server/demo/inbound';
import { changeMember, InboundConflictError, listQueues, loadDesiredMembership, onInboundChanged, serviceLevelSettings } from '../src/lib/server/inbound/repo';
import { QueueReconciler } from './queues/reconcile';
import { AmiClient, type AmiLogger } from './ami/client';
import { FLOOR_EVENT_NAMES, normalizeEvent, type PbxEvent } from './ami/normalize';
import type { AmiMessage } from './ami/parser';
import { parseAmiUrls, type AmiLinkConfig } from './ami/url';
import { createCommands } from './commands';
import { attachRealtime, CommandError, type Hub, type HubCommands } from './hub';
import { sessionAuthenticator } from './hub/auth';
import { registerCockpit, type Cockpit } from './hub/cockpit';
import { FloorEngine } from './hub/engine';
import { createClusterBus, LeaderUnavailableError, RemoteCommandError, type ClusterBus } from './leader/cluster';
import { LeaderLock } from './leader/lock';
import { FloorchartsSource } from './floorcharts/source';
import { FloorPersister } from './persist';
import { loadAgentZones } from '../src/lib/server/reports/agent-zones';
import { startSimulator, type SimulatorHandle } from './simulator/server';
import type { DirectoryAgent } from './state';

const DIRECTORY_REFRESH_MS = 10_000;
/** the simulator's callers who call back are re-read this often (leads missed since call back too) */
const CALLBACK_REFRESH_MS = 60_000;

/** What only the leader runs. */
export interface LeaderRole {
	engine: FloorEngine;
	persister: FloorPersister;
	/** live charts and colour thresholds, published once for all viewers */
	charts: FloorchartsSource;
	simulator: SimulatorHandle | null;
	links: Map<string, AmiClient>;
	commands: HubCommands;
	stop(): Promise<void>;
}

export interface RealtimeRuntime {
	hub: Hub;
	/** alerts, messages, presence, notes (issue 5) */
	cockpit: Cockpit;
	nodeId: string;
	/** this node's leader role, null while it follows */
	readonly leader: LeaderRole | null;
	close(): Promise<void>;
}

export interface RealtimeOptions {
	/** leader lock timing (tests) */
	lock?: { ttlMs?: number; renewMs?: number; key?: string };
	/** Redis key prefix for the adapter and the lock, so several clusters can share one Redis (tests) */
	redisPrefix?: string;
}

function amiLogger(log: Services['log'], pbx: string): AmiLogger {
	const child = log.child({ pbx });
	return {
		debug: (msg, data) => child.debug(data ?? {}, msg),
		info: (msg, data) => child.info(data ?? {}, msg),
		warn: (msg, data) => child.warn(data ?? {}, msg),
		error: (msg, data) => child.error(data ?? {}, msg)
	};
}

function normalizeAll(items: AmiMessage[]): PbxEvent[] {
	const out: PbxEvent[] = [];
	for (const item of items) {
		const ev = normalizeEvent(item);
		if (ev) out.push(ev);
	}
	return out;
}

function extensionOf(endpoint: string): string {
	return endpoint.split('/').pop() ?? endpoint;
}

/** Starts the AMI links, engine and persistence; publishes every batch through `publish`. */
async function startLeaderRole(
	services: Services,
	hub: Hub,
	publish: (batch: Parameters<Hub['publish']>[0]) => void
): Promise<LeaderRole> {
	const { config, log, database } = services;
	const db = database.db;

	let simulator: SimulatorHandle | null = null;
	let linkConfigs: AmiLinkConfig[];
	const initialAgents = await floorDirectory(db);
	if (config.AMI_URL) {
		linkConfigs = parseAmiUrls(config.AMI_URL);
	} else {
		// SB_SIM_AMI_URL pins the loopback port and credentials (scripts, e2e tests); else random ones
		const fixed = config.SB_SIM_AMI_URL ? parseAmiUrls(config.SB_SIM_AMI_URL)[0] : undefined;
		const username = fixed?.username ?? 'switchboard';
		const secret = fixed?.secret ?? randomBytes(18).toString('base64url');
		// Queues Switchboard manages start empty, as dynamic members only exist once added over AMI.
		const managed = new Set((await listQueues(db)).map((q) => q.name));
		const simQueues = [
			{ name: 'sales', monitorFormat: 'wav' as const },
			{ name: 'support', monitorFormat: 'wav' as const, members: initialAgents.filter((_, i) => i % 2 === 1).map((a) => a.endpoint) }
		].map((q) => (managed.has(q.name) ? { ...q, members: [] } : q));
		simulator = await startSimulator({
			agents: initialAgents.map((a) => ({ endpoint: a.endpoint, name: a.name, extension: extensionOf(a.endpoint) })),
			queues: simQueues,
			host: fixed?.host,
			port: fixed?.port,
			username,
			secret,
			bots: true,
			botProfile: { inboundLeadShare: config.SB_SIM_CALLBACK_SHARE, inboundLeadNumbers: await callbackNumbers(db) },
			recordingsDir: path.join(config.dataDir, 'recordings')
		});
		linkConfigs = [{ name: 'sim', host: simulator.host, port: simulator.port, username, secret }];
		log.info({ port: simulator.port, agents: initialAgents.length }, 'built-in PBX simulator listening on loopback (AMI_URL unset)');
	}
	// Agents belong to the first PBX until users carry a PBX of their own.
	const defaultPbx = linkConfigs[0]!.name;

	// agents' days in the rollups follow their project's zone (agent-zones.ts), read now and every minute
	const zones = { current: await loadAgentZones(db).catch(() => new Map<string, string>()) };
	const zonesTimer = setInterval(() => {
		loadAgentZones(db).then(
			(z) => (zones.current = z),
			(err: unknown) => log.warn({ err }, 'agent time zones could not be read; keeping the last ones')
		);
	}, 60_000);
	zonesTimer.unref();
	const persister = new FloorPersister({ db, log: log.child({ part: 'persist' }), timezone: (id) => zones.current.get(id) ?? 'UTC' });
	const stopProgressSnapshots = startProgressSnapshots(db, log.child({ part: 'reports' }));
	const charts = new FloorchartsSource({ db, sink: hub.floorcharts, log: log.child({ part: 'floorcharts' }) });
	void charts.start().catch((err: unknown) => log.error({ err }, 'floor charts could not start'));
	const engine = new FloorEngine({
		onBatch: (batch) => publish(batch),
		onEffects: (effects) => {
			persister.push(effects);
			for (const e of effects) if (e.kind === 'call') charts.onCall(e.call);
		},
		onError: (err, input) => log.error({ err, input: input.type }, 'floor reducer rejected an input')
	});

	let directory = new Map<string, DirectoryAgent>();
	function setDirectory(rows: Awaited<ReturnType<typeof floorDirectory>>): void {
		const next = new Map(rows.map((a) => [a.id, { ...a, pbx: defaultPbx }]));
		const changed =
			next.size !== directory.size ||
			[...next.values()].some((a) => {
				const b = directory.get(a.id);
				return !b || b.name !== a.name || b.endpoint !== a.endpoint || b.teamIds.join() !== a.teamIds.join();
			});
		if (!changed) return;
		directory = next;
		engine.input({ type: 'directory', agents: [...next.values()] });
		for (const a of next.values()) simulator?.model.addAgent({ endpoint: a.endpoint, name: a.name, extension: extensionOf(a.endpoint) }, {});
	}
	setDirectory(initialAgents);

	const links = new Map<string, AmiClient>();
	// Skill-based membership of the managed queues: applied after every login and every change.
	const reconciler = new QueueReconciler({ links: () => links, load: () => loadDesiredMembership(db), log: log.child({ part: 'queues' }) });
	const pushServiceLevels = () =>
		serviceLevelSettings(db)
			.then((serviceLevels) => engine.input({ type: 'queueSettings', serviceLevels }))
			.catch((err: unknown) => log.warn({ err }, 'queue settings could not be read'));
	await pushServiceLevels();
	const stopWatchingInbound = onInboundChanged(() => {
		reconciler.schedule();
		void pushServiceLevels();
	});
	for (const cfg of linkConfigs) {
		const pbx = cfg.name;
		/** events that arrive while the lists of a resync are read: applied right after them */
		let heldEvents: PbxEvent[] | null = null;
		const client = new AmiClient({
			...cfg,
			logger: amiLogger(log, pbx),
			eventFilter: (name) => FLOOR_EVENT_NAMES.has(name),
			// After every (re)login the PBX's part of the floor is rebuilt from its own lists.
			onLogin: async (c) => {
				// Events keep flowing while the lists are read. Applied before the lists, a Hangup that
				// the list was taken too early to reflect would be undone by it (the channel would live on
				// on the board until the next resync); applied after, in order, they bring the list up to date.
				const held: PbxEvent[] = [];
				heldEvents = held;
				try {
					const [channels, queues] = await Promise.all([
						c.actionList({ Action: 'CoreShowChannels' }),
						c.actionList({ Action: 'QueueStatus' })
					]);
					engine.input({ type: 'resync', pbx, channels: normalizeAll(channels.items), queueItems: normalizeAll(queues.items) });
				} finally {
					heldEvents = null;
					for (const event of held) engine.input({ type: 'ami', pbx, event });
				}
				void reconciler.run(pbx).catch((err: unknown) => log.warn({ pbx, err }, 'queue membership not applied'));
			}
		});
		client.on('event', (msg) => {
			const event = normalizeEvent(msg);
			if (event === null) return;
			if (heldEvents !== null) heldEvents.push(event);
			else engine.input({ type: 'ami', pbx, event });
		});
		client.on('status', (s) => engine.input({ type: 'link', pbx, connected: s.connected }));
		client.on('error', (err) => log.warn({ pbx, err: err.message }, 'AMI link error'));
		links.set(pbx, client);
		client.start();
	}

	const refresh = setInterval(() => {
		floorDirectory(db)
			.then(setDirectory)
			.catch((err: unknown) => log.warn({ err }, 'agent directory refresh failed'));
	}, DIRECTORY_REFRESH_MS);
	refresh.unref();
	const sim = simulator;
	const callbacks =
		sim === null
			? null
			: setInterval(() => {
					callbackNumbers(db)
						.then((numbers) => sim.model.bots.setInboundLeadNumbers(numbers))
						.catch((err: unknown) => log.warn({ err }, 'simulator callers could not be refreshed'));
				}, CALLBACK_REFRESH_MS);
	callbacks?.unref();

	const amiCommands = createCommands({
		link: (pbx) => links.get(pbx),
		directory: () => directory,
		async supervisorPhones(userId) {
			const [u] = await db.select({ endpoint: users.endpoint, mobile: users.mobile }).from(users).where(eq(users.id, userId));
			return { endpoint: u?.endpoint ?? null, mobile: u?.mobile ?? null };
		},
		monitor: (id) => hub.mirror.monitor(id),
		input: (input) => engine.input(input),
		async dialTarget(agentId, leadId, phoneId) {
			const r = await dialTarget(db, agentId, leadId, phoneId, services.clock.now());
			if (r.ok) return r.target;
			if (r.reason === 'not_claimed') throw new CommandError('forbidden', 'take this lead with Next before calling it');
			if (r.reason === 'no_phone') throw new CommandError('not_found', 'no such phone on this lead');
			if (r.reason === 'blocked') throw new CommandError('forbidden', 'this lead is blocked: it is never called again');
			throw new CommandError('bad_request', r.reason === 'dnc' ? 'this number is on the do-not-call list' : 'this number is marked wrong');
		},
		agentCall: (agentId) => hub.mirror.agent(agentId)?.call ?? null,
		humanAt(endpoint) {
			if (!simulator?.model.isBot(endpoint)) return false;
			simulator.model.setBot(endpoint, false);
			return true;
		},
		audit: (actorId, action, target, details) => audit(db, { actorId, action, target, details })
	});

	const commands: HubCommands = {
		...amiCommands,
		async queueMember(actor, request) {
			try {
				// stored here, on the leader, so the change signal reconciles the PBX at once
				await changeMember(db, request.queue, request.agentId, request.change, { id: actor.id });
			} catch (err) {
				if (err instanceof InboundConflictError) throw new CommandError('bad_request', err.message);
				throw err;
			}
		},
		async logoff(actor, agentId) {
			const result = await amiCommands.logoff(actor, agentId);
			// Queues Switchboard manages would take the agent back at the next reconcile: keep them
			// out (a supervisor's override, undone with "Back to skills") like the PBX now has them.
			for (const q of await listQueues(db)) {
				await changeMember(db, q.name, agentId, { kind: 'remove' }, { id: actor.id });
			}
			return result;
		}
	};

	return {
		engine,
		persister,
		charts,
		simulator,
		links,
		commands,
		async stop() {
			clearInterval(refresh);
			if (callbacks !== null) clearInterval(callbacks);
			stopProgressSnapshots();
			clearInterval(zonesTimer);
			stopWatchingInbound();
			reconciler.close();
			charts.stop();
			await Promise.all([...links.values()].map((c) => c.close()));
			engine.close();
			await persister.close().catch((err: unknown) => log.error({ err }, 'unsaved floor facts at shutdown'));
			await simulator?.close();
		}
	};
}

/** Command names on the cluster bus, with their payloads. */
type ForwardedCommand =
	| { name: 'pause'; actor: SocketUser; agentId: string; reason: string }
	| { name: 'unpause'; actor: SocketUser; agentId: string }
	| { name: 'monitorStart'; actor: SocketUser; agentId: string; mode: MonitorMode; ringTo: RingTo }
	| { name: 'monitorSwitch'; actor: SocketUser; monitorId: string; mode: MonitorMode }
	| { name: 'monitorStop'; actor: SocketUser; monitorId: string }
	| { name: 'dial'; actor: SocketUser; leadId: string; phoneId: string }
	| { name: 'hangup'; actor: SocketUser; callId: string }
	| { name: 'queueMember'; actor: SocketUser; request: QueueMemberRequest }
	| { name: 'hand'; actor: SocketUser; agentId: string; raised: boolean }
	| { name: 'logoff'; actor: SocketUser; agentId: string }
	/** the agent recorded their call's outcome on the workstation (an HTTP form action, not a socket command) */
	| { name: 'outcomeRecorded'; agentId: string };

function runCommand(role: LeaderRole, c: ForwardedCommand): Promise<unknown> {
	const commands = role.commands;
	switch (c.name) {
		case 'pause':
			return commands.pause(c.actor, c.agentId, c.reason);
		case 'unpause':
			return commands.unpause(c.actor, c.agentId);
		case 'monitorStart':
			return commands.monitorStart(c.actor, c.agentId, c.mode, c.ringTo);
		case 'monitorSwitch':
			return commands.monitorSwitch(c.actor, c.monitorId, c.mode);
		case 'monitorStop':
			return commands.monitorStop(c.actor, c.monitorId);
		case 'dial':
			return commands.dial(c.actor, c.leadId, c.phoneId);
		case 'hangup':
			return commands.hangup(c.actor, c.callId);
		case 'queueMember':
			return commands.queueMember(c.actor, c.request);
		case 'hand':
			return commands.hand(c.actor, c.agentId, c.raised);
		case 'logoff':
			return commands.logoff(c.actor, c.agentId);
		case 'outcomeRecorded':
			role.engine.input({ type: 'wrapupDone', agentId: c.agentId });
			return Promise.resolve(null);
	}
}

export async function startRealtime(server: Server, services: Services, options: RealtimeOptions = {}): Promise<RealtimeRuntime> {
	const { config, log, database } = services;
	const nodeId = randomUUID();
	let leader: LeaderRole | null = null;
	let bus: ClusterBus | null = null;

	/** Runs a command here when leading, else on the leader through the bus. */
	async function route(command: ForwardedCommand): Promise<unknown> {
		if (leader) return runCommand(leader, command);
		if (!bus) throw new CommandError('unavailable', 'the live floor is starting');
		try {
			return await bus.forward(command.name, command);
		} catch (err) {
			if (err instanceof LeaderUnavailableError) throw new CommandError('unavailable', err.message);
			if (err instanceof RemoteCommandError) {
				const code = ['forbidden', 'not_found', 'bad_request', 'unavailable'].includes(err.code ?? '') ? (err.code as 'forbidden') : 'internal';
				throw new CommandError(code, err.message);
			}
			throw err;
		}
	}

	const routed: HubCommands = {
		pause: (actor, agentId, reason) => route({ name: 'pause', actor, agentId, reason }).then(() => undefined),
		unpause: (actor, agentId) => route({ name: 'unpause', actor, agentId }).then(() => undefined),
		monitorStart: (actor, agentId, mode, ringTo) =>
			route({ name: 'monitorStart', actor, agentId, mode, ringTo }) as Promise<{ monitorId: string }>,
		monitorSwitch: (actor, monitorId, mode) => route({ name: 'monitorSwitch', actor, monitorId, mode }).then(() => undefined),
		monitorStop: (actor, monitorId) => route({ name: 'monitorStop', actor, monitorId }).then(() => undefined),
		dial: (actor, leadId, phoneId) => route({ name: 'dial', actor, leadId, phoneId }) as Promise<{ callId: string }>,
		hangup: (actor, callId) => route({ name: 'hangup', actor, callId }).then(() => undefined),
		queueMember: (actor, request) => route({ name: 'queueMember', actor, request }).then(() => undefined),
		hand: (actor, agentId, raised) => route({ name: 'hand', actor, agentId, raised }).then(() => undefined),
		logoff: (actor, agentId) => route({ name: 'logoff', actor, agentId }) as Promise<{ queues: number }>
	};

	// ── Redis: adapter + lock (cluster), or nothing (one process) ──
	type Redis = ReturnType<typeof createClient>;
	let adapterClient: Redis | null = null;
	let lockClient: Redis | null = null;
	const prefix = options.redisPrefix ?? 'sb';
	if (config.REDIS_URL) {
		const onError = (err: Error) => log.warn({ err: err.message }, 'redis error');
		adapterClient = createClient({ url: config.REDIS_URL });
		adapterClient.on('error', onError);
		lockClient = createClient({
			url: config.REDIS_URL,
			disableOfflineQueue: true,
			socket: { connectTimeout: 2000, reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, 1000) }
		});
		lockClient.on('error', onError);
		await Promise.all([adapterClient.connect(), lockClient.connect()]);
	}

	const hub = attachRealtime(server, {
		authenticate: sessionAuthenticator(database.db, config.SB_SESSION_DAYS),
		log,
		commands: routed,
		adapter: adapterClient ? createAdapter(adapterClient, { streamName: `${prefix}:socket.io`, blockTimeInMs: 1000 }) : undefined
	});

	const cockpit = registerCockpit(hub, { db: database.db, commands: routed, isLeader: () => leader !== null, log });

	const publishLocal = (batch: Parameters<Hub['publish']>[0]) => {
		if (!hub.publish(batch) && leader) hub.load(leader.engine.snapshot());
	};

	// ── Redis down: the node serves on its own (degraded) until Redis returns ──
	/** when this node last found Redis unreachable, null while it is reachable (or not configured) */
	let redisDownSince: number | null = null;
	/**
	 * Redis went away while this node led: it keeps the AMI links, engine and persistence without
	 * the lock rather than leave the floor dark. Safe while every node is cut off from Redis (no one
	 * can take the lock); when Redis returns the node takes the lock again, or steps down at once if
	 * another node got it first (the two overlap for at most one lock retry period).
	 */
	let holding = false;
	function updateHealth(): void {
		const down = lockClient !== null && !lockClient.isReady;
		if (down && redisDownSince === null) {
			redisDownSince = Date.now();
			log.warn({ nodeId, leading: leader !== null }, 'Redis is unreachable: serving on this node alone (degraded)');
		} else if (!down && redisDownSince !== null) {
			redisDownSince = null;
			log.info({ nodeId }, 'Redis is reachable again');
		}
		const degraded = redisDownSince === null ? null : { cause: 'redis_unreachable' as const, since: redisDownSince, leading: leader !== null };
		const now = hub.health.degraded;
		if (degraded?.since !== now?.since || degraded?.leading !== now?.leading) hub.setHealth({ degraded });
	}
	for (const event of ['ready', 'error', 'end', 'reconnecting'] as const) lockClient?.on(event, updateHealth);

	let transition: Promise<void> = Promise.resolve();
	async function becomeLeader(): Promise<void> {
		if (leader) {
			// the lock again after a Redis outage: the followers start again from our floor
			if (holding) log.info({ nodeId }, 'took the lock again after the Redis outage');
			holding = false;
			bus?.broadcastFull();
			return;
		}
		leader = await startLeaderRole(services, hub, (batch) => {
			publishLocal(batch);
			// with Redis away the adapter would queue every batch in memory; followers resync instead
			if (adapterClient?.isReady) bus?.broadcastBatch(batch);
		});
		hub.load(leader.engine.snapshot());
		bus?.broadcastFull();
		updateHealth();
		log.info({ nodeId }, 'this node leads: AMI links, floor engine and persistence run here');
	}
	async function stepDown(reason: string): Promise<void> {
		const role = leader;
		leader = null;
		holding = false;
		if (role) {
			log.warn({ nodeId, reason }, 'lost the lead: stopping AMI links');
			await role.stop();
		}
		updateHealth();
		void bus?.resync();
	}

	let lock: LeaderLock | null = null;
	if (lockClient) {
		bus = createClusterBus(hub.io, {
			nodeId,
			isLeader: () => leader !== null && ((lock?.isLeader ?? false) || holding),
			getFullSnapshot: () => leader!.engine.snapshot(),
			onBatch: (batch) => hub.publish(batch),
			onFull: (full) => hub.load(full),
			onCommand: (_name, payload) => {
				if (!leader) throw new CommandError('unavailable', 'this node does not lead any more');
				return runCommand(leader, payload as ForwardedCommand);
			},
			log
		});
		lock = new LeaderLock({
			client: lockClient,
			key: options.lock?.key ?? `${prefix}:leader`,
			nodeId,
			ttlMs: options.lock?.ttlMs,
			renewMs: options.lock?.renewMs,
			log
		});
		lock.on('acquired', () => {
			transition = transition.then(becomeLeader).catch((err: unknown) => log.error({ err }, 'could not take the lead'));
		});
		lock.on('lost', (reason) => {
			if (reason !== 'closed' && leader && !lockClient?.isReady) {
				holding = true;
				log.warn({ nodeId, reason }, 'leader lock lost with Redis unreachable: keeping the AMI links (degraded, single node)');
				updateHealth();
				return;
			}
			transition = transition.then(() => stepDown(reason));
		});
		lock.on('busy', () => {
			if (!holding) return;
			holding = false;
			transition = transition.then(() => stepDown('another node took the lock while Redis was away'));
		});
		lock.start();
		// A follower loads the leader's floor; give our own first lock attempt a moment so a node
		// that is about to lead does not ask itself.
		const firstResync = setTimeout(() => {
			if (!leader) void bus?.resync();
		}, 1000);
		firstResync.unref();
	} else {
		await becomeLeader();
	}

	services.realtime = {
		status: () => ({
			ami: leader ? [...leader.links.entries()].map(([name, c]) => ({ name, connected: c.connected, since: c.since })) : [],
			redis: config.REDIS_URL
				? { configured: true, connected: !!lockClient?.isReady, leader: leader !== null, holding }
				: null
		}),
		agentCall: (agentId) => hub.mirror.agent(agentId)?.call ?? null,
		outcomeRecorded: (agentId) => route({ name: 'outcomeRecorded', agentId }).then(() => undefined)
	};

	return {
		hub,
		cockpit,
		nodeId,
		get leader() {
			return leader;
		},
		async close() {
			await lock?.close();
			await transition;
			const role = leader;
			leader = null;
			await role?.stop();
			bus?.close();
			cockpit.close();
			await hub.close();
			// QUIT would wait for a Redis that is away: drop the connection instead
			const end = (c: Redis | null) => (c?.isReady ? c.quit().catch(() => {}) : c?.destroy());
			await Promise.all([end(adapterClient), end(lockClient)]);
			services.realtime = null;
		}
	};
}
