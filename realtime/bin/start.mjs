// `npm start`: build when build/ is missing or older than the sources, then run the production server.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale, root } from './build-if-stale.mjs';

try {
	buildIfStale();
} catch (e) {
	console.error(e instanceof Error ? e.message : e);
	process.exit(1);
}
process.chdir(root);
await import(pathToFileURL(path.join(root, 'build/server.js')).href);
