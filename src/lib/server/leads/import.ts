/**
 * The import: a prepared file → leads, phones, e-mails and project links, deduplicated by phone OR
 * e-mail within the file and against the whole database.
 *
 * Guarantee (per batch, resumable):
 * - the file is streamed; its format, encoding and header are settled from its first rows, and a
 *   file refused there leaves nothing written (only the wizard's `imports` row records the refusal);
 * - rows are written in batches, each in one transaction that also advances the `imports` row's
 *   counters: a crash, a Postgres restart, a database error or a cancel never leaves half a batch,
 *   and the row always says what was committed. `resume` continues after the last committed batch;
 * - a cancel stops at the next batch boundary (status `cancelled`): every committed batch stays,
 *   nothing of the next one is written. Importing the same file again is idempotent: every row
 *   then matches the lead it created, no new lead appears.
 * Each batch is set-based: one lookup per table for its phones and e-mails, one multi-row statement
 * per table for its writes, while the next batch is read and normalised. Imports are serialised by
 * a transaction-level advisory lock so two uploads cannot race on the same phone.
 */
import { resolve } from 'node:path';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Db, Tx } from '../db';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors';
import { driverOf, pgArray, queryRows } from '../db/rows';
import { uuidv7 } from '../db/uuid7';
import { imports } from '../db/schema';
import type { ColumnMapping } from './columns';
import { ImportRefusedError, type RowProblem } from './errors';
import { isCountryCode, normalizeRow, TEXT_FIELDS, type NormalRow, type TextField } from './normalize';
import { IMPORT_HEAP_GROWING_PERCENT, withImportHeap } from './import-heap';
import { assertPhoneColumn, prepareFile, type PreparedFile } from './prepare';
import { ReportFile, reportPath, type ReportLine } from './report';
import { recordMergeCandidate } from './merge';

export interface ImportCounts {
	total: number;
	created: number;
	merged: number;
	/** rows matching two different existing leads: left for the merge screen, not written */
	duplicate: number;
	invalid: number;
}

export interface ImportProgress extends ImportCounts {
	/** rows committed so far (= total) */
	processed: number;
	/** bytes of the file read so far, and its size: the share done */
	bytesRead: number;
	bytesTotal: number;
}

export interface ImportLeadsOptions {
	projectId: string;
	/** the file: its path on disk (streamed) or its bytes */
	file: { name: string } & ({ path: string } | { bytes: Uint8Array });
	/** the wizard's imports row; one is created when absent */
	importId?: string;
	/**
	 * continue `importId` after its last committed batch (a crash, a restart): its counters are
	 * kept and the rows they cover are skipped
	 */
	resume?: boolean;
	mapping?: ColumnMapping | Record<string, string> | null;
	headerRow?: number | null;
	/** ISO region for national numbers, e.g. FR */
	region: string;
	actorId?: string | null;
	/** the error report goes to DATA_DIR/imports/<id>-errors.csv */
	dataDir: string;
	/** rows per transaction (default 5,000) */
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
	/**
	 * where the time went: reading and normalising the rows (`readMs`), writing the batches (dedup
	 * lookups and inserts, `writeMs`) — the two overlap — and the reader waiting for the writer
	 * (`waitMs`: the database is the bottleneck when this is most of `ms`)
	 */
	timings: { readMs: number; writeMs: number; waitMs: number };
}

