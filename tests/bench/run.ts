/**
 * Benchmark runner: `npx tsx tests/bench/run.ts [case…]` (or `npm run bench -- ami`).
 * Loads every tests/bench/cases/*.ts (default export `{ name, run }`), runs all or the named ones,
 * prints a markdown table and merges the results into tests/bench/results/latest.json (entries of
 * cases not run are kept). Exit code 1 when a result misses its goal or a case throws.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase, BenchResult } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const casesDir = path.join(here, 'cases');
const resultsFile = path.join(here, 'results', 'latest.json');

interface CaseRecord {
	at: string;
	node: string;
	platform: string;
	cpus: number;
	cpuModel: string;
	seconds: number;
	results: BenchResult[];
	error?: string;
}
type ResultsFile = Record<string, CaseRecord>;

function isBenchCase(x: unknown): x is BenchCase {
	return (
		typeof x === 'object' &&
		x !== null &&
		typeof (x as { name?: unknown }).name === 'string' &&
		typeof (x as { run?: unknown }).run === 'function'
	);
}

async function loadCases(): Promise<BenchCase[]> {
	const files = readdirSync(casesDir)
		.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
		.sort();
	const cases: BenchCase[] = [];
	for (const f of files) {
		const mod = (await import(pathToFileURL(path.join(casesDir, f)).href)) as { default?: unknown };
		if (!isBenchCase(mod.default)) throw new Error(`${f}: default export must be { name, run }`);
		cases.push(mod.default);
	}
	return cases;
}

function fmt(n: number | null): string {
	if (n === null) return '–';
	if (Number.isInteger(n) && Math.abs(n) >= 1000) return n.toLocaleString('en-US');
	if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
	return n.toFixed(2);
}

function table(results: BenchResult[]): string {
	const head =
		'| case | metric | value | unit | baseline | ratio | goal | pass |\n|---|---|---:|---|---:|---:|---|---|';
	const rows = results.map(
		(r) =>
			`| ${r.case} | ${r.metric} | ${fmt(r.value)} | ${r.unit} | ${fmt(r.baseline)} | ${r.ratio === null ? '–' : `${r.ratio.toFixed(1)}×`} | ${r.goal} | ${r.pass ? '✅' : '❌'} |`
	);
	return [head, ...rows].join('\n');
}

function readResults(): ResultsFile {
	if (!existsSync(resultsFile)) return {};
	try {
		const data: unknown = JSON.parse(readFileSync(resultsFile, 'utf8'));
		return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as ResultsFile) : {};
	} catch {
		return {};
	}
}

async function main(): Promise<void> {
	const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	const all = await loadCases();
	const unknown = wanted.filter((w) => !all.some((c) => c.name === w));
	if (unknown.length > 0) {
		console.error(`unknown case(s): ${unknown.join(', ')}; known: ${all.map((c) => c.name).join(', ')}`);
		process.exitCode = 2;
		return;
	}
	const selected = wanted.length === 0 ? all : all.filter((c) => wanted.includes(c.name));
	const records: ResultsFile = {};
	const printed: BenchResult[] = [];
	let failed = false;
	for (const c of selected) {
		console.error(`▶ ${c.name}`);
		const t0 = performance.now();
		const record: CaseRecord = {
			at: new Date().toISOString(),
			node: process.version,
			platform: `${process.platform}-${process.arch}`,
			cpus: os.availableParallelism(),
			cpuModel: os.cpus()[0]?.model ?? 'unknown',
			seconds: 0,
			results: []
		};
		try {
			record.results = await c.run();
		} catch (err) {
			record.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
			console.error(`✖ ${c.name}: ${record.error}`);
			failed = true;
		}
		record.seconds = Math.round((performance.now() - t0) / 100) / 10;
		if (record.results.some((r) => !r.pass)) failed = true;
		records[c.name] = record;
		printed.push(...record.results);
		console.error(`✔ ${c.name} in ${record.seconds} s`);
	}
	// read again just before writing: a long case (soak) may run beside other bench runs
	writeFileSync(resultsFile, JSON.stringify({ ...readResults(), ...records }, null, '\t') + '\n');
	console.log(table(printed));
	console.log(`\nwritten to ${path.relative(process.cwd(), resultsFile)}`);
	if (failed) process.exitCode = 1;
}

await main();
