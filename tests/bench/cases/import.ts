/**
 * Bench case `import` (issues #6 and #9): a generated 1M-row CSV and a 100k-row XLSX imported
 * through the real pipeline (streamed reading, normalisation, dedup against the database, atomic
 * set-based batches) into Postgres (a throw-away database next to DATABASE_URL, skipped without it)
 * and into PGlite on disk (as the embedded install runs). Each run is its own process, so its peak
 * RSS is its own; the PGlite database is created (initdb, migrations) by a process of its own first,
 * as an installed app does once at its first start, so the import's RSS is not initdb's.
 * The whole case keeps within 5 minutes: each run stops at a batch boundary after an equal share of
 * the time left once the files exist (at most BENCH_IMPORT_SECONDS, default 55), and its rate then
 * covers the rows committed, which the metric says. The generated files are kept in the temporary
 * directory for the next run. Sizes: BENCH_IMPORT_CSV_ROWS (1,000,000), BENCH_IMPORT_XLSX_ROWS (100,000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLeadCsv, writeLeadXlsx } from '../lib/lead-files';
import type { BenchCase, BenchResult } from '../types';

const CSV_ROWS = Number(process.env.BENCH_IMPORT_CSV_ROWS ?? 1_000_000);
const XLSX_ROWS = Number(process.env.BENCH_IMPORT_XLSX_ROWS ?? 100_000);
const SECONDS = Number(process.env.BENCH_IMPORT_SECONDS ?? 55);
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'import-run.ts');
/** the whole case, files and databases included, ends within this (issue #9: 5 minutes a case) */
const CASE_SECONDS = 285;
/** per run, besides its budget: process start, migrations, the batch in flight at the deadline */
const RUN_OVERHEAD_SECONDS = 25;
/** below this a run may not commit its first batch, and its rate says nothing */
const MIN_RUN_SECONDS = 15;
/** generated files are kept here between runs (generating them is not what this case measures) */
const FILES_DIR = path.join(tmpdir(), 'sb-bench-import-files');

/** `name` in FILES_DIR, written by `write` the first time (to a temporary name, then renamed). */
async function generated(name: string, write: (file: string) => Promise<void>): Promise<string> {
	const file = path.join(FILES_DIR, name);
	if (await stat(file).then(() => true, () => false)) return file;
	await mkdir(FILES_DIR, { recursive: true });
	const partial = `${file}.${process.pid}.partial`;
	await write(partial);
	await rename(partial, file);
	return file;
}

interface RunResult {
	rows: number;
	ms: number;
	maxRssMb: number;
	complete: boolean;
	timings: { readMs: number; writeMs: number; waitMs: number };
	cpuMs: number;
	postgresCpuMs: number | null;
}

function runImport(file: string, seconds: number, env: Record<string, string>): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, file, String(seconds)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`import run exited with ${code}`));
			resolve(JSON.parse(out.trim().split('\n').pop()!) as RunResult);
		});
	});
}

interface Engine {
	name: string;
	env: Record<string, string>;
	drop(): Promise<void>;
}

async function postgresEngine(dataDir: string): Promise<Engine | null> {
	const base = process.env.DATABASE_URL;
	if (!base) return null;
	const { default: postgres } = await import('postgres');
	const admin = postgres(base, { max: 1, onnotice: () => {} });
	const name = `sb_bench_${randomBytes(5).toString('hex')}`;
	await admin.unsafe(`create database ${name}`);
	const url = new URL(base);
	url.pathname = `/${name}`;
	return {
		name: 'postgres',
		env: { DATABASE_URL: url.toString(), DATA_DIR: dataDir },
		async drop() {
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end({ timeout: 5 });
		}
	};
}

async function pgliteEngine(dataDir: string): Promise<Engine> {
	const dir = await mkdtemp(path.join(dataDir, 'pglite-'));
	const env = { DATABASE_URL: '', DATA_DIR: dir };
	await new Promise<void>((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, '--create'], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`creating the PGlite database exited with ${code}`))));
	});
	return { name: 'pglite', env, drop: () => rm(dir, { recursive: true, force: true }) };
}

const importCase: BenchCase = {
	name: 'import',
	async run(): Promise<BenchResult[]> {
		const deadline = performance.now() + CASE_SECONDS * 1000;
		const dir = await mkdtemp(path.join(tmpdir(), 'sb-bench-import-'));
		try {
			const csv = await generated(`leads-${CSV_ROWS}.csv`, (file) => writeLeadCsv(file, CSV_ROWS));
			const xlsx = await generated(`leads-${XLSX_ROWS}.xlsx`, (file) => writeLeadXlsx(file, XLSX_ROWS));
			const csvMb = Math.round((await stat(csv)).size / 1048576);
			const results: BenchResult[] = [];
			const files = [
				{ kind: 'csv', file: csv, rows: CSV_ROWS, goals: { postgres: 60_000, pglite: 35_000 } as Record<string, number> },
				{ kind: 'xlsx', file: xlsx, rows: XLSX_ROWS, goals: { postgres: 30_000, pglite: 30_000 } as Record<string, number> }
			];
			const engines = process.env.DATABASE_URL ? [postgresEngine, pgliteEngine] : [pgliteEngine];
			// the same budget for every run, from the time left once the files exist
			const runs = files.length * engines.length;
			const seconds = Math.max(MIN_RUN_SECONDS, Math.min(SECONDS, Math.floor((deadline - performance.now()) / 1000 / runs - RUN_OVERHEAD_SECONDS)));
			for (const f of files) {
				for (const make of engines) {
					const engine = await make(dir);
					if (!engine) continue;
					try {
						const r = await runImport(f.file, seconds, engine.env);
						const rate = Math.round((r.rows / r.ms) * 1000);
						// where the time went, for whoever tunes this next (not a result: no goal)
						console.error(`  ${f.kind} → ${engine.name}: ${r.rows} rows in ${Math.round(r.ms)} ms; read+normalise ${r.timings.readMs} ms, write ${r.timings.writeMs} ms, reader waiting ${r.timings.waitMs} ms; CPU: importing process ${r.cpuMs} ms${r.postgresCpuMs === null ? '' : `, its Postgres backends ${r.postgresCpuMs} ms`}`);
						const scope = r.complete ? `${f.rows.toLocaleString('en-US')} rows` : `${r.rows.toLocaleString('en-US')} of ${f.rows.toLocaleString('en-US')} rows in a ${seconds} s budget`;
						const goal = f.goals[engine.name]!;
						results.push({
							case: 'import',
							metric: `${f.kind} → ${engine.name} (${scope})`,
							value: rate,
							unit: 'rows/s',
							baseline: null,
							ratio: null,
							goal: `≥ ${goal.toLocaleString('en-US')} rows/s`,
							pass: rate >= goal
						});
						results.push({
							case: 'import',
							metric: `${f.kind} → ${engine.name} peak RSS${f.kind === 'csv' ? ` (${csvMb} MB file, streamed)` : ''}`,
							value: Math.round(r.maxRssMb),
							unit: 'MB',
							baseline: null,
							ratio: null,
							goal: '≤ 400 MB',
							pass: r.maxRssMb <= 400
						});
					} finally {
						await engine.drop();
					}
				}
			}
			return results;
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	}
};

export default importCase;
