// Bundles realtime/server.ts (the production entry) into build/server.js next to adapter-node's handler.
// node_modules stay external: the bundle only holds our code.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

await build({
	entryPoints: [path.join(root, 'realtime/server.ts')],
	outfile: path.join(root, 'build/server.js'),
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'esm',
	packages: 'external',
	sourcemap: true,
	alias: { $lib: path.join(root, 'src/lib'), $realtime: path.join(root, 'realtime') },
	external: ['./handler.js'],
	logLevel: 'warning'
});
console.log('built build/server.js');
