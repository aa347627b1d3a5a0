/** Runs a TypeScript command-line script as an operator would (a child `node --import tsx`), for tests. */
import { spawn } from 'node:child_process';

export interface ScriptRun {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** `script` with `args`, the test's environment plus `env`, from the repository root; resolves when it exits. */
export function runScript(script: string, args: readonly string[], env: Record<string, string>): Promise<ScriptRun> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, cwd: process.cwd() });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}