const IMPORT_LOCK = 727_110_002;
/** rows normalised between two turns of the event loop while a batch is being written (≈ 1.5 ms) */
const YIELD_ROWS = 50;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
/** a batch losing a race on a phone or e-mail is run again on fresh lookups, this many times in all */
const BATCH_ATTEMPTS = 3;
const LEAD_COLUMN: Record<TextField, string> = {
	company: 'company',
	contact: 'contact_name',
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

/** The row is no longer ours to advance: cancelled, or continued by another process. */
class ImportStopped extends Error {}

const ZERO: ImportCounts = { total: 0, created: 0, merged: 0, duplicate: 0, invalid: 0 };

export async function importLeads(db: Db, options: ImportLeadsOptions): Promise<ImportResult> {
	const started = performance.now();
	const region = options.region.toUpperCase();
	if (!isCountryCode(region)) throw new ImportRefusedError('bad_region', `Unknown region "${options.region}": use a two-letter country code such as FR.`);

	let file: PreparedFile;
	try {
		file = await prepareFile('path' in options.file ? options.file.path : options.file.bytes, {
			mapping: options.mapping,
			headerRow: options.headerRow
		});
		assertPhoneColumn(file);
	} catch (e) {
		if (options.importId) await markFailed(db, options.importId, e);
		throw e;
	}

	try {
		return await withImportHeap(IMPORT_HEAP_GROWING_PERCENT[driverOf(db).kind], () => runImport(db, options, file, region, started));
	} finally {
		await file.close();
	}
}

async function runImport(db: Db, options: ImportLeadsOptions, file: PreparedFile, region: CountryCode, started: number): Promise<ImportResult> {
	const importId =
		options.importId ??
		(await createImport(db, {
			projectId: options.projectId,
			fileName: options.file.name,
			// a file on disk can be resumed after a crash
			filePath: 'path' in options.file ? resolve(options.file.path) : null,
			actorId: options.actorId
		}));
	const counts: ImportCounts = { ...ZERO };
	if (options.resume) {
		const [row] = await db.select().from(imports).where(eq(imports.id, importId));
		if (!row) throw new Error(`import ${importId} does not exist`);
		Object.assign(counts, { total: row.total, created: row.created, merged: row.merged, duplicate: row.duplicate, invalid: row.invalid });
	}
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
			finishedAt: null,
			...counts
		})
		.where(eq(imports.id, importId));

	const batchSize = options.batchSize ?? 5000;
	const normalize = { header: file.header, mapping: file.mapping, region, width: file.width };
	const ctx: BatchContext = { projectId: options.projectId, importId, source: options.file.name, skipTriggers: await maySkipTriggers(db) };
	const report = new ReportFile(reportPath(options.dataDir, importId));
	let status: 'done' | 'cancelled' = 'done';
	// the batch being committed while the next one is read and normalised
	let inFlight: Promise<void> | null = null;
	let failure: { error: unknown } | null = null;
	const timings = { readMs: 0, writeMs: 0, waitMs: 0 };

	const commit = async (batch: NormalRow[], attempt = 1): Promise<void> => {
		const next = { ...counts };
		const lines: ReportLine[] = [];
		const writeStarted = performance.now();
		try {
			await writeCommitted(batch, next, lines);
		} catch (e) {
			// a phone or e-mail taken by a writer outside the import lock since the lookup, or a lead
			// merged away meanwhile (a foreign-key violation when the checks run): look again
			if (!(isUniqueViolation(e) || isForeignKeyViolation(e) || e instanceof BatchRaced) || attempt >= BATCH_ATTEMPTS) throw e;
			return commit(batch, attempt + 1);
		} finally {
			timings.writeMs += performance.now() - writeStarted;
		}
		Object.assign(counts, next);
		report.keep(lines);
		options.onProgress?.({ ...counts, processed: counts.total, bytesRead: file.position(), bytesTotal: file.size });
	};
	const writeCommitted = async (batch: NormalRow[], next: ImportCounts, lines: ReportLine[]): Promise<void> => {
		await db.transaction(async (tx) => {
			await writeBatch(tx, ctx, batch, next, lines);
			// written before the commit: a resume drops the lines of a batch that did not commit
			await report.append(lines);
			// Only while the row is still ours: running, at the count this batch started from. A cancel
			// (from any node) or another process resuming the same import rolls this batch back.
			const still = await tx
				.update(imports)
				.set(next)
				.where(and(eq(imports.id, importId), eq(imports.status, 'running'), eq(imports.total, counts.total)))
				.returning({ id: imports.id });
			if (still.length === 0) throw new ImportStopped();
		});
	};
	const settle = async (): Promise<void> => {
		const waitStarted = performance.now();
		if (inFlight) await inFlight;
		timings.waitMs += performance.now() - waitStarted;
		inFlight = null;
		if (failure) throw failure.error;
	};
	const submit = async (batch: NormalRow[]): Promise<boolean> => {
		await settle();
		if (options.signal?.aborted) {
			status = 'cancelled';
			return false;
		}
		inFlight = commit(batch).catch((error: unknown) => {
			failure = { error };
		});
		return true;
	};

	const readStarted = performance.now();
	try {
		let skip = options.resume ? counts.total : 0;
		let lastSkippedLine = 0;
		let batch: NormalRow[] = [];
		let going = true;
		for await (const row of file.rows()) {
			if (skip > 0) {
				skip--;
				lastSkippedLine = row.line;
				continue;
			}
			if (!report.opened) await report.open(options.resume ? lastSkippedLine : 0);
			batch.push(normalizeRow(row, normalize));
			// Reading a chunk of the file is one long run of microtasks, during which the batch in
			// flight cannot send its next statement: let it, so the database is not left idle.
			if (inFlight && batch.length % YIELD_ROWS === 0) await yieldToIo();
			if (batch.length >= batchSize) {
				going = await submit(batch);
				batch = [];
				if (!going) break;
			}
		}
		if (!report.opened) await report.open(options.resume ? lastSkippedLine : 0);
		if (going && batch.length) await submit(batch);
		await settle();
	} catch (e) {
		await settle().catch(() => {});
		if (!(e instanceof ImportStopped)) {
			// with the database gone the row stays `running`: resumed on the next start
			await markFailed(db, importId, e, report.hasLines ? report.path : null).catch(() => {});
			throw e;
		}
		const [row] = await db.select({ status: imports.status }).from(imports).where(eq(imports.id, importId));
		if (row?.status !== 'cancelled') throw new Error(`import ${importId} is being continued by another process`);
		status = 'cancelled';
	}
	timings.readMs = performance.now() - readStarted - timings.waitMs;
	await db
		.update(imports)
		.set({ status, errorReportPath: report.hasLines ? report.path : null, finishedAt: new Date() })
		.where(and(eq(imports.id, importId), inArray(imports.status, ['running', 'cancelled'])));
	return {
		...counts,
		importId,
		status,
		format: file.format,
		encoding: file.encoding,
		delimiter: file.delimiter,
		headerRow: file.headerRow,
		mapping: file.mapping,
		errors: report.lines,
		reportPath: report.hasLines ? report.path : null,
		ms: performance.now() - started,
		timings: { readMs: Math.round(timings.readMs), writeMs: Math.round(timings.writeMs), waitMs: Math.round(timings.waitMs) }
	};
}

