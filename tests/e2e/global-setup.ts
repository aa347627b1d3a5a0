/**
 * Starts the built production server once for all e2e files: a fresh DATA_DIR (and, when
 * DATABASE_URL is set, a fresh throw-away Postgres database), the demo floor, and the console's
 * one-time setup link and demo passwords captured for the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildIfStale, root } from '../../realtime/bin/build-if-stale.mjs';
import { freePort, throwawayDatabase } from '../built-server';

export interface E2eContext {
	baseURL: string;
	setupLink: string | null;
	demo: { email: string; role: string; password: string }[];
	dataDir: string;
	/** the server's throw-away Postgres database (null on PGlite): tests read audit rows from it */
	databaseUrl: string | null;
	/** SB_TEST_CLOCK_FILE of the server: tests shift the leads' clock through it (tests/e2e/clock.ts) */
	clockFile: string;
}

declare module 'vitest' {
	export interface ProvidedContext {
		e2e: E2eContext;
	}
}

let child: ChildProcess | null = null;

export default async function setup(project: TestProject) {
	buildIfStale();
	const port = await freePort();
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-e2e-'));
	const clockFile = path.join(dataDir, 'test-clock-offset');
	const db = process.env.DATABASE_URL ? await throwawayDatabase(process.env.DATABASE_URL) : null;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		SB_DEMO: '1',
		LOG_LEVEL: 'warn',
		NODE_ENV: 'production',
		ORIGIN: `http://127.0.0.1:${port}`,
		SB_TEST_CLOCK_FILE: clockFile
	};
	delete env.SB_ADMIN_EMAIL;
	delete env.SB_ADMIN_PASSWORD;
	if (db) env.DATABASE_URL = db.url;
	else delete env.DATABASE_URL;

	child = spawn(process.execPath, ['build/server.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	const ready = new Promise<void>((resolve, reject) => {
		// generous: a cold PGlite start plus the demo seed takes ~20 s alone, minutes on a loaded machine
		const timer = setTimeout(() => reject(new Error(`server did not start in 240 s:\n${out}`)), 240_000);
		child!.stdout!.on('data', (b: Buffer) => {
			out += b.toString();
			if (out.includes('Switchboard is up')) {
				clearTimeout(timer);
				resolve();
			}
		});
		child!.stderr!.on('data', (b: Buffer) => {
			out += b.toString();
		});
		child!.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${out}`));
		});
	});
	await ready;
	child.removeAllListeners('exit');
	if (process.env.SB_E2E_LOG) child.stdout!.pipe(process.stdout);

	const setupLink = /(http:\/\/\S+\/setup\/\S+)/.exec(out)?.[1] ?? null;
	const demo = [...out.matchAll(/^\s+(manager|supervisor|director|agent)\s+(\S+@\S+)\s+(\S+)\s*$/gm)].map((m) => ({
		role: m[1]!,
		email: m[2]!,
		password: m[3]!
	}));
	project.provide('e2e', { baseURL: `http://127.0.0.1:${port}`, setupLink, demo, dataDir, databaseUrl: db?.url ?? null, clockFile });

	return async () => {
		if (child && child.exitCode === null) {
			const exited = new Promise((r) => child!.once('exit', r));
			child.kill('SIGTERM');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
		}
		await db?.drop();
		rmSync(dataDir, { recursive: true, force: true });
	};
}
