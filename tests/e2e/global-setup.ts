/**
 * Starts the built production server once for all e2e files (tests/built-server.ts: a fresh
 * DATA_DIR and, when DATABASE_URL is set, a fresh throw-away Postgres database, the demo floor) and
 * hands the tests what its console printed: the one-time setup link and the demo passwords.
 */
import type { TestProject } from 'vitest/node';
import { startBuiltServer, type BuiltServer, type DemoAccount } from '../built-server';

export interface E2eContext {
	baseURL: string;
	setupLink: string | null;
	demo: DemoAccount[];
	dataDir: string;
	/** the server's throw-away Postgres database (null on PGlite): tests read audit rows from it */
	databaseUrl: string | null;
}

declare module 'vitest' {
	export interface ProvidedContext {
		e2e: E2eContext;
	}
}

export default async function setup(project: TestProject) {
	const server: BuiltServer = await startBuiltServer();
	if (process.env.SB_E2E_LOG) server.child.stdout!.pipe(process.stdout);
	const { baseURL, setupLink, demo, dataDir, databaseUrl } = server;
	project.provide('e2e', { baseURL, setupLink, demo, dataDir, databaseUrl });
	return () => server.close();
}
