/**
 * One measured import, in its own process so its peak RSS is its own: imports FILE into a new
 * project of DATABASE_URL (or a PGlite in DATA_DIR) and prints one JSON line
 * `{ rows, ms, maxRssMb, complete, created, merged, invalid, timings, cpuMs }`. Stops at a batch boundary after
 * BUDGET_SECONDS (the rate then covers the rows committed). With `--create` it only creates the
 * database (PGlite: initdb and migrations), so the measured run starts from an installed one.
 */
import { openDatabase } from '../../../src/lib/server/db';
import { projects } from '../../../src/lib/server/db/schema';
import { importLeads } from '../../../src/lib/server/leads/import';

const [file, budgetSeconds] = [process.argv[2]!, Number(process.argv[3] ?? 60)];
const handle = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 2 } : { dataDir: process.env.DATA_DIR! });
if (file === '--create') {
	await handle.close();
	process.exit(0);
}
const [project] = await handle.db.insert(projects).values({ name: 'Bench', defaultRegion: 'FR' }).returning();
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), budgetSeconds * 1000);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await importLeads(handle.db, {
	projectId: project!.id,
	file: { name: file.split('/').pop()!, path: file },
	region: 'FR',
	dataDir: process.env.DATA_DIR!,
	signal: controller.signal
});
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearTimeout(timer);
await handle.close();
process.stdout.write(
	JSON.stringify({
		rows: result.total,
		ms,
		maxRssMb: process.resourceUsage().maxRSS / 1024,
		complete: result.status === 'done',
		created: result.created,
		merged: result.merged,
		invalid: result.invalid,
		timings: result.timings,
		// this process only (PGlite runs inside it; a Postgres server's work is not counted)
		cpuMs: Math.round((cpu.user + cpu.system) / 1000)
	}) + '\n'
);
