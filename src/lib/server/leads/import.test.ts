import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db';
import { queryRows } from '../db/rows';
import { dnc, imports, leadEmails, leadPhones, leads, projectLeads, projects } from '../db/schema';
import { openThrowawayPostgres, testDatabases } from '../db/testing';
import { ImportRefusedError } from './errors';
import { BatchRaced, importLeads, lockReferenced, maySkipTriggers } from './import';

const SAMPLES = path.resolve(process.cwd(), '../shared/samples/imports');

interface Expected {
	files: { file: string; region: string; encoding?: string; delimiter?: string; header_row?: number; rows_total: number; rows_invalid: number; new_leads: number; rows_matched_existing_or_in_file: number }[];
	bad_files: { file: string; expect: string }[];
}

const expected: Expected | null = existsSync(path.join(SAMPLES, 'expected.json'))
	? (JSON.parse(readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as Expected)
	: null;

function sample(name: string) {
	return { name, bytes: readFileSync(path.join(SAMPLES, name)) };
}

async function tableCounts(handle: DatabaseHandle) {
	const [l] = await handle.db.select({ n: count() }).from(leads);
	const [p] = await handle.db.select({ n: count() }).from(leadPhones);
	const [e] = await handle.db.select({ n: count() }).from(leadEmails);
	const [pl] = await handle.db.select({ n: count() }).from(projectLeads);
	return { leads: l!.n, phones: p!.n, emails: e!.n, links: pl!.n };
}

describe.skipIf(!expected).each(testDatabases())('sample imports on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let dataDir: string;
	let projectId: string;
	beforeAll(async () => {
		handle = await open();
		dataDir = await mkdtemp(path.join(tmpdir(), 'sb-import-'));
		const [p] = await handle.db.insert(projects).values({ name: 'Samples' }).returning();
		projectId = p!.id;
	});
	afterAll(async () => {
		await handle?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	it('refuses every bad file with a specific reason and writes nothing', async () => {
		const before = await tableCounts(handle);
		const refusals: Record<string, RegExp> = {
			'bad-empty.csv': /empty/,
			'bad-header-only.csv': /No data rows below the header \(line 1\)/,
			'bad-binary.csv': /not text/,
			'bad-truncated.xlsx': /corrupt or truncated.*nothing was imported/
		};
		for (const [name, reason] of Object.entries(refusals)) {
			const attempt = importLeads(handle.db, { projectId, file: sample(name), region: 'FR', dataDir });
			await expect(attempt, name).rejects.toThrow(ImportRefusedError);
			await expect(attempt, name).rejects.toThrow(reason);
		}
		expect(await tableCounts(handle)).toEqual(before);
		const [i] = await handle.db.select({ n: count() }).from(imports);
		expect(i!.n).toBe(0);
	});

	it.each(expected?.files ?? [])('imports $file with the expected counts', async (spec) => {
		const started = performance.now();
		const result = await importLeads(handle.db, { projectId, file: sample(spec.file), region: spec.region, dataDir });
		const ms = performance.now() - started;
		console.info(`${spec.file}: ${spec.rows_total} rows in ${ms.toFixed(0)} ms (${Math.round((spec.rows_total / ms) * 1000)} rows/s)`);
		expect({
			rows_total: result.total,
			rows_invalid: result.invalid,
			new_leads: result.created,
			rows_matched_existing_or_in_file: result.merged
		}).toEqual({
			rows_total: spec.rows_total,
			rows_invalid: spec.rows_invalid,
			new_leads: spec.new_leads,
			rows_matched_existing_or_in_file: spec.rows_matched_existing_or_in_file
		});
		expect(result.duplicate).toBe(0);
		if (spec.encoding) expect(result.encoding).toBe(spec.encoding.replace('utf-16le (BOM)', 'utf-16le'));
		if (spec.delimiter) expect(result.delimiter).toBe(spec.delimiter === 'tab' ? '\t' : spec.delimiter);
		if (spec.header_row) expect(result.headerRow).toBe(spec.header_row);
		const [row] = await handle.db.select().from(imports).where(eq(imports.id, result.importId));
		expect(row).toMatchObject({ status: 'done', total: spec.rows_total, invalid: spec.rows_invalid, created: spec.new_leads, merged: spec.rows_matched_existing_or_in_file });
		// every invalid row is in the error report with its line and reason
		const report = await readFile(row!.errorReportPath!, 'utf8');
		expect(report.startsWith('\uFEFFline,column,value,reason\r\n')).toBe(true);
	});

	it('creates no new lead when the same file is imported again', async () => {
		const before = await tableCounts(handle);
		const again = await importLeads(handle.db, { projectId, file: sample('prospects-fr.csv'), region: 'FR', dataDir });
		expect(again.created).toBe(0);
		expect(again.merged).toBe(2000 - 49);
		expect(await tableCounts(handle)).toEqual(before);
	});

	it('reports ragged rows and an unclosed quote by line number', async () => {
		const result = await importLeads(handle.db, { projectId, file: sample('bad-ragged.csv'), region: 'FR', dataDir });
		expect(result.total).toBe(3);
		const byLine = new Map<number, string>();
		for (const e of result.errors) byLine.set(e.line, `${byLine.get(e.line) ?? ''}${e.reason}; `);
		expect(byLine.get(2)).toMatch(/2 cells where the header has 3/);
		expect(byLine.get(3)).toMatch(/5 cells where the header has 3/);
		expect(byLine.get(4)).toMatch(/quote opened on line 4 is never closed/);
		expect(result.invalid).toBe(2);
	});

	it('stores formula-looking cells as plain text and escapes them in the report', async () => {
		const result = await importLeads(handle.db, { projectId, file: sample('formula-injection.csv'), region: 'FR', dataDir });
		expect(result).toMatchObject({ total: 3, invalid: 0 });
		const companies = await handle.db.select({ company: leads.company }).from(leads).where(eq(leads.importId, result.importId));
		expect(companies.map((c) => c.company).sort()).toEqual(['-2+3', '=HYPERLINK("http://example.invalid","x")', '@SUM(1+1)']);
	});

	it('skips do-not-call numbers and links merged leads to a second project', async () => {
		await handle.db.insert(dnc).values({ e164: '+33145000099' });
		const [other] = await handle.db.insert(projects).values({ name: 'Second', defaultRegion: 'FR' }).returning();
		const csv = 'Company;Phone;Email\nA;01 45 00 00 99;\nB;01 45 00 00 01;new@example.com\n';
		const result = await importLeads(handle.db, { projectId: other!.id, file: { name: 'x.csv', bytes: Buffer.from(csv) }, region: 'FR', dataDir });
		expect(result).toMatchObject({ total: 2, invalid: 1, merged: 1, created: 0 });
		expect(result.errors[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/do-not-call/) });
		const [lead] = await handle.db.select({ leadId: leadPhones.leadId }).from(leadPhones).where(eq(leadPhones.e164, '+33145000001'));
		const emails = await handle.db.select().from(leadEmails).where(eq(leadEmails.leadId, lead!.leadId));
		expect(emails.map((e) => e.email)).toContain('new@example.com');
		const links = await handle.db.select().from(projectLeads).where(eq(projectLeads.leadId, lead!.leadId));
		expect(links.map((l) => l.projectId).sort()).toEqual([projectId, other!.id].sort());
	});
});

describe.each(testDatabases())('the locks an import batch takes instead of foreign-key checks, on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('locks the project and the leads merged into, and fails the batch for a retry when one of them is gone', async () => {
		const [p] = await handle.db.insert(projects).values({ name: 'Locks' }).returning();
		const [kept] = await handle.db.insert(leads).values({ company: 'Kept' }).returning();
		const [gone] = await handle.db.insert(leads).values({ company: 'Merged away' }).returning();
		await handle.db.delete(leads).where(eq(leads.id, gone!.id));
		await handle.db.transaction((tx) => lockReferenced(tx, p!.id, new Set([kept!.id])));
		await expect(handle.db.transaction((tx) => lockReferenced(tx, p!.id, new Set([kept!.id, gone!.id])))).rejects.toThrow(BatchRaced);
		await expect(handle.db.transaction((tx) => lockReferenced(tx, '00000000-0000-4000-8000-000000000000', new Set()))).rejects.toThrow(/no longer exists/);
	});
});

