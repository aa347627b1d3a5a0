/**
 * Postgres restarts during an import (issue 10 item 4): a 20,000-row file is imported in batches
 * of 500 into a throw-away database on the machine's Postgres; once a first batch is committed,
 * every backend of that database (and only that database) is terminated with pg_terminate_backend
 * until the import gives up — what a restart does to the importer's connections. The database then
 * holds whole batches only (the import row's counters match the leads table), and resuming the
 * import gives exactly the counts of an uninterrupted one.
 * Runs only with DATABASE_URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { imports, leads, projects } from '../../src/lib/server/db/schema';
import { importLeads } from '../../src/lib/server/leads/import';
import { resumeGeneratedImport, writeLeadCsv } from '../bench/lib/lead-files';
import { throwawayDatabase } from '../built-server';

const BASE = process.env.DATABASE_URL;
const ROWS = 20_000;
const BATCH = 500;

describe.skipIf(!BASE)('Postgres restarts during an import', () => {
	let dir: string;
	let csv: string;
	let database: Awaited<ReturnType<typeof throwawayDatabase>>;
	let handle: DatabaseHandle;
	let admin: { unsafe(q: string, params?: string[]): Promise<unknown>; end(o: { timeout: number }): Promise<void> };
	let projectId: string;
	/** the importer's pool, whose connections were terminated (closed at the end) */
	let cutPool: DatabaseHandle | null = null;

	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'sb-pg-import-'));
		csv = path.join(dir, 'leads.csv');
		await writeLeadCsv(csv, ROWS);
		database = await throwawayDatabase(BASE!);
		handle = await openDatabase({ url: database.url, max: 2 });
		const { default: postgres } = await import('postgres');
		admin = postgres(BASE!, { max: 1, onnotice: () => {} });
		const [p] = await handle.db.insert(projects).values({ name: 'Restart', defaultRegion: 'FR' }).returning();
		projectId = p!.id;
	}, 120_000);

	afterAll(async () => {
		await handle?.close().catch(() => {});
		await cutPool?.close().catch(() => {});
		await admin?.end({ timeout: 5 });
		await database?.drop();
		await rm(dir, { recursive: true, force: true });
	});

	const leadCount = async () => (await handle.db.select({ n: count() }).from(leads))[0]!.n;

	it('keeps whole batches only, and the resumed import ends with the exact counts', async () => {
		const name = new URL(database.url).pathname.slice(1);
		let committed = 0;
		let settled = false;
		let terminations = 0;
		const cutter = async () => {
			// every backend of the throw-away database, again and again, until the import gives up
			while (!settled) {
				await admin.unsafe('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
				terminations++;
				await new Promise((r) => setTimeout(r, 20));
			}
		};
		let cutting: Promise<void> | null = null;
		const run = importLeads(handle.db, {
			projectId,
			file: { name: 'leads.csv', path: csv },
			region: 'FR',
			dataDir: dir,
			batchSize: BATCH,
			onProgress: () => {
				if (++committed === 1) cutting = cutter();
			}
		});
		const outcome = await run.then(
			() => 'finished' as const,
			(err: unknown) => err
		);
		settled = true;
		await cutting;
		expect(outcome === 'finished' ? 'finished' : 'cut off', 'the import was cut off').toBe('cut off');
		expect(terminations).toBeGreaterThan(0);
		// the pool's connections were killed too: look and resume as a restarted process would, afresh
		cutPool = handle;
		handle = await openDatabase({ url: database.url, migrate: false, max: 2 });

		// the row may say `failed` (written after the reconnect) or still `running` (it could not be written)
		const [cut] = await handle.db.select().from(imports).where(eq(imports.projectId, projectId));
		expect(['failed', 'running']).toContain(cut!.status);
		expect(cut!.total % BATCH, 'only whole batches are counted').toBe(0);
		expect(cut!.total).toBeGreaterThanOrEqual(BATCH);
		expect(cut!.total).toBeLessThan(ROWS);
		expect(await leadCount(), 'the leads table holds exactly the committed batches').toBe(cut!.created);
		console.info(`[faults/postgres-import] cut after ${cut!.total} of ${ROWS} rows (${terminations} rounds of pg_terminate_backend); resuming`);

		const { resumed, counts, want } = await resumeGeneratedImport(handle.db, {
			projectId,
			importId: cut!.id,
			csv,
			dataDir: dir,
			batchSize: BATCH,
			rows: ROWS
		});
		expect(resumed.status).toBe('done');
		expect(counts).toEqual(want);
		expect(await leadCount()).toBe(want.created);
		const [done] = await handle.db.select().from(imports).where(eq(imports.id, cut!.id));
		expect(done).toMatchObject({ status: 'done', total: want.total, created: want.created, merged: want.merged, invalid: want.invalid });
	}, 300_000);
});
