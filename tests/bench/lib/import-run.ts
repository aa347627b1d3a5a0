/**
 * One measured import, in its own process so its peak RSS is its own: imports FILE into a new
 * project of DATABASE_URL (or a PGlite in DATA_DIR) and prints one JSON line
 * `{ rows, ms, maxRssMb, complete, created, merged, invalid, timings, cpuMs, postgresCpuMs }`. Stops
 * at a batch boundary after BUDGET_SECONDS (the rate then covers the rows committed). CPU times say
 * what the import costs whatever else the machine runs, which wall-clock rates on a shared box do not. With `--create` it only creates the
 * database (PGlite: initdb and migrations), so the measured run starts from an installed one.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../../src/lib/server/db';
import { queryRows } from '../../../src/lib/server/db/rows';
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
const postgresCpuMs = await backendCpuMs();
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
		cpuMs: Math.round((cpu.user + cpu.system) / 1000),
		postgresCpuMs
	}) + '\n'
);

/**
 * CPU used by this database's Postgres backends (this run's connections), read from /proc: the
 * bench's server runs on this machine (loopback). Null on PGlite or when /proc does not show them.
 */
async function backendCpuMs(): Promise<number | null> {
	if (handle.kind !== 'postgres') return null;
	const backends = await queryRows<{ pid: number }>(handle.db, sql`select pid from pg_stat_activity where datname = current_database()`);
	let ticks = 0;
	try {
		for (const { pid } of backends) {
			const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
			// after "pid (comm) ": state is field 3, utime and stime are fields 14 and 15
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
		}
	} catch {
		return null;
	}
	// USER_HZ: 100 ticks a second on Linux
	return ticks * 10;
}