async function markFailed(db: Db, importId: string, e: unknown, errorReportPath: string | null = null): Promise<void> {
	await db
		.update(imports)
		.set({ status: 'failed', error: e instanceof Error ? e.message : String(e), errorReportPath, finishedAt: new Date() })
		.where(eq(imports.id, importId));
}

interface NewLead {
	id: string;
	fields: Partial<Record<TextField, string>>;
	portrait: Record<string, string>;
}

interface Fill {
	fields: Partial<Record<TextField, string>>;
	portrait: Record<string, string>;
}

/**
 * One column of a batch as one array parameter (`type[]`): set-based statements whatever the batch
 * size, the same SQL on both engines.
 */
function column<T>(rows: readonly T[], pick: (row: T) => string | null | undefined, type: 'uuid' | 'text' | 'jsonb'): SQL {
	return sql`${pgArray(rows.map(pick))}::${sql.raw(type)}[]`;
}

const LEAD_TEXT_COLUMNS = sql.raw(TEXT_FIELDS.map((f) => LEAD_COLUMN[f]).join(', '));

/** Leads as the rows of `x(id, company, contact_name, …, portrait)`; a portrait is null when empty. */
function leadRows(rows: readonly { id: string; fields: Partial<Record<TextField, string>>; portrait: Record<string, string> }[]): SQL {
	const texts = TEXT_FIELDS.map((f) => column(rows, (r) => r.fields[f], 'text'));
	const portraits = column(rows, (r) => (Object.keys(r.portrait).length ? JSON.stringify(r.portrait) : null), 'jsonb');
	return sql`unnest(${column(rows, (r) => r.id, 'uuid')}, ${sql.join(texts, sql`, `)}, ${portraits}) as x(id, ${LEAD_TEXT_COLUMNS}, portrait)`;
}

interface BatchContext {
	projectId: string;
	importId: string;
	source: string;
	/** the batch may skip the foreign-key triggers: see `writeBatch` */
	skipTriggers: boolean;
}

/**
 * Whether this database session may set `session_replication_role` (superuser — PGlite, the usual
 * single-tenant Postgres — or, on Postgres 15+, a role granted
 * `GRANT SET ON PARAMETER session_replication_role TO <role>`).
 */
