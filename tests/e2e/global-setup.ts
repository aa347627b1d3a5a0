/**
 * Starts the built production server once for all e2e files (tests/built-server.ts: a fresh
 * DATA_DIR and, when DATABASE_URL is set, a fresh throw-away Postgres database, the demo floor, the
 * built-in simulator's AMI on a known loopback port and secret, the test-only leads' clock file) and
 * hands the tests what its console printed: the one-time setup link and the demo passwords.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startBuiltServer, type BuiltServer, type DemoAccount } from '../built-server';

export interface E2eContext {
	baseURL: string;
	setupLink: string | null;
	demo: DemoAccount[];
	dataDir: string;
	/** the server's throw-away Postgres database (null on PGlite): tests read audit rows from it */
	databaseUrl: string | null;
	/** the built-in simulator's AMI (SB_SIM_AMI_URL): tests place inbound calls through it */
	simulatorAmiUrl: string;
	/** SB_TEST_CLOCK_FILE of the server: tests shift the leads' clock through it (tests/e2e/clock.ts) */
	clockFile: string;
}

declare module 'vitest' {
	export interface ProvidedContext {
		e2e: E2eContext;
	}
}

export default async function setup(project: TestProject) {
	const simulatorAmiUrl = `ami://e2e:${randomBytes(12).toString('hex')}@127.0.0.1:${await freePort()}`;
	// the clock file's folder exists before the server (and its DATA_DIR) does
	const clockDir = mkdtempSync(path.join(tmpdir(), 'sb-e2e-clock-'));
	const clockFile = path.join(clockDir, 'test-clock-offset');
	const server: BuiltServer = await startBuiltServer({ SB_SIM_AMI_URL: simulatorAmiUrl, SB_TEST_CLOCK_FILE: clockFile });
	if (process.env.SB_E2E_LOG) server.child.stdout!.pipe(process.stdout);
	const { baseURL, setupLink, demo, dataDir, databaseUrl } = server;
	project.provide('e2e', { baseURL, setupLink, demo, dataDir, databaseUrl, simulatorAmiUrl, clockFile });
	return async () => {
		await server.close();
		rmSync(clockDir, { recursive: true, force: true });
	};
}
