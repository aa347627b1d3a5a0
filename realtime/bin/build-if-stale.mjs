// Builds when build/ is missing or older than any source file. Used by `npm start` and the e2e setup.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = ['src', 'realtime', 'drizzle', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/** @param {string} p @returns {number} newest mtime under p */
function newest(p) {
	if (!existsSync(p)) return 0;
	const st = statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let max = 0;
	for (const name of readdirSync(p)) {
		if (name === 'node_modules' || name === 'paraglide' || name.startsWith('.')) continue;
		if (name.endsWith('.test.ts')) continue;
		max = Math.max(max, newest(path.join(p, name)));
	}
	return max;
}

/** @returns {boolean} whether a build ran */
export function buildIfStale() {
	const entry = path.join(root, 'build/server.js');
	const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
	const sourcesAt = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
	if (builtAt >= sourcesAt && existsSync(path.join(root, 'build/handler.js'))) return false;
	console.log(builtAt ? 'Sources changed since the last build: building…' : 'No build yet: building…');
	const t0 = Date.now();
	const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`build failed (exit ${result.status})`);
	console.log(`Built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return true;
}
