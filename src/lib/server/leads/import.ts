/**
 * The import: a prepared file → leads, phones, e-mails and project links, deduplicated by phone OR
 * e-mail within the file and against the whole database.
 *
 * Guarantee (per batch, resumable):
 * - the whole file is read and parsed first: a file that cannot be read to its end is refused with
 *   nothing written (only the wizard's `imports` row records the refusal);
 * - rows are then written in batches, each in one transaction that also advances the `imports` row's
 *   counters: a crash, a database error or a cancel never leaves half a batch, and the row always
 *   says what was committed;
 * - a cancel stops between batches (status `cancelled`); committed batches stay. Importing the same
 *   file again is idempotent: every row then matches the lead it created, no new lead appears.
 * Imports are serialised by a transaction-level advisory lock so two uploads cannot race on the
 * same phone.
 */
import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db';
import { dnc, imports, leadEmails, leadPhones, leads, projectLeads } from '../db/schema';
import type { ColumnMapping } from './columns';
import { ImportRefusedError, type RowProblem } from './errors';
import { isCountryCode, normalizeRow, type NormalRow, type TextField } from './normalize';
import { assertPhoneColumn, prepareFile, type PreparedFile } from './prepare';
import { reportPath, writeReport, type ReportLine } from './report';

export interface ImportCounts {
	total: number;
	created: number;
	merged: number;
	/** rows matching two different existing leads: left for the merge screen, not written */
	duplicate: number;
	invalid: number;
}

export interface ImportProgress extends ImportCounts {
	/** rows handled so far (= total when done) */
	processed: number;
	/** data rows in the file */
	rows: number;
}

export interface ImportLeadsOptions {
	projectId: string;
	file: { name: string; bytes: Uint8Array };
	/** the wizard's imports row; one is created when absent */
	importId?: string;
	mapping?: ColumnMapping | Record<string, string> | null;
	headerRow?: number | null;
	/** ISO region for national numbers, e.g. FR */
	region: string;
	actorId?: string | null;
	/** the error report goes to DATA_DIR/imports/<id>-errors.csv */
	dataDir: string;
	batchSize?: number;
	onProgress?: (progress: ImportProgress) => void;
	signal?: AbortSignal;
}

export interface ImportResult extends ImportCounts {
	importId: string;
	status: 'done' | 'cancelled';
	format: string;
	encoding: string | null;
	delimiter: string | null;
	headerRow: number;
	mapping: ColumnMapping;
	errors: ReportLine[];
	reportPath: string | null;
	ms: number;
}

const IMPORT_LOCK = 727_110_002;
const LEAD_COLUMN: Record<TextField, 'company' | 'contactName' | 'position' | 'city' | 'industry' | 'size' | 'website'> = {
	company: 'company',
	contact: 'contactName',
	position: 'position',
	city: 'city',
	industry: 'industry',
	size: 'size',
	website: 'website'
};

export async function createImport(
	db: Db | Tx,
	input: { projectId: string; fileName: string; filePath?: string | null; actorId?: string | null }
): Promise<string> {
	const [row] = await db
		.insert(imports)
		.values({ projectId: input.projectId, fileName: input.fileName, filePath: input.filePath ?? null, createdBy: input.actorId ?? null })
		.returning({ id: imports.id });
	return row!.id;
}

function problemLines(row: NormalRow, problems: RowProblem[]): ReportLine[] {
	return problems.map((p) => ({ line: row.line, column: p.column ?? '', value: p.value ?? '', reason: p.message }));
}

