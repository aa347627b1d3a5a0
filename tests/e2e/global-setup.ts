/**
 * Starts the built production server once for all e2e files: a fresh DATA_DIR (and, when
 * DATABASE_URL is set, a fresh throw-away Postgres database), the demo floor, and the console's
 * one-time setup link and demo passwords captured for the tests.
 */
import type { TestProject } from 'vitest/node';
import { startBuiltServer } from '../built-server';

export interface E2eContext {
	baseURL: string;
	setupLink: string | null;
	demo: { email: string; role: string; password: string }[];
	dataDir: string;
}

declare module 'vitest' {
	export interface ProvidedContext {
		e2e: E2eContext;
	}
}

export default async function setup(project: TestProject) {
	const server = await startBuiltServer();
	if (process.env.SB_E2E_LOG) server.child.stdout!.pipe(process.stdout);
	const { baseURL, setupLink, demo, dataDir } = server;
	project.provide('e2e', { baseURL, setupLink, demo, dataDir });
	return () => server.close();
}
