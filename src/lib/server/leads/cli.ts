/**
 * Scripted imports: `npm run import -- --project "<name>" [--create-project] [--region FR] FILE...`
 * against DATABASE_URL, or the embedded database in DATA_DIR (default ./data). One JSON line per
 * imported file on stdout with exactly the keys file, rows_total, rows_invalid, new_leads,
 * rows_merged, errors ([{line, column, reason}]). A refused file gets its reason on stderr; the
 * command then exits 1 once the other files are done. Same pipeline as the wizard: streamed,
 * deduplicated against the whole database, atomic batches.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { audit } from '../audit';
import { openDatabase, type Db } from '../db';
import { projects } from '../db/schema';
import { ImportRefusedError } from './errors';
import { importLeads } from './import';
import { isCountryCode } from './normalize';

const USAGE = 'usage: npm run import -- --project "<name>" [--create-project] [--region FR] FILE...';

class UsageError extends Error {}

async function findProject(db: Db, name: string, create: boolean, region: string | undefined): Promise<{ id: string; defaultRegion: string }> {
	const found = await db.select({ id: projects.id, defaultRegion: projects.defaultRegion }).from(projects).where(eq(projects.name, name));
	if (found.length > 1) throw new UsageError(`${found.length} projects are named "${name}": rename one in the app first.`);
	if (found[0]) return found[0];
	if (!create) throw new UsageError(`No project named "${name}". Add --create-project to create it.`);
	const [created] = await db
		.insert(projects)
		.values({ name, ...(region ? { defaultRegion: region } : {}) })
		.returning({ id: projects.id, defaultRegion: projects.defaultRegion });
	await audit(db, { actorId: null, action: 'project.created', target: created!.id, details: { name, via: 'cli' }, ip: 'cli' });
	return created!;
}

async function main(): Promise<number> {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: { project: { type: 'string' }, 'create-project': { type: 'boolean', default: false }, region: { type: 'string' } }
	});
	const name = values.project?.trim();
	if (!name) throw new UsageError(`--project is required.\n${USAGE}`);
	if (positionals.length === 0) throw new UsageError(`Give at least one file to import.\n${USAGE}`);
	const region = values.region?.trim().toUpperCase();
	if (region !== undefined && !isCountryCode(region)) throw new UsageError(`Unknown region "${values.region}": use a two-letter country code such as FR.`);

	const dataDir = path.resolve(process.env.DATA_DIR ?? './data');
	const handle = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir, max: 2 });
	let exit = 0;
	try {
		const project = await findProject(handle.db, name, values['create-project'], region);
		for (const file of positionals) {
			try {
				const result = await importLeads(handle.db, {
					projectId: project.id,
					file: { name: path.basename(file), path: file },
					region: region ?? project.defaultRegion,
					dataDir
				});
				await audit(handle.db, {
					actorId: null,
					action: 'import.finished',
					target: result.importId,
					details: { via: 'cli', file: path.basename(file), total: result.total, created: result.created, merged: result.merged, invalid: result.invalid },
					ip: 'cli'
				});
				process.stdout.write(
					JSON.stringify({
						file,
						rows_total: result.total,
						rows_invalid: result.invalid,
						new_leads: result.created,
						rows_merged: result.merged,
						errors: result.errors.map((e) => ({ line: e.line, column: e.column, reason: e.reason }))
					}) + '\n'
				);
			} catch (e) {
				exit = 1;
				const reason = e instanceof ImportRefusedError ? e.message : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
				process.stderr.write(`${file}: ${reason}\n`);
			}
		}
	} finally {
		await handle.close();
	}
	return exit;
}

main().then(
	(code) => process.exit(code),
	(e: unknown) => {
		process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
		process.exit(e instanceof UsageError ? 2 : 1);
	}
);
