/**
 * Child processes for bench cases: spawned with `node --import tsx` (or plain node), their output
 * kept for readiness lines and error reports, and always stopped by pid (SIGTERM, then SIGKILL)
 * — also if the bench process exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** the repository root (tests/bench/lib → ../../..) */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ChildOptions {
	env?: NodeJS.ProcessEnv;
	/** an IPC channel (process.send / 'message') */
	ipc?: boolean;
	/** extra node flags, e.g. --max-old-space-size */
	nodeArgs?: string[];
	/** prefix for the echoed output; nothing is echoed when unset (set BENCH_VERBOSE=1 to echo) */
	label?: string;
}

export interface Child {
	proc: ChildProcess;
	readonly pid: number;
	/** everything written to stdout and stderr so far (the last 4 MiB) */
	output(): string;
	/** characters written so far: a mark for outputSince() */
	mark(): number;
	/** what was written since a mark (as far as it is still kept) */
	outputSince(mark: number): string;
	/** resolves with the first match in the output (past or future); rejects on exit or timeout */
	waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
	/** resolves once the process has exited */
	exited(): Promise<void>;
	stop(timeoutMs?: number): Promise<void>;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

function start(command: string, args: string[], opts: ChildOptions): Child {
	const proc = spawn(command, args, {
		cwd: repoRoot,
		env: opts.env ?? process.env,
		stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe']
	});
	if (proc.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
	const pid = proc.pid;
	let out = '';
	let written = 0;
	const waiters = new Set<() => void>();
	const verbose = process.env.BENCH_VERBOSE === '1' && opts.label !== undefined;
	const onData = (chunk: Buffer): void => {
		const text = chunk.toString('utf8');
		written += text.length;
		out = out.length + text.length > MAX_OUTPUT ? (out + text).slice(-MAX_OUTPUT) : out + text;
		if (verbose) process.stderr.write(text.replace(/^/gm, `[${opts.label}] `));
		for (const w of waiters) w();
	};
	proc.stdout?.on('data', onData);
	proc.stderr?.on('data', onData);
	const exit = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
	let done = false;
	void exit.then(() => {
		done = true;
		for (const w of waiters) w();
	});
	// never leave a child behind, even if the bench dies
	const killOnExit = (): void => {
		if (!done) proc.kill('SIGKILL');
	};
	process.once('exit', killOnExit);

	return {
		proc,
		pid,
		output: () => out,
		mark: () => written,
		outputSince: (mark) => out.slice(Math.max(0, out.length - (written - mark))),
		waitFor(re, timeoutMs) {
			return new Promise<RegExpMatchArray>((resolve, reject) => {
				const check = (): void => {
					const m = out.match(re);
					if (m) {
						finish();
						resolve(m);
					} else if (done) {
						finish();
						reject(
							new Error(
								`${path.basename(args.find((a) => a.endsWith('.ts') || a.endsWith('.js')) ?? command)} exited (code ${proc.exitCode}) before printing ${re}:\n${out.slice(-4000)}`
							)
						);
					}
				};
				const timer = setTimeout(() => {
					finish();
					reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}:\n${out.slice(-4000)}`));
				}, timeoutMs);
				const finish = (): void => {
					clearTimeout(timer);
					waiters.delete(check);
				};
				waiters.add(check);
				check();
			});
		},
		exited: () => exit,
		async stop(timeoutMs = 8000) {
			process.off('exit', killOnExit);
			if (done) return;
			proc.kill('SIGTERM');
			const timer = setTimeout(() => {
				if (!done) proc.kill('SIGKILL');
			}, timeoutMs);
			await exit;
			clearTimeout(timer);
		}
	};
}

/** `node --import tsx <file> …args` from the repository root */
export function spawnTsx(file: string, args: string[], opts: ChildOptions = {}): Child {
	return start(
		process.execPath,
		[...(opts.nodeArgs ?? []), '--import', 'tsx', path.resolve(repoRoot, file), ...args],
		opts
	);
}

/** `node <file> …args` from the repository root */
export function spawnNode(file: string, args: string[], opts: ChildOptions = {}): Child {
	return start(process.execPath, [...(opts.nodeArgs ?? []), path.resolve(repoRoot, file), ...args], opts);
}

export interface SimulatorChild {
	child: Child;
	/** `ami://user:secret@127.0.0.1:port` */
	url: string;
	stop(): Promise<void>;
}

/** The AMI simulator in its own process (realtime/simulator/cli.ts) on a free loopback port. */
export async function startSimulatorChild(opts: {
	agents: number;
	rate?: number;
	bots?: boolean;
	seed?: number;
}): Promise<SimulatorChild> {
	const args = ['--host', '127.0.0.1', '--port', '0', '--agents', String(opts.agents), '--user', 'bench'];
	args.push('--secret', randomBytes(12).toString('base64url'), '--seed', String(opts.seed ?? 1));
	if (opts.rate !== undefined) args.push('--rate', String(opts.rate));
	if (opts.bots === false) args.push('--no-bots');
	const child = spawnTsx('realtime/simulator/cli.ts', args, { label: 'sim' });
	try {
		const m = await child.waitFor(/^AMI_URL=(\S+)$/m, 20_000);
		return { child, url: m[1]!, stop: () => child.stop() };
	} catch (err) {
		await child.stop();
		throw err;
	}
}

/** Run `fn` with cleanups registered along the way; every cleanup runs (last first), even on error. */
export async function withCleanup<T>(
	fn: (defer: (cleanup: () => unknown) => void) => Promise<T>
): Promise<T> {
	const cleanups: Array<() => unknown> = [];
	try {
		return await fn((c) => cleanups.push(c));
	} finally {
		for (const c of cleanups.reverse()) {
			try {
				await c();
			} catch (err) {
				console.error('cleanup failed:', err);
			}
		}
	}
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
