/**
 * `npm run import` as a script would run it: a child process per file (in the order and with the
 * regions of expected.json) against a throw-away Postgres database or an embedded DATA_DIR; its JSON
 * lines must match expected.json exactly, refused files must go to stderr with exit code 1.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, type ScriptRun } from '../../../../tests/run-script';

const SAMPLES = path.resolve(process.cwd(), '../shared/samples/imports');
const CLI = path.resolve(process.cwd(), 'src/lib/server/leads/cli.ts');

interface Expected {
	files: { file: string; region: string; rows_total: number; rows_invalid: number; new_leads: number; rows_matched_existing_or_in_file: number }[];
}
const expected: Expected | null = existsSync(path.join(SAMPLES, 'expected.json'))
	? (JSON.parse(readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as Expected)
	: null;

function runCli(args: string[], env: Record<string, string>): Promise<ScriptRun> {
	return runScript(CLI, args, env);
}

interface Engine {
	name: string;
	env: Record<string, string>;
	close(): Promise<void>;
}

async function engines(): Promise<Engine[]> {
	const dataDir = await mkdtemp(path.join(tmpdir(), 'sb-cli-'));
	const list: Engine[] = [{ name: 'pglite', env: { DATA_DIR: dataDir, DATABASE_URL: '' }, close: () => rm(dataDir, { recursive: true, force: true }) }];
	const base = process.env.DATABASE_URL;
	if (base) {
		const { default: postgres } = await import('postgres');
		const admin = postgres(base, { max: 1, onnotice: () => {} });
		const name = `sb_t_${randomBytes(6).toString('hex')}`;
		await admin.unsafe(`create database ${name}`);
		const url = new URL(base);
		url.pathname = `/${name}`;
		const pgDir = await mkdtemp(path.join(tmpdir(), 'sb-cli-pg-'));
		list.push({
			name: 'postgres',
			env: { DATABASE_URL: url.toString(), DATA_DIR: pgDir },
			async close() {
				await admin.unsafe(`drop database if exists ${name} with (force)`);
				await admin.end({ timeout: 5 });
				await rm(pgDir, { recursive: true, force: true });
			}
		});
	}
	return list;
}

describe.skipIf(!expected)('npm run import (CLI)', () => {
	let list: Engine[] = [];
	beforeAll(async () => {
		list = await engines();
	});
	afterAll(async () => {
		for (const e of list) await e.close();
	});

	it('prints one JSON line per file with the expected counts, on every engine', async () => {
		for (const engine of list) {
			for (const [i, spec] of expected!.files.entries()) {
				const file = path.join(SAMPLES, spec.file);
				const args = ['--project', 'CLI samples', ...(i === 0 ? ['--create-project'] : []), '--region', spec.region, file];
				const { code, stdout, stderr } = await runCli(args, engine.env);
				expect(stderr, `${engine.name} ${spec.file}`).toBe('');
				expect(code).toBe(0);
				const lines = stdout.trim().split('\n');
				expect(lines).toHaveLength(1);
				const out = JSON.parse(lines[0]!) as Record<string, unknown>;
				expect(Object.keys(out)).toEqual(['file', 'rows_total', 'rows_invalid', 'new_leads', 'rows_merged', 'errors']);
				expect(out, `${engine.name} ${spec.file}`).toMatchObject({
					file,
					rows_total: spec.rows_total,
					rows_invalid: spec.rows_invalid,
					new_leads: spec.new_leads,
					rows_merged: spec.rows_matched_existing_or_in_file
				});
				const errors = out.errors as { line: number; column: string; reason: string }[];
				expect(new Set(errors.map((e) => e.line)).size).toBe(spec.rows_invalid);
				for (const e of errors) expect(Object.keys(e)).toEqual(['line', 'column', 'reason']);
			}
		}
	}, 600_000);

	it('reports a refused file on stderr and exits 1 after importing the others', async () => {
		const engine = list[0]!;
		const good = path.join(SAMPLES, 'formula-injection.csv');
		const { code, stdout, stderr } = await runCli(
			['--project', 'CLI refusals', '--create-project', '--region', 'FR', path.join(SAMPLES, 'bad-empty.csv'), path.join(SAMPLES, 'bad-truncated.xlsx'), good],
			engine.env
		);
		expect(code).toBe(1);
		expect(stderr).toMatch(/bad-empty\.csv: The file is empty/);
		expect(stderr).toMatch(/bad-truncated\.xlsx: The workbook is corrupt or truncated/);
		const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; rows_total: number });
		expect(lines).toEqual([expect.objectContaining({ file: good, rows_total: 3, rows_invalid: 0 })]);
	}, 120_000);

	it('refuses an unknown project without --create-project', async () => {
		const { code, stderr } = await runCli(['--project', 'Nobody', path.join(SAMPLES, 'prospects-fr.csv')], list[0]!.env);
		expect(code).toBe(2);
		expect(stderr).toMatch(/No project named "Nobody"\. Add --create-project/);
	}, 120_000);
});