export async function maySkipTriggers(db: Db): Promise<boolean> {
	const [row] = await queryRows<{ ok: boolean }>(
		db,
		sql`select current_setting('is_superuser') = 'on'
			or (current_setting('server_version_num')::int >= 150000 and has_parameter_privilege('session_replication_role', 'SET')) as ok`
	);
	return row?.ok === true;
}

/** A lead the batch refers to was deleted (merged, erased) since it was looked up: run it again. */
export class BatchRaced extends Error {}

/**
 * Dedup and write one batch inside `tx`; `counts` and `report` are advanced in place.
 *
 * Per lead this writes four rows whose foreign keys Postgres checks one by one with a query each:
 * measured, those checks were half the database's work of an import. Every key the batch writes
 * is known to hold — the leads it creates are its own, the project and the leads it merges into are
 * locked here (`for key share`, exactly the lock a foreign-key check takes), the imports row is
 * updated by the same transaction — so when the role may, the batch runs with
 * `session_replication_role = replica` (its transaction only), which skips those triggers. The
 * tables carry no other triggers (a test keeps it so); unique indexes still apply. Commits are
 * asynchronous: a crash may lose the last batches, never half of one, and the imports row's
 * counters go with them, so a resume writes them again.
 */
async function writeBatch(tx: Tx, ctx: BatchContext, rows: NormalRow[], counts: ImportCounts, report: ReportLine[]): Promise<void> {
	const settings = sql`select pg_advisory_xact_lock(${IMPORT_LOCK}), set_config('synchronous_commit', 'off', true)`;
	// only a role that may: setting it at all, even to its default, is refused to the others
	await tx.execute(ctx.skipTriggers ? sql`${settings}, set_config('session_replication_role', 'replica', true)` : settings);
	const phoneList = [...new Set(rows.flatMap((r) => (r.valid ? r.phones.map((p) => p.e164) : [])))];
	const emailList = [...new Set(rows.flatMap((r) => (r.valid ? r.emails : [])))];
	const phoneOwner = new Map<string, string>();
	const emailOwner = new Map<string, string>();
	const blocked = new Set<string>();
	if (phoneList.length) {
		const phones = pgArray(phoneList);
		const found = await queryRows<{ e164: string; lead_id: string }>(tx, sql`select e164, lead_id from lead_phones where e164 = any(${phones}::text[])`);
		for (const f of found) phoneOwner.set(f.e164, f.lead_id);
		const listed = await queryRows<{ e164: string }>(tx, sql`select e164 from dnc where e164 = any(${phones}::text[])`);
		for (const d of listed) blocked.add(d.e164);
	}
	if (emailList.length) {
		const found = await queryRows<{ email: string; lead_id: string }>(
			tx,
			sql`select email, lead_id from lead_emails where email = any(${pgArray(emailList)}::text[])`
		);
		for (const f of found) emailOwner.set(f.email, f.lead_id);
	}

	const created = new Map<string, NewLead>();
	const fills = new Map<string, Fill>();
	const phoneRows: { id: string; lead_id: string; e164: string; raw: string }[] = [];
	const emailRows: { id: string; lead_id: string; email: string }[] = [];
	/** existing leads the batch merged into: maybe already in the project */
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
			// not guessed: the row waits on the merge screen with everything it carried
			await recordMergeCandidate(tx, {
				leadIds: [...owners],
				projectId: ctx.projectId,
				importId: ctx.importId,
				line: row.line,
				phones: phones.map((p) => p.e164),
				emails: row.emails,
				fields: Object.fromEntries(Object.entries(row.fields).filter((e): e is [string, string] => typeof e[1] === 'string'))
			});
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
			leadId = uuidv7();
			created.set(leadId, { id: leadId, fields: { ...row.fields }, portrait: { ...row.portrait } });
			counts.created++;
		} else {
			counts.merged++;
			// a lead created earlier in this batch, or one already in the database: fill its empty fields
			const target = created.get(leadId) ?? fills.get(leadId) ?? { fields: {}, portrait: {} };
			target.fields = { ...row.fields, ...target.fields };
			target.portrait = { ...row.portrait, ...target.portrait };
			if (!created.has(leadId)) fills.set(leadId, target);
		}
		if (!created.has(leadId)) touched.add(leadId);
		for (const p of phones) {
			if (phoneOwner.has(p.e164)) continue;
			phoneOwner.set(p.e164, leadId);
			phoneRows.push({ id: uuidv7(), lead_id: leadId, e164: p.e164, raw: p.raw });
		}
		for (const e of row.emails) {
			if (emailOwner.has(e)) continue;
			emailOwner.set(e, leadId);
			emailRows.push({ id: uuidv7(), lead_id: leadId, email: e });
		}
	}

	if (ctx.skipTriggers) await lockReferenced(tx, ctx.projectId, touched);
	if (created.size)
		await tx.execute(sql`
			insert into leads (id, ${LEAD_TEXT_COLUMNS}, portrait, source, import_id)
			select x.id, ${LEAD_TEXT_COLUMNS}, coalesce(x.portrait, '{}'), ${ctx.source}, ${ctx.importId}::uuid
			from ${leadRows([...created.values()])}`);
	// Every phone and e-mail written here was looked up above under the import lock and found
	// free, so these are plain inserts (ON CONFLICT costs a speculative insertion per row); a writer
	// outside the lock that took one meanwhile fails the batch with a unique violation, and `commit`
	// runs it again on fresh lookups.
	if (phoneRows.length)
		await tx.execute(sql`
			insert into lead_phones (id, lead_id, e164, raw)
			select * from unnest(${column(phoneRows, (r) => r.id, 'uuid')}, ${column(phoneRows, (r) => r.lead_id, 'uuid')},
				${column(phoneRows, (r) => r.e164, 'text')}, ${column(phoneRows, (r) => r.raw, 'text')})`);
	if (emailRows.length)
		await tx.execute(sql`
			insert into lead_emails (id, lead_id, email)
			select * from unnest(${column(emailRows, (r) => r.id, 'uuid')}, ${column(emailRows, (r) => r.lead_id, 'uuid')}, ${column(emailRows, (r) => r.email, 'text')})`);
	if (fills.size) await fillLeads(tx, fills);
	if (created.size) {
		const leadIds = [...created.keys()];
		await tx.execute(sql`
			insert into project_leads (id, project_id, lead_id)
			select x.id, ${ctx.projectId}::uuid, x.lead_id
			from unnest(${column(leadIds, () => uuidv7(), 'uuid')}, ${column(leadIds, (id) => id, 'uuid')}) as x(id, lead_id)`);
	}
	if (touched.size)
		await tx.execute(sql`
			insert into project_leads (project_id, lead_id)
			select ${ctx.projectId}::uuid, x from unnest(${column([...touched], (id) => id, 'uuid')}) as x
			on conflict do nothing`);
}

