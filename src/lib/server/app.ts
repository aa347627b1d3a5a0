/**
 * Process-wide services, created once and shared by the SvelteKit handler, the realtime hub and
 * (in dev) the Vite plugin. Kept on a globalThis symbol because the production bundle loads the
 * SvelteKit handler as a separate module graph in the same process.
 */
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config';
import { openDatabase, type DatabaseHandle } from './db';
import { createLogger } from './log';
import { bootstrapFirstAdmin } from './auth/setup';
import { seedDemo } from './demo/seed';
import type { AgentCallView } from '$lib/protocol';
import { startOutbox, type OutboxWorker } from './mail';
import { resumeInterruptedImports } from './leads/runs';
import { fileOffsetClock, wallClock, type Clock } from './clock';

/** What the realtime layer reports about itself for /readyz (registered by realtime/). */
export interface RealtimeStatus {
	ami: { name: string; connected: boolean; since: number }[];
	/** holding: leading without the lock because Redis went away (degraded, single node) */
	redis: { configured: boolean; connected: boolean; leader: boolean; holding: boolean } | null;
}

export interface Services {
	config: Config;
	log: Logger;
	database: DatabaseHandle;
	/** the leads' due times (hopper, claims, dispositions): wall time outside end-to-end tests */
	clock: Clock;
	realtime: {
		status(): RealtimeStatus;
		/** the agent's live call as this node's floor mirror has it (inbound pop-up) */
		agentCall(agentId: string): AgentCallView | null;
		/**
		 * The agent recorded their call's outcome: the floor ends their wrap-up now (on the leader,
		 * forwarded there from a follower) instead of waiting for the wrap-up timer.
		 */
		outcomeRecorded(agentId: string): Promise<void>;
	} | null;
	/** the letters outbox worker (absent in harnesses that send no mail) */
	outbox?: OutboxWorker;
	close(): Promise<void>;
}

const KEY = Symbol.for('switchboard.services');
type Holder = { [KEY]?: Promise<Services> };

export function getServices(): Promise<Services> {
	const holder = globalThis as Holder;
	holder[KEY] ??= startServices();
	return holder[KEY];
}

export function publicOrigin(config: Config): string {
	return config.ORIGIN ?? `http://localhost:${config.PORT}`;
}

async function startServices(): Promise<Services> {
	const config = loadConfig();
	const log = createLogger(config.LOG_LEVEL);
	const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir });
	log.info({ db: database.where }, 'database ready (migrations applied)');

	const outcome = await bootstrapFirstAdmin(database.db, {
		email: config.SB_ADMIN_EMAIL,
		password: config.SB_ADMIN_PASSWORD
	});
	if (outcome.kind === 'admin-from-env') log.info({ email: outcome.email }, 'first admin created from SB_ADMIN_EMAIL');
	if (outcome.kind === 'setup-link') {
		// Printed, not logged as data: the link is a one-time secret meant for the person at the console.
		console.log(`\n  No admin yet. Create the first admin here (one-time link, valid 24 h):\n\n    ${publicOrigin(config)}/setup/${outcome.token}\n`);
	}
	if (config.seedDemo) {
		const credentials = await seedDemo(database.db, { history: { dataDir: config.dataDir } });
		if (credentials.length) {
			console.log('\n  Demo floor seeded. These passwords are shown once:\n');
			for (const c of credentials) console.log(`    ${c.role.padEnd(10)} ${c.email.padEnd(36)} ${c.password}`);
			console.log('');
		}
	}

	const outbox = startOutbox(config, database.db, log);
	// Imports cut off by a crash or a Postgres restart continue after their last committed batch.
	const resumed = await resumeInterruptedImports(database.db, {
		dataDir: config.dataDir,
		onFinish: (importId, err) => err && log.error({ err, importId }, 'resumed import failed')
	});
	if (resumed.length) log.info({ imports: resumed }, 'resuming interrupted lead imports');

	const clock = config.SB_TEST_CLOCK_FILE ? fileOffsetClock(config.SB_TEST_CLOCK_FILE) : wallClock;
	if (config.SB_TEST_CLOCK_FILE) log.warn({ file: config.SB_TEST_CLOCK_FILE }, 'SB_TEST_CLOCK_FILE is set: lead due times follow a test clock (never set it in production)');

	const services: Services = {
		config,
		log,
		database,
		clock,
		realtime: null,
		outbox,
		async close() {
			await outbox.stop();
			await database.close();
			delete (globalThis as Holder)[KEY];
		}
	};
	return services;
}