export async function importLeads(db: Db, options: ImportLeadsOptions): Promise<ImportResult> {
	const started = performance.now();
	const region = options.region.toUpperCase();
	if (!isCountryCode(region)) throw new ImportRefusedError('bad_region', `Unknown region "${options.region}": use a two-letter country code such as FR.`);

	let file: PreparedFile;
	try {
		file = await prepareFile(options.file.bytes, { mapping: options.mapping, headerRow: options.headerRow });
		assertPhoneColumn(file);
	} catch (e) {
		if (options.importId) await markFailed(db, options.importId, e);
		throw e;
	}

	const importId =
		options.importId ?? (await createImport(db, { projectId: options.projectId, fileName: options.file.name, actorId: options.actorId }));
	await db
		.update(imports)
		.set({
			status: 'running',
			format: file.format,
			encoding: file.encoding,
			delimiter: file.delimiter,
			headerRow: file.headerRow,
			mapping: file.mapping,
			region,
			error: null,
			total: 0,
			created: 0,
			merged: 0,
			duplicate: 0,
			invalid: 0
		})
		.where(eq(imports.id, importId));

	const counts: ImportCounts = { total: 0, created: 0, merged: 0, duplicate: 0, invalid: 0 };
	const report: ReportLine[] = [];
	const batchSize = options.batchSize ?? 1000;
	const normalize = { header: file.header, mapping: file.mapping, region, width: file.width };
	let status: 'done' | 'cancelled' = 'done';
	const file_ = reportPath(options.dataDir, importId);
	try {
		for (let start = 0; start < file.rows.length; start += batchSize) {
			if (options.signal?.aborted) {
				status = 'cancelled';
				break;
			}
			const batch = file.rows.slice(start, start + batchSize).map((r) => normalizeRow(r, normalize));
			const next = { ...counts };
			const lines: ReportLine[] = [];
			await db.transaction(async (tx) => {
				await writeBatch(tx, { projectId: options.projectId, importId, source: options.file.name }, batch, next, lines);
				await tx.update(imports).set(next).where(eq(imports.id, importId));
			});
			Object.assign(counts, next);
			report.push(...lines);
			options.onProgress?.({ ...counts, processed: counts.total, rows: file.rows.length });
		}
	} catch (e) {
		await writeReport(file_, report).catch(() => {});
		await markFailed(db, importId, e, report.length ? file_ : null);
		throw e;
	}
	if (report.length) await writeReport(file_, report);
	await db
		.update(imports)
		.set({ status, errorReportPath: report.length ? file_ : null, finishedAt: new Date() })
		.where(eq(imports.id, importId));
	return {
		...counts,
		importId,
		status,
		format: file.format,
		encoding: file.encoding,
		delimiter: file.delimiter,
		headerRow: file.headerRow,
		mapping: file.mapping,
		errors: report,
		reportPath: report.length ? file_ : null,
		ms: performance.now() - started
	};
}

async function markFailed(db: Db, importId: string, e: unknown, errorReportPath: string | null = null): Promise<void> {
	await db
		.update(imports)
		.set({ status: 'failed', error: e instanceof Error ? e.message : String(e), errorReportPath, finishedAt: new Date() })
		.where(eq(imports.id, importId));
}

type NewLead = typeof leads.$inferInsert & { id: string; portrait: Record<string, string> };

/** Dedup and write one batch inside `tx`; `counts` and `report` are advanced in place. */
async function writeBatch(
	tx: Tx,
	ctx: { projectId: string; importId: string; source: string },
	rows: NormalRow[],
	counts: ImportCounts,
	report: ReportLine[]
): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
	const phoneList = [...new Set(rows.flatMap((r) => (r.valid ? r.phones.map((p) => p.e164) : [])))];
	const emailList = [...new Set(rows.flatMap((r) => (r.valid ? r.emails : [])))];
	const phoneOwner = new Map<string, string>();
	const emailOwner = new Map<string, string>();
	const blocked = new Set<string>();
	if (phoneList.length) {
		const found = await tx.select({ e164: leadPhones.e164, leadId: leadPhones.leadId }).from(leadPhones).where(inArray(leadPhones.e164, phoneList));
		for (const f of found) phoneOwner.set(f.e164, f.leadId);
		const listed = await tx.select({ e164: dnc.e164 }).from(dnc).where(inArray(dnc.e164, phoneList));
		for (const d of listed) blocked.add(d.e164);
	}
	if (emailList.length) {
		const found = await tx.select({ email: leadEmails.email, leadId: leadEmails.leadId }).from(leadEmails).where(inArray(leadEmails.email, emailList));
		for (const f of found) emailOwner.set(f.email, f.leadId);
	}

	const created = new Map<string, NewLead>();
	const fills = new Map<string, { fields: Partial<Record<TextField, string>>; portrait: Record<string, string> }>();
	const phoneRows: (typeof leadPhones.$inferInsert)[] = [];
	const emailRows: (typeof leadEmails.$inferInsert)[] = [];
	const touched = new Set<string>();

	for (const row of rows) {
		counts.total++;
		if (!row.valid) {
			counts.invalid++;
			report.push(...problemLines(row, row.problems));
			continue;
		}
		const problems = [...row.problems];
		const phones = row.phones.filter((p) => {
			if (!blocked.has(p.e164)) return true;
			problems.push({ code: 'dnc', value: p.raw, message: `${p.e164} is on the do-not-call list: skipped`, fatal: false });
			return false;
		});
		if (phones.length === 0) {
			counts.invalid++;
			report.push(...problemLines(row, [...problems, { code: 'dnc', message: 'every phone of the row is on the do-not-call list', fatal: true }]));
			continue;
		}
		const owners = new Set<string>();
		for (const p of phones) {
			const owner = phoneOwner.get(p.e164);
			if (owner) owners.add(owner);
		}
		for (const e of row.emails) {
			const owner = emailOwner.get(e);
			if (owner) owners.add(owner);
		}
		if (owners.size > 1) {
			counts.duplicate++;
			report.push(
				...problemLines(row, [
					...problems,
					{
						code: 'ambiguous_match',
						message: `its phones and e-mails belong to ${owners.size} different leads: not imported, resolve it on the merge screen`,
						fatal: true
					}
				])
			);
			continue;
		}
		report.push(...problemLines(row, problems));
		let leadId = [...owners][0];
		if (!leadId) {
			leadId = randomUUID();
			created.set(leadId, { id: leadId, portrait: { ...row.portrait }, source: ctx.source, importId: ctx.importId, ...leadColumns(row.fields) });
			counts.created++;
		} else {
			counts.merged++;
			const fresh = created.get(leadId);
			if (fresh) {
				for (const [k, v] of Object.entries(leadColumns(row.fields)) as [keyof NewLead, string][])
					if (!fresh[k]) (fresh as Record<string, unknown>)[k] = v;
				fresh.portrait = { ...row.portrait, ...fresh.portrait };
			} else {
				const fill = fills.get(leadId) ?? { fields: {}, portrait: {} };
				fill.fields = { ...row.fields, ...fill.fields };
				fill.portrait = { ...row.portrait, ...fill.portrait };
				fills.set(leadId, fill);
			}
		}
		touched.add(leadId);
		for (const p of phones) {
			if (phoneOwner.has(p.e164)) continue;
			phoneOwner.set(p.e164, leadId);
			phoneRows.push({ leadId, e164: p.e164, raw: p.raw });
		}
		for (const e of row.emails) {
			if (emailOwner.has(e)) continue;
			emailOwner.set(e, leadId);
			emailRows.push({ leadId, email: e });
		}
	}

	if (created.size) await insertChunked(tx, leads, [...created.values()], 12);
	if (phoneRows.length) await insertChunked(tx, leadPhones, phoneRows, 4, true);
	if (emailRows.length) await insertChunked(tx, leadEmails, emailRows, 3, true);
	if (fills.size) await fillLeads(tx, fills);
	if (touched.size)
		await insertChunked(
			tx,
			projectLeads,
			[...touched].map((leadId) => ({ projectId: ctx.projectId, leadId })),
			3,
			true
		);
}