/**
 * Takes the locks the skipped foreign-key checks would have taken: the project and every existing
 * lead the batch writes rows for (`touched`). One gone since the lookup fails the batch for a retry.
 */
export async function lockReferenced(tx: Tx, projectId: string, touched: Set<string>): Promise<void> {
	const [project] = await queryRows<{ id: string }>(tx, sql`select id from projects where id = ${projectId}::uuid for key share`);
	if (!project) throw new Error(`project ${projectId} no longer exists`);
	if (touched.size === 0) return;
	const locked = await queryRows<{ id: string }>(
		tx,
		sql`select id from leads where id = any(${column([...touched], (id) => id, 'uuid')}) for key share`
	);
	if (locked.length !== touched.size) throw new BatchRaced();
}

/** Existing leads keep what they have; empty fields are filled from the merged rows, portraits are unioned. */
async function fillLeads(tx: Tx, fills: Map<string, Fill>): Promise<void> {
	await tx.execute(sql`
		update leads as l set
			company = coalesce(nullif(l.company, ''), x.company),
			contact_name = coalesce(nullif(l.contact_name, ''), x.contact_name),
			position = coalesce(nullif(l.position, ''), x.position),
			city = coalesce(nullif(l.city, ''), x.city),
			industry = coalesce(nullif(l.industry, ''), x.industry),
			size = coalesce(nullif(l.size, ''), x.size),
			website = coalesce(nullif(l.website, ''), x.website),
			portrait = coalesce(x.portrait, '{}') || l.portrait
		from ${leadRows([...fills.entries()].map(([id, f]) => ({ id, ...f })))}
		where l.id = x.id and l.erased_at is null`);
}
