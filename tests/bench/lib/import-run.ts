/**
 * One measured import, in its own process so its peak RSS is its own: imports FILE into a new
 * project of DATABASE_URL (or a PGlite in DATA_DIR) and prints one JSON line
 * `{ rows, ms, maxRssMb, complete, created, merged, invalid }`. Stops at a batch boundary after
 * BUDGET_SECONDS (the rate then covers the rows committed).
 */
import { openDatabase } from '../../../src/lib/server/db';
import { projects } from '../../../src/lib/server/db/schema';
import { importLeads } from '../../../src/lib/server/leads/import';

const [file, budgetSeconds] = [process.argv[2]!, Number(process.argv[3] ?? 60)];
const handle = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 2 } : { dataDir: process.env.DATA_DIR! });
const [project] = await handle.db.insert(projects).values({ name: 'Bench', defaultRegion: 'FR' }).returning();
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), budgetSeconds * 1000);
const started = performance.now();
const result = await importLeads(handle.db, {
	projectId: project!.id,
	file: { name: file.split('/').pop()!, path: file },
	region: 'FR',
	dataDir: process.env.DATA_DIR!,
	signal: controller.signal
});
const ms = performance.now() - started;
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
		invalid: result.invalid
	}) + '\n'
);
