// `npm start`: build when build/ is missing or older than the sources, then run the production server.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = path.join(root, 'build/server.js');
const SOURCES = ['src', 'realtime', 'drizzle', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

function newest(p) {
	if (!existsSync(p)) return 0;
	const st = statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let max = 0;
	for (const name of readdirSync(p)) {
		if (name === 'node_modules' || name === 'paraglide' || name.startsWith('.')) continue;
		max = Math.max(max, newest(path.join(p, name)));
	}
	return max;
}

const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const sourcesAt = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
if (builtAt < sourcesAt || !existsSync(path.join(root, 'build/handler.js'))) {
	console.log(builtAt ? 'Sources changed since the last build: building…' : 'No build yet: building…');
	const t0 = Date.now();
	const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
	if (result.status !== 0) process.exit(result.status ?? 1);
	console.log(`Built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
process.chdir(root);
await import(pathToFileURL(entry).href);
