/**
 * Test harness: the whole live spine in one process — PGlite in memory with a seeded demo, the
 * simulator on loopback reached over AMI TCP, the hub on a random port — ready once the AMI link
 * has logged in and resynced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '../src/lib/server/app';
import { wallClock } from '../src/lib/server/clock';
import { loadConfig } from '../src/lib/server/config';
import { openDatabase, type Db } from '../src/lib/server/db';
import { seedDemo, type DemoSeedOptions } from '../src/lib/server/demo/seed';
import { createLogger } from '../src/lib/server/log';
import { listUsers, type UserRow } from '../src/lib/server/users';
import { startRealtime, type RealtimeOptions, type RealtimeRuntime } from './runtime';

export interface LiveSpine {
	services: Services;
	server: Server;
	runtime: RealtimeRuntime;
	url: string;
	close(): Promise<void>;
}

/** A spine in cluster mode: the hub's adapter and the leader lock on this Redis. */
export interface SpineCluster {
	redisUrl: string;
	realtime?: RealtimeOptions;
}

export async function startLiveSpine(
	seed: DemoSeedOptions,
	prepare?: (db: Db) => Promise<void>,
	cluster?: SpineCluster
): Promise<LiveSpine> {
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-spine-'));
	const database = await openDatabase({ dataDir: 'memory://' });
	await seedDemo(database.db, seed);
	await prepare?.(database.db);
	const services: Services = {
		config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', REDIS_URL: cluster?.redisUrl }),
		log: createLogger('silent'),
		database,
		clock: wallClock,
		realtime: null,
		close: () => database.close()
	};
	const server = createServer();
	const runtime = await startRealtime(server, services, cluster?.realtime);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const deadline = Date.now() + 10_000;
	// with Redis the lead comes once the lock is taken
	const linksUp = () => runtime.leader !== null && [...runtime.leader.links.values()].every((l) => l.connected);
	while (!linksUp() && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 50));
	}
	// patches are coalesced: flush so the first snapshots include the link and the resync
	runtime.leader!.engine.flush();
	return {
		services,
		server,
		runtime,
		url,
		async close() {
			await runtime.close();
			await new Promise((r) => server.close(r));
			await services.close();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/**
 * Users of a role as the floor tests want them: supervisors only when they lead a team (the demo's
 * sales director is a supervisor without one).
 */
export async function floorUsers(db: Db, role: 'manager' | 'supervisor' | 'agent'): Promise<UserRow[]> {
	return (await listUsers(db, { role })).filter((u) => role !== 'supervisor' || u.teamIds.length > 0);
}
