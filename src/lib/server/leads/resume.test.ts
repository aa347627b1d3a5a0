/**
 * Integrity of the import (issue 6 §5): batches are atomic, an import cut off mid-way continues
 * after its last committed batch with the same final counts as an uninterrupted one, and importing
 * the same file again creates no lead.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCounts, resumeGeneratedImport, writeLeadCsv } from '../../../../tests/bench/lib/lead-files';
import { openDatabase, type DatabaseHandle } from '../db';
import { imports, leadEmails, leadPhones, leads, projectLeads, projects } from '../db/schema';
import { testDatabases } from '../db/testing';
import { importLeads } from './import';
import { resumeInterruptedImports, waitForRun } from './runs';

const ROWS = 4000;
const BATCH = 500;

async function tableCounts(handle: DatabaseHandle) {
	const n = async (t: typeof leads | typeof leadPhones | typeof leadEmails | typeof projectLeads) => (await handle.db.select({ n: count() }).from(t))[0]!.n;
	return { leads: await n(leads), phones: await n(leadPhones), emails: await n(leadEmails), links: await n(projectLeads) };
}

let dir: string;
let csv: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'sb-resume-'));
	csv = path.join(dir, 'leads.csv');
	await writeLeadCsv(csv, ROWS);
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe.each(testDatabases())('resumable imports on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let projectId: string;
	beforeAll(async () => {
		handle = await open();
		const [p] = await handle.db.insert(projects).values({ name: 'Resume', defaultRegion: 'FR' }).returning();
		projectId = p!.id;
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('continues after the last committed batch with the counts of an uninterrupted import', async () => {
		// the run dies after its third batch committed (the callback runs after each commit)
		let batches = 0;
		const broken = importLeads(handle.db, {
			projectId,
			file: { name: 'leads.csv', path: csv },
			region: 'FR',
			dataDir: dir,
			batchSize: BATCH,
			onProgress: () => {
				if (++batches === 3) throw new Error('connection lost');
			}
		});
		await expect(broken).rejects.toThrow('connection lost');
		const [cut] = await handle.db.select().from(imports).where(eq(imports.projectId, projectId));
		expect(cut).toMatchObject({ status: 'failed', total: 3 * BATCH });
		const before = await tableCounts(handle);
		expect(before.leads).toBe(cut!.created);

		const { resumed, counts, want } = await resumeGeneratedImport(handle.db, {
			projectId,
			importId: cut!.id,
			csv,
			dataDir: dir,
			batchSize: BATCH,
			rows: ROWS
		});
		expect(counts).toEqual(want);
		expect(resumed.status).toBe('done');
		expect((await tableCounts(handle)).leads).toBe(want.created);
		// the error report holds every invalid row once: the lines before the cut were kept
		const report = await readFile(resumed.reportPath!, 'utf8');
		expect(report.trim().split('\r\n').length - 1).toBe(want.invalid);
		expect(resumed.errors.length).toBe(want.invalid);
		expect(new Set(resumed.errors.map((e) => e.line)).size).toBe(want.invalid);
	});

	it('creates no lead, phone, e-mail or project link when the same file is imported again', async () => {
		const before = await tableCounts(handle);
		const again = await importLeads(handle.db, { projectId, file: { name: 'leads.csv', path: csv }, region: 'FR', dataDir: dir, batchSize: BATCH });
		expect(again.created).toBe(0);
		expect(again.merged).toBe(ROWS - expectedCounts(ROWS).invalid);
		expect(await tableCounts(handle)).toEqual(before);
	});
});

const base = process.env.DATABASE_URL;
describe.skipIf(!base)('an import process killed mid-way (Postgres)', () => {
	const name = `sb_t_${randomBytes(6).toString('hex')}`;
	let url: string;
	let handle: DatabaseHandle;
	let admin: { unsafe(q: string): Promise<unknown>; end(o: { timeout: number }): Promise<void> };
	beforeAll(async () => {
		const { default: postgres } = await import('postgres');
		admin = postgres(base!, { max: 1, onnotice: () => {} });
		await admin.unsafe(`create database ${name}`);
		const u = new URL(base!);
		u.pathname = `/${name}`;
		url = u.toString();
		handle = await openDatabase({ url, max: 2 });
	});
	afterAll(async () => {
		await handle?.close();
		await admin?.unsafe(`drop database if exists ${name} with (force)`);
		await admin?.end({ timeout: 5 });
	});

	it('leaves only whole batches, and the next start finishes the import without duplicates', async () => {
		// big enough that the import still runs when its first batch is seen committed (imports got faster)
		const rows = 100_000;
		const big = path.join(dir, 'big.csv');
		await writeLeadCsv(big, rows);
		const child = spawn(process.execPath, ['--import', 'tsx', 'src/lib/server/leads/cli.ts', '--project', 'Killed', '--create-project', '--region', 'FR', big], {
			env: { ...process.env, DATABASE_URL: url, DATA_DIR: dir },
			stdio: 'ignore'
		});
		let gone = false;
		const exited = new Promise<void>((resolve) =>
			child.on('exit', () => {
				gone = true;
				resolve();
			})
		);
		// kill -9 as soon as a first batch is committed and the import is still running
		for (;;) {
			expect(gone, 'the import process ended before it could be killed').toBe(false);
			const [row] = await handle.db.select().from(imports);
			if (row && row.total > 0) {
				expect(row.status).toBe('running');
				child.kill('SIGKILL');
				break;
			}
			await new Promise((r) => setTimeout(r, 10));
		}
		await exited;
		const [cut] = await handle.db.select().from(imports);
		expect(cut!.status).toBe('running');
		expect(cut!.total % 5000).toBe(0);
		expect(cut!.total).toBeLessThan(rows);
		expect((await tableCounts(handle)).leads).toBe(cut!.created);

		const started = await resumeInterruptedImports(handle.db, { dataDir: dir });
		expect(started).toEqual([cut!.id]);
		await waitForRun(cut!.id);
		const [done] = await handle.db.select().from(imports);
		const want = expectedCounts(rows);
		expect(done).toMatchObject({ status: 'done', total: want.total, invalid: want.invalid, created: want.created, merged: want.merged });
		expect((await tableCounts(handle)).leads).toBe(want.created);
	}, 180_000);
});
