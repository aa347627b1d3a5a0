/**
 * One app node for the hub fault suite, in its own process so the test can SIGKILL it: the
 * realtime runtime (hub + leader lock over Redis) on a random loopback port, against the shared
 * Postgres database and the test's simulator. Prints `listening <url>` once up; the runtime logs
 * (pino JSON on stdout) say when this node takes the lead.
 * Env: DATABASE_URL, REDIS_URL, AMI_URL, SB_REDIS_PREFIX.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRealtime } from '../../realtime/runtime';
import type { Services } from '../../src/lib/server/app';
import { wallClock } from '../../src/lib/server/clock';
import { loadConfig } from '../../src/lib/server/config';
import { openDatabase } from '../../src/lib/server/db';
import { createLogger } from '../../src/lib/server/log';

const env = {
	DATABASE_URL: process.env.DATABASE_URL,
	REDIS_URL: process.env.REDIS_URL,
	AMI_URL: process.env.AMI_URL,
	DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sb-hub-node-')),
	LOG_LEVEL: 'info'
};
const database = await openDatabase({ url: env.DATABASE_URL, migrate: false, max: 4 });
const services: Services = {
	config: loadConfig(env),
	log: createLogger('info'),
	database,
	clock: wallClock,
	realtime: null,
	close: () => database.close()
};
const server = createServer();
await startRealtime(server, services, { redisPrefix: process.env.SB_REDIS_PREFIX, lock: { ttlMs: 2000, renewMs: 500 } });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