function leadColumns(fields: Partial<Record<TextField, string>>): Partial<NewLead> {
	const out: Partial<Record<string, string>> = {};
	for (const [k, v] of Object.entries(fields) as [TextField, string][]) out[LEAD_COLUMN[k]] = v;
	return out as Partial<NewLead>;
}

type Insertable = typeof leads | typeof leadPhones | typeof leadEmails | typeof projectLeads;

/** Multi-row inserts kept under Postgres's 65,535 parameters per statement. */
async function insertChunked<T extends Insertable>(
	tx: Tx,
	table: T,
	values: T['$inferInsert'][],
	columns: number,
	ignoreConflicts = false
): Promise<void> {
	const size = Math.max(1, Math.floor(30_000 / columns));
	for (let i = 0; i < values.length; i += size) {
		const q = tx.insert(table).values(values.slice(i, i + size) as never);
		await (ignoreConflicts ? q.onConflictDoNothing() : q);
	}
}

/** Existing leads keep what they have; empty fields are filled from the merged rows, portraits are unioned. */
async function fillLeads(
	tx: Tx,
	fills: Map<string, { fields: Partial<Record<TextField, string>>; portrait: Record<string, string> }>
): Promise<void> {
	const entries = [...fills.entries()];
	for (let i = 0; i < entries.length; i += 2000) {
		const values = sql.join(
			entries.slice(i, i + 2000).map(
				([id, f]) =>
					sql`(${id}::uuid, ${f.fields.company ?? null}::text, ${f.fields.contact ?? null}::text, ${f.fields.position ?? null}::text, ${f.fields.city ?? null}::text, ${f.fields.industry ?? null}::text, ${f.fields.size ?? null}::text, ${f.fields.website ?? null}::text, ${JSON.stringify(f.portrait)}::jsonb)`
			),
			sql`, `
		);
		await tx.execute(sql`
			update leads as l set
				company = coalesce(nullif(l.company, ''), v.company),
				contact_name = coalesce(nullif(l.contact_name, ''), v.contact),
				position = coalesce(nullif(l.position, ''), v.position),
				city = coalesce(nullif(l.city, ''), v.city),
				industry = coalesce(nullif(l.industry, ''), v.industry),
				size = coalesce(nullif(l.size, ''), v.size),
				website = coalesce(nullif(l.website, ''), v.website),
				portrait = v.portrait || l.portrait
			from (values ${values}) as v(id, company, contact, position, city, industry, size, website, portrait)
			where l.id = v.id and l.erased_at is null`);
	}
}
