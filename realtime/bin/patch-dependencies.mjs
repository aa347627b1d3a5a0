#!/usr/bin/env node
/**
 * postinstall: small, marked edits to dependencies, each until a release makes it needless.
 * Idempotent: a file already patched is left alone, and a file that no longer holds the code an edit
 * expects (a release that changed it) is left as it is with a warning, never half-patched.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const PG_MARK = 'switchboard: socket closed before a deferred write';
const PHONE_MARK = 'switchboard: one RegExp per pattern';

const patches = [
	{
		/**
		 * postgres.js 3.4.9's deferred socket write (porsager/postgres#1154, #1208; the fix proposed in
		 * #1209 is not released). When Postgres drops a connection while a small write waits in a
		 * setImmediate, `nextWrite` calls `socket.write` on null and the TypeError escapes every
		 * promise: the whole app exits. Our fault suite hits it by terminating backends during an
		 * import. Patched: the deferred write settles the waiting queries with CONNECTION_CLOSED
		 * (which the importer and the persister already retry), and `closed()` forgets the stale timer
		 * and chunk so a reconnected connection can flush again.
		 */
		name: 'postgres.js 3.4.9',
		dir: 'postgres',
		files: ['src/connection.js', 'cjs/src/connection.js'],
		mark: PG_MARK,
		edits: [
			[
				`  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)`,
				`  function nextWrite(fn) {\n    if (socket === null) { // ${PG_MARK} (porsager/postgres#1209)\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options, null))\n      return false\n    }\n    const x = socket.write(chunk, fn)`
			],
			[
				`    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)`,
				`    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null // ${PG_MARK}\n    socket.removeListener('data', data)`
			]
		]
	},
	{
		/**
		 * libphonenumber-js 1.x builds `new RegExp('^(?:' + pattern + ')$')` from the metadata on every
		 * check, a dozen per number: half of its ≈ 12 µs a number (the import's biggest cost per row
		 * after Postgres). The patterns are a fixed set from the metadata and the expressions carry no
		 * flags (no lastIndex state), so one compiled RegExp per pattern serves every call.
		 */
		name: 'libphonenumber-js 1.x',
		dir: 'libphonenumber-js',
		files: ['es6/helpers/matchesEntirely.js', 'es6-modern/helpers/matchesEntirely.js', 'build/helpers/matchesEntirely.js'],
		mark: PHONE_MARK,
		edits: [
			[
				`  return new RegExp('^(?:' + regularExpressionText + ')$').test(text);\n}`,
				`  // ${PHONE_MARK}\n  var compiled = compiledPatterns.get(regularExpressionText);\n  if (compiled === undefined) {\n    compiled = new RegExp('^(?:' + regularExpressionText + ')$');\n    compiledPatterns.set(regularExpressionText, compiled);\n  }\n  return compiled.test(text);\n}\nvar compiledPatterns = new Map();`
			]
		]
	}
];

for (const patch of patches) {
	const pkgDir = path.join(root, 'node_modules', patch.dir);
	if (!existsSync(pkgDir)) continue;
	for (const rel of patch.files) {
		const file = path.join(pkgDir, rel);
		if (!existsSync(file)) continue;
		let text = readFileSync(file, 'utf8');
		if (text.includes(patch.mark)) continue;
		if (patch.edits.some(([from]) => !text.includes(from))) {
			console.warn(`patch-dependencies: ${patch.dir}/${rel} does not look like ${patch.name}; left as it is`);
			continue;
		}
		// a function, so a `$` in the new code is not read as a replacement pattern
		for (const [from, to] of patch.edits) text = text.replace(from, () => to);
		writeFileSync(file, text);
	}
}
