/**
 * Everything live next to the HTTP server: the hub, the AMI links (or the built-in simulator when
 * AMI_URL is unset, reached over loopback TCP exactly like a real PBX), the floor engine,
 * persistence and — with REDIS_URL — the leader lock. Shared by the production entry and the
 * Vite dev plugin.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Services } from '../src/lib/server/app';
import { audit } from '../src/lib/server/audit';
import { users } from '../src/lib/server/db/schema';
import { floorDirectory } from '../src/lib/server/users';
import { AmiClient, type AmiLogger } from './ami/client';
import { FLOOR_EVENT_NAMES, normalizeEvent, type PbxEvent } from './ami/normalize';
import type { AmiMessage } from './ami/parser';
import { parseAmiUrls, type AmiLinkConfig } from './ami/url';
import { createCommands } from './commands';
import { attachRealtime, type Hub } from './hub';
import { sessionAuthenticator } from './hub/auth';
import { FloorEngine } from './hub/engine';
import { FloorPersister } from './persist';
import { startSimulator, type SimulatorHandle } from './simulator/server';
import type { DirectoryAgent } from './state';

export interface RealtimeRuntime {
	hub: Hub;
	engine: FloorEngine;
	persister: FloorPersister;
	simulator: SimulatorHandle | null;
	links: Map<string, AmiClient>;
	close(): Promise<void>;
}

const DIRECTORY_REFRESH_MS = 10_000;

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

export async function startRealtime(server: Server, services: Services): Promise<RealtimeRuntime> {
	const { config, log, database } = services;
	const db = database.db;

	// ── the PBX links: real ones from AMI_URL, or the simulator on loopback ──
	let simulator: SimulatorHandle | null = null;
	let linkConfigs: AmiLinkConfig[];
	const initialAgents = await floorDirectory(db);
	if (config.AMI_URL) {
		linkConfigs = parseAmiUrls(config.AMI_URL);
	} else {
		const secret = randomBytes(18).toString('base64url');
		simulator = await startSimulator({
			agents: initialAgents.map((a) => ({ endpoint: a.endpoint, name: a.name, extension: a.endpoint.split('/').pop() ?? a.endpoint })),
			username: 'switchboard',
			secret,
			bots: true,
			recordingsDir: path.join(config.dataDir, 'recordings')
		});
		linkConfigs = [{ name: 'sim', host: simulator.host, port: simulator.port, username: 'switchboard', secret }];
		log.info({ port: simulator.port, agents: initialAgents.length }, 'built-in PBX simulator listening on loopback (AMI_URL unset)');
	}
	const defaultPbx = linkConfigs[0]!.name;

	// ── the directory of agents the floor shows ──
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
		if (simulator) {
			for (const a of next.values()) {
				simulator.model.addAgent({ endpoint: a.endpoint, name: a.name, extension: a.endpoint.split('/').pop() ?? a.endpoint }, {});
			}
		}
	}

	// ── engine → hub, effects → database ──
	const persister = new FloorPersister({ db, log: log.child({ part: 'persist' }) });
	let hub: Hub | null = null;
	const engine = new FloorEngine({
		onEffects: (effects) => persister.push(effects),
		onBatch: (batch) => {
			if (hub && !hub.publish(batch)) hub.load(engine.snapshot());
		},
		onError: (err, input) => log.error({ err, input: input.type }, 'floor reducer rejected an input')
	});
	setDirectory(initialAgents);

	hub = attachRealtime(server, {
		authenticate: sessionAuthenticator(db, config.SB_SESSION_DAYS),
		log,
		commands: createCommands({
			link: (pbx) => links.get(pbx),
			directory: () => directory,
			async supervisorPhones(userId) {
				const [u] = await db.select({ endpoint: users.endpoint, mobile: users.mobile }).from(users).where(eq(users.id, userId));
				return { endpoint: u?.endpoint ?? null, mobile: u?.mobile ?? null };
			},
			monitor: (id) => hub?.mirror.monitor(id),
			input: (input) => engine.input(input),
			audit: (actorId, action, target, details) => audit(db, { actorId, action, target, details })
		})
	});
	hub.load(engine.snapshot());

	// ── AMI clients ──
	const links = new Map<string, AmiClient>();
	for (const cfg of linkConfigs) {
		const pbx = cfg.name;
		const client = new AmiClient({
			...cfg,
			logger: amiLogger(log, pbx),
			eventFilter: (name) => FLOOR_EVENT_NAMES.has(name),
			// After every (re)login the PBX's part of the floor is rebuilt from its own lists.
			onLogin: async (c) => {
				const [channels, queues] = await Promise.all([
					c.actionList({ Action: 'CoreShowChannels' }),
					c.actionList({ Action: 'QueueStatus' })
				]);
				engine.input({ type: 'resync', pbx, channels: normalizeAll(channels.items), queueItems: normalizeAll(queues.items) });
			}
		});
		client.on('event', (msg) => {
			const event = normalizeEvent(msg);
			if (event) engine.input({ type: 'ami', pbx, event });
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

	services.realtime = {
		status: () => ({
			ami: [...links.entries()].map(([name, c]) => ({ name, connected: c.connected, since: c.since })),
			redis: null
		})
	};

	return {
		hub,
		engine,
		persister,
		simulator,
		links,
		async close() {
			clearInterval(refresh);
			await Promise.all([...links.values()].map((c) => c.close()));
			engine.close();
			await persister.close().catch((err: unknown) => log.error({ err }, 'unsaved floor facts at shutdown'));
			await hub?.close();
			await simulator?.close();
			services.realtime = null;
		}
	};
}
