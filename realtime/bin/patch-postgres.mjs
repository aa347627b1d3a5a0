#!/usr/bin/env node
/**
 * postinstall: guard postgres.js 3.4.9's deferred socket write (porsager/postgres#1154, #1208;
 * the fix proposed in #1209 is not released). When Postgres drops a connection while a small write
 * waits in a setImmediate, `nextWrite` calls `socket.write` on null and the TypeError escapes every
 * promise: the whole app exits. Our fault suite hits it by terminating backends during an import.
 * Patched: the deferred write settles the waiting queries with CONNECTION_CLOSED (which the
 * importer and the persister already retry), and `closed()` forgets the stale timer and chunk so a
 * reconnected connection can flush again. Idempotent; a release with the fix needs no patch.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgDir = path.join(root, 'node_modules', 'postgres');
const MARK = 'switchboard: socket closed before a deferred write';

const edits = [
	[
		`  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)`,
		`  function nextWrite(fn) {\n    if (socket === null) { // ${MARK} (porsager/postgres#1209)\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options, null))\n      return false\n    }\n    const x = socket.write(chunk, fn)`
	],
	[
		`    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)`,
		`    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null // ${MARK}\n    socket.removeListener('data', data)`
	]
];

if (existsSync(pkgDir)) {
	for (const rel of ['src/connection.js', 'cjs/src/connection.js']) {
		const file = path.join(pkgDir, rel);
		if (!existsSync(file)) continue;
		let text = readFileSync(file, 'utf8');
		if (text.includes(MARK)) continue;
		const missing = edits.filter(([from]) => !text.includes(from));
		if (missing.length > 0) {
			console.warn(`patch-postgres: ${rel} does not look like postgres.js 3.4.9; left as it is`);
			continue;
		}
		for (const [from, to] of edits) text = text.replace(from, to);
		writeFileSync(file, text);
	}
}