describe.skipIf(!expected || !process.env.DATABASE_URL)('an import by a Postgres role that may not skip triggers', () => {
	it('runs with every foreign-key check and gives the same counts', async () => {
		const base = process.env.DATABASE_URL!;
		const owner = await openThrowawayPostgres(base);
		const role = `sb_plain_${randomBytes(4).toString('hex')}`;
		const password = randomBytes(9).toString('hex');
		const dataDir = await mkdtemp(path.join(tmpdir(), 'sb-import-plain-'));
		let plain: DatabaseHandle | null = null;
		try {
			const [db] = await queryRows<{ name: string }>(owner.db, sql`select current_database() as name`);
			for (const statement of [
				`create role ${role} login password '${password}'`,
				`grant usage on schema public to ${role}`,
				`grant select, insert, update, delete on all tables in schema public to ${role}`
			])
				await owner.db.execute(sql.raw(statement));
			const url = new URL(base);
			url.username = role;
			url.password = password;
			url.pathname = `/${db!.name}`;
			plain = await openDatabase({ url: url.toString(), max: 2, migrate: false });
			expect(await maySkipTriggers(plain.db)).toBe(false);
			const [p] = await owner.db.insert(projects).values({ name: 'Plain' }).returning();
			const result = await importLeads(plain.db, { projectId: p!.id, file: sample('prospects-fr.csv'), region: 'FR', dataDir });
			expect(result).toMatchObject({ total: 2000, invalid: 49, created: 1715, merged: 236 });
			expect(await tableCounts(owner)).toEqual({ leads: 1715, phones: expect.any(Number), emails: expect.any(Number), links: 1715 });
		} finally {
			await plain?.close();
			await owner.close();
			const admin = await openDatabase({ url: base, max: 1, migrate: false });
			await admin.db.execute(sql.raw(`drop role if exists ${role}`));
			await admin.close();
			await rm(dataDir, { recursive: true, force: true });
		}
	});
});
