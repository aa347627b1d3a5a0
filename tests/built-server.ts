/**
 * Starts the built production server (build/server.js, built first when stale) on a free port with
 * a fresh DATA_DIR and, when DATABASE_URL is set, a fresh throw-away Postgres database. Captures
 * the console: the one-time setup link, the demo passwords, and every log line (the security suite
 * scans them for secrets). Shared by the e2e global setup and the fault suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIfStale, root } from '../realtime/bin/build-if-stale.mjs';

export interface DemoAccount {
	email: string;
	role: string;
	password: string;
}

export interface BuiltServer {
	baseURL: string;
	setupLink: string | null;
	demo: DemoAccount[];
	dataDir: string;
	/** the Postgres database URL when one was made */
	databaseUrl: string | null;
	/** everything the process printed so far (stdout and stderr) */
	output(): string;
	child: ChildProcess;
	close(): Promise<void>;
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
		});
	});
}

export async function throwawayDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
	const { default: postgres } = await import('postgres');
	const name = `sb_e2e_${Math.random().toString(16).slice(2, 10)}`;
	const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(baseUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end({ timeout: 5 });
		}
	};
}

/** Everything the server printed, kept in its DATA_DIR (a failing e2e test prints the tail). */
export function serverLogPath(dataDir: string): string {
	return path.join(dataDir, 'server.log');
}

/**
 * `env` is added to (or, with undefined values, removed from) the server's environment.
 * `startTimeoutMs`: a cold PGlite start plus the demo seed takes ~20 s alone, minutes on a loaded machine.
 */
export async function startBuiltServer(
	env: Record<string, string | undefined> = {},
	{ startTimeoutMs = 240_000 }: { startTimeoutMs?: number } = {}
): Promise<BuiltServer> {
	buildIfStale();
	const port = await freePort();
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-e2e-'));
	const db = process.env.DATABASE_URL ? await throwawayDatabase(process.env.DATABASE_URL) : null;
	const full: NodeJS.ProcessEnv = {
		...process.env,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		SB_DEMO: '1',
		LOG_LEVEL: 'warn',
		NODE_ENV: 'production',
		ORIGIN: `http://127.0.0.1:${port}`
	};
	delete full.SB_ADMIN_EMAIL;
	delete full.SB_ADMIN_PASSWORD;
	if (db) full.DATABASE_URL = db.url;
	else delete full.DATABASE_URL;
	for (const [k, v] of Object.entries(env)) {
		if (v === undefined) delete full[k];
		else full[k] = v;
	}

	const child = spawn(process.execPath, ['build/server.js'], { cwd: root, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
	const log = createWriteStream(serverLogPath(dataDir));
	child.stdout!.pipe(log);
	child.stderr!.pipe(log);
	let out = '';
	child.stdout!.on('data', (b: Buffer) => {
		out += b.toString();
	});
	child.stderr!.on('data', (b: Buffer) => {
		out += b.toString();
	});
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`server did not start in ${startTimeoutMs / 1000} s:\n${out}`)),
			startTimeoutMs
		);
		const check = () => {
			if (out.includes('Switchboard is up')) {
				clearTimeout(timer);
				child.stdout!.off('data', check);
				child.off('exit', exited);
				resolve();
			}
		};
		const exited = (code: number | null) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${out}`));
		};
		child.stdout!.on('data', check);
		child.on('exit', exited);
	});

	const setupLink = /(http:\/\/\S+\/setup\/\S+)/.exec(out)?.[1] ?? null;
	const demo = [...out.matchAll(/^\s+(manager|supervisor|director|agent)\s+(\S+@\S+)\s+(\S+)\s*$/gm)].map((m) => ({
		role: m[1]!,
		email: m[2]!,
		password: m[3]!
	}));
	return {
		baseURL: `http://127.0.0.1:${port}`,
		setupLink,
		demo,
		dataDir,
		databaseUrl: db?.url ?? null,
		output: () => out,
		child,
		async close() {
			if (child.exitCode === null) {
				const exited = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
				if (child.exitCode === null) child.kill('SIGKILL');
			}
			await db?.drop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
