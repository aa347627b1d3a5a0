/**
 * The production build (`node build/server.js`) as a child process for browser bench cases, on a
 * free loopback port, with its own DATA_DIR and the AMI_URL of a simulator the case runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot, spawnNode, type Child } from './children';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			srv.close(() =>
				typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))
			);
		});
	});
}

/**
 * Builds only when there is no build (`npm run build`, ~60 s). Other engineers edit the sources
 * while benches run: a rebuild on every change would race them, so BENCH_REBUILD=1 asks for one.
 */
export function ensureBuild(): void {
	const built =
		existsSync(path.join(repoRoot, 'build/server.js')) && existsSync(path.join(repoRoot, 'build/handler.js'));
	if (built && process.env.BENCH_REBUILD !== '1') return;
	console.error(built ? 'BENCH_REBUILD=1: building…' : 'no production build: building (npm run build)…');
	const r = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
	if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}

export interface AppServer {
	child: Child;
	baseURL: string;
	port: number;
	stop(): Promise<void>;
}

export async function startApp(opts: {
	dataDir: string;
	amiUrl: string;
	demo: boolean;
	logLevel?: string;
	/** a copy of build/ to run instead (a long run keeps going while build/ is rebuilt) */
	buildDir?: string;
}): Promise<AppServer> {
	ensureBuild();
	const port = await freePort();
	const baseURL = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: baseURL,
		DATA_DIR: opts.dataDir,
		AMI_URL: opts.amiUrl,
		SB_DEMO: opts.demo ? '1' : '0',
		LOG_LEVEL: opts.logLevel ?? 'warn',
		NODE_ENV: 'production'
	};
	for (const k of ['DATABASE_URL', 'REDIS_URL', 'SB_ADMIN_EMAIL', 'SB_ADMIN_PASSWORD']) delete env[k];
	const child = spawnNode(path.join(opts.buildDir ?? 'build', 'server.js'), [], { env, label: 'app' });
	try {
		await child.waitFor(/Switchboard is up/, 120_000);
	} catch (err) {
		await child.stop();
		throw err;
	}
	return { child, baseURL, port, stop: () => child.stop() };
}
