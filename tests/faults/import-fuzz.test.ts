/**
 * Import fuzzing (issue 10 item 5): 10,000 mutated CSV/XLSX files (import-corpus.ts: seeds cut
 * from the sample files, byte flips, truncation, encoding garbage, delimiter chaos, huge fields,
 * formula cells, broken zips, hostile workbook cells) go through the public entry points:
 * - every file through the upload step (`prepareFile` + `previewRows`, what the wizard runs);
 * - every IMPORT_EVERY-th file also through `importLeads` on PGlite, in batches of 4 rows.
 * (An import costs ~100 ms on PGlite against ~5 ms for the upload step: all 10k imported would
 * take ~20 minutes. `SB_FUZZ_IMPORT_EVERY=1` imports every one.)
 *
 * Each file must be refused with a clear message (ImportRefusedError: a known code, a sentence)
 * leaving nothing written, or be read / imported with every row error naming its line, column and
 * reason, counters that add up, and exactly as many new leads in the database as it reports — a
 * batch is never half there. Never another error out of the importer, never a hang.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { imports, leads, projects } from '../../src/lib/server/db/schema';
import { ImportRefusedError, type RefusalCode } from '../../src/lib/server/leads/errors';
import { importLeads } from '../../src/lib/server/leads/import';
import { prepareFile, previewRows } from '../../src/lib/server/leads/prepare';
import { mutate, mutation, textSeeds, workbookSeeds, type Seed } from './import-corpus';

const FILES = Number(process.env.SB_FUZZ_FILES ?? 10_000);
const SEED = Number(process.env.SB_FUZZ_SEED ?? 20261125);
const IMPORT_EVERY = Number(process.env.SB_FUZZ_IMPORT_EVERY ?? 10);
/** one import never takes this long: beyond it the importer is taken as hung */
const HANG_MS = 20_000;
const REFUSALS: ReadonlySet<RefusalCode> = new Set([
	'empty', 'not_text', 'legacy_xls', 'ods', 'unsupported_archive', 'corrupt_workbook', 'no_sheet',
	'no_header', 'no_rows', 'no_phone_column', 'bad_region', 'too_large'
]);

// ── the property ──

describe('import fuzzing: mutated CSV and XLSX files through importLeads (PGlite)', () => {
	let handle: DatabaseHandle;
	let dataDir: string;
	let projectId: string;
	let seeds: Seed[];
	const tally = { files: 0, refused: 0, read: 0, imported: 0, rowErrors: 0, byRefusal: new Map<string, number>() };

	beforeAll(async () => {
		dataDir = await mkdtemp(path.join(tmpdir(), 'sb-import-fuzz-'));
		handle = await openDatabase({ dataDir: 'memory://' });
		const [p] = await handle.db.insert(projects).values({ name: 'Fuzz', defaultRegion: 'FR' }).returning();
		projectId = p!.id;
		seeds = [...(await textSeeds()), ...(await workbookSeeds())];
	}, 120_000);

	afterAll(async () => {
		await handle?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	const countOf = async (t: typeof leads | typeof imports) => (await handle.db.select({ n: count() }).from(t))[0]!.n;

	/** Races `work` against the hang deadline. */
	async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
		let timer: NodeJS.Timeout | undefined;
		const hung = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`the importer hung: ${what}`)), HANG_MS);
		});
		try {
			return await Promise.race([work, hung]);
		} finally {
			clearTimeout(timer);
		}
	}

	function checkRefusal(err: unknown): ImportRefusedError {
		if (!(err instanceof ImportRefusedError)) throw err;
		expect(REFUSALS.has(err.code), `refusal code ${err.code}`).toBe(true);
		expect(err.message.length, 'a refusal says why').toBeGreaterThan(10);
		return err;
	}

	/** The upload step: the file is refused, or its header is found and its first rows preview. */
	async function upload(seed: Seed, bytes: Uint8Array): Promise<boolean> {
		tally.files++;
		try {
			await bounded(`upload of a mutation of ${seed.name} (${bytes.length} bytes)`, (async () => {
				const file = await prepareFile(bytes);
				try {
					for (const row of previewRows(file, 'FR', 50)) {
						expect(Number.isInteger(row.line) && row.line > 0, `preview line ${row.line}`).toBe(true);
						for (const p of row.problems) expect(p.message.length, 'a row problem says why').toBeGreaterThan(5);
					}
				} finally {
					await file.close();
				}
			})());
			tally.read++;
			return true;
		} catch (err) {
			const refusal = checkRefusal(err);
			tally.refused++;
			tally.byRefusal.set(refusal.code, (tally.byRefusal.get(refusal.code) ?? 0) + 1);
			return false;
		}
	}

	/** The import: refused with nothing written, or imported with whole batches and named row errors. */
	async function importOne(seed: Seed, bytes: Uint8Array): Promise<void> {
		const leadsBefore = await countOf(leads);
		const importsBefore = await countOf(imports);
		let result: Awaited<ReturnType<typeof importLeads>>;
		try {
			result = await bounded(
				`import of a mutation of ${seed.name} (${bytes.length} bytes)`,
				// small batches: a file spans several transactions, so a half-written one would show
				importLeads(handle.db, { projectId, file: { name: seed.name, bytes }, region: 'FR', dataDir, batchSize: 4 })
			);
		} catch (err) {
			checkRefusal(err);
			expect(await countOf(leads), 'a refused file writes no lead').toBe(leadsBefore);
			expect(await countOf(imports), 'a refused file leaves no import row').toBe(importsBefore);
			return;
		}
		tally.imported++;
		tally.rowErrors += result.errors.length;
		expect(result.status).toBe('done');
		expect(result.created + result.merged + result.duplicate + result.invalid).toBe(result.total);
		expect((await countOf(leads)) - leadsBefore, 'every reported lead is in the database, and no other').toBe(result.created);
		for (const e of result.errors) {
			expect(Number.isInteger(e.line) && e.line > 0, `row error line ${e.line}`).toBe(true);
			expect(typeof e.column).toBe('string');
			expect(e.reason.length, 'a row error says why').toBeGreaterThan(5);
		}
	}

	it(`refuses or imports cleanly each of ${FILES} mutated files`, async () => {
		const started = performance.now();
		await fc.assert(
			fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: 4 }), async (which, mutations) => {
				const seed = seeds[which]!;
				const bytes = mutations.reduce((b, m) => mutate(seed, b, m), seed.bytes);
				const n = tally.files;
				await upload(seed, bytes);
				// refused uploads too: the import must refuse them the same way, writing nothing
				if (n % IMPORT_EVERY === 0) await importOne(seed, bytes);
			}),
			{ numRuns: FILES, seed: SEED, endOnFailure: true }
		);
		const s = ((performance.now() - started) / 1000).toFixed(1);
		console.info(
			`[faults/import-fuzz] ${tally.files} files in ${s} s (seed ${SEED}): ${tally.read} read, ${tally.refused} refused (${[...tally.byRefusal].map(([c, n]) => `${c} ${n}`).join(', ')}); every ${IMPORT_EVERY}th imported on PGlite: ${tally.imported} imported with ${tally.rowErrors} row errors`
		);
		expect(tally.files).toBeGreaterThanOrEqual(FILES);
	}, 900_000);
});
