/**
 * Downloads of the built app (issue 10 item 7): recordings are served only to whom may hear them,
 * only from DATA_DIR/recordings whatever path a call row holds (../, encoded dots, absolute paths,
 * a symlink out; Postgres cannot store a NUL, so the URL tries one), and Range requests give the
 * right slice or 416. Every export — found by scanning src/routes for attachments, so a new one
 * fails this suite until listed — escapes the cells a spreadsheet would run as formulas (= + - @),
 * in CSV and in XLSX. Runs with DATABASE_URL: the test writes hostile rows into the app's
 * throw-away database.
 */
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import { importLeads } from '../../src/lib/server/leads/import';
import { REPORT_NAMES } from '../../src/lib/server/reports/tables';
import { sql } from 'drizzle-orm';
import { startBuiltServer, type BuiltServer } from '../built-server';
import { cookieOf, login } from './http';
import { until } from './support';

const BASE = process.env.DATABASE_URL;
const SECRET = 'TOP-SECRET-OUTSIDE-THE-RECORDINGS-ROOT';
const AUDIO = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
const HOSTILE = { company: '=HYPERLINK("http://evil.example","x")', agent: '+cmd|calc', disposition: '@SUM(1,2)', question: '-2+3', answer: '=1+1' };

/** Routes that answer with an attachment, and what they are. */
const DOWNLOADS: Record<string, 'export' | 'file'> = {
	'(supervisor)/reports/export/[report]': 'export',
	'(manager)/projects/[id]/survey/export': 'export',
	'(manager)/projects/[id]/imports/[importId]/errors.csv': 'export',
	// a file the manager uploaded, served back as it is (not a table we write)
	'(manager)/projects/[id]/letter/attachments/[file]': 'file'
};

async function attachmentRoutes(dir = 'src/routes', prefix = ''): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...(await attachmentRoutes(full, prefix ? `${prefix}/${entry.name}` : entry.name)));
		else if (entry.name === '+server.ts' && /content-disposition/i.test(await readFile(full, 'utf8'))) out.push(prefix);
	}
	return out.sort();
}

/** RFC 4180 cells (quoted cells may hold separators, quotes and line breaks). */
function csvCells(text: string): string[] {
	const cells: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') quoted = false;
			else cell += c;
		} else if (c === '"') quoted = true;
		else if (c === ',' || c === '\n') {
			cells.push(cell.replace(/\r$/, ''));
			cell = '';
		} else cell += c;
	}
	cells.push(cell);
	return cells;
}

/** A cell a spreadsheet would run: starts with = + - @ (or tab / CR), and is not a plain number. */
const runnable = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);

async function xlsxCells(bytes: ArrayBuffer): Promise<{ text: string[]; formulas: number }> {
	const book = new ExcelJS.Workbook();
	await book.xlsx.load(bytes);
	const text: string[] = [];
	let formulas = 0;
	book.eachSheet((sheet) =>
		sheet.eachRow((row) =>
			row.eachCell((cell) => {
				if (typeof cell.value === 'string') text.push(cell.value);
				else if (cell.value && typeof cell.value === 'object' && ('formula' in cell.value || 'sharedFormula' in cell.value)) formulas++;
			})
		)
	);
	return { text, formulas };
}

describe.skipIf(!BASE)('downloads: recordings and exports of the built app', () => {
	let app: BuiltServer;
	let db: DatabaseHandle;
	const cookies = new Map<string, string>();
	let callId: string;
	let projectId: string;
	let importId: string;

	const get = (route: string, who: string, headers: Record<string, string> = {}) =>
		fetch(app.baseURL + route, { redirect: 'manual', headers: { ...headers, ...(cookies.has(who) ? { cookie: cookies.get(who)! } : {}) } });
	const setRecording = (value: string) => db.db.execute(sql`update calls set recording_path = ${value} where id = ${callId}`);

	beforeAll(async () => {
		app = await startBuiltServer({ LOG_LEVEL: 'warn' });
		db = await openDatabase({ url: app.databaseUrl!, migrate: false, max: 2 });
		await until(async () => (await queryRows<{ n: number }>(db.db, sql`select count(*)::int as n from calls where recording_path is not null`))[0]!.n > 0, 60_000, 'the demo calls');
		// a demo agent's own call (the agent's player), and a supervisor of none of that agent's teams
		const agent = app.demo.find((d) => d.role === 'agent')!;
		const [call] = await queryRows<{ id: string; project_id: string }>(
			db.db,
			sql`select c.id, c.project_id from calls c join users a on a.id = c.agent_id
				where a.email = ${agent.email} and c.project_id is not null order by c.started_at desc limit 1`
		);
		callId = call!.id;
		projectId = call!.project_id;
		const [outsider] = await queryRows<{ email: string }>(
			db.db,
			sql`select s.email from users s join users a on a.email = ${agent.email} where s.role = 'supervisor' and exists (select 1 from team_members where user_id = s.id)
				and not exists (select 1 from team_members x join team_members y on x.team_id = y.team_id where x.user_id = s.id and y.user_id = a.id)`
		);
		const accounts = { manager: app.demo.find((d) => d.role === 'manager')!, agent, supervisor: app.demo.find((d) => d.email === outsider!.email)! };
		for (const [who, account] of Object.entries(accounts)) cookies.set(who, cookieOf((await login(app.baseURL, account.email, account.password)).token!));
		await mkdir(path.join(app.dataDir, 'recordings'), { recursive: true });
		await writeFile(path.join(app.dataDir, 'recordings', 'fault-good.wav'), AUDIO);
		await writeFile(path.join(app.dataDir, 'outside.wav'), SECRET);
		await symlink(path.join(app.dataDir, 'outside.wav'), path.join(app.dataDir, 'recordings', 'escape.wav'));

		// hostile text where the exports read it: a lead's company, an agent's name, a disposition, a survey
		await db.db.execute(sql`update leads set company = ${HOSTILE.company} where id in (select lead_id from calls where lead_id is not null)`);
		await db.db.execute(sql`update users set name = ${HOSTILE.agent} where id = (select agent_id from calls where id = ${callId})`);
		await db.db.execute(sql`update dispositions set label = ${HOSTILE.disposition}`);
		const [survey] = await queryRows<{ id: string }>(
			db.db,
			sql`insert into surveys (project_id, questions) values (${projectId}, ${JSON.stringify([{ id: 'q1', text: HOSTILE.question, kind: 'text' }])}::jsonb) returning id`
		);
		await db.db.execute(sql`insert into survey_answers (survey_id, call_id, answers) values (${survey!.id}, ${callId}, ${JSON.stringify({ q1: HOSTILE.answer })}::jsonb)`);
		// an import whose error report carries formula cells: the rejected phones are reported with their value
		const sample = await readFile(path.resolve('../shared/samples/imports/formula-injection.csv'), 'utf8');
		const rejected = `${sample.trimEnd()}\r\nAcme;=1+2;d@example.com\r\nBeta;@SUM(A1);e@example.com\r\n`;
		const result = await importLeads(db.db, { projectId, file: { name: 'formula-injection.csv', bytes: new TextEncoder().encode(rejected) }, region: 'FR', dataDir: app.dataDir });
		expect(result.errors.length).toBeGreaterThan(0);
		importId = result.importId;
	}, 600_000);

	afterAll(async () => {
		await db?.close();
		await app?.close();
	});

	/** both players, each with who may use it (the agent's player is for agents: its own calls) */
	const players = (): [string, string][] => [
		[`/reports/recording/${callId}`, 'manager'],
		[`/agent/recordings/${callId}`, 'agent']
	];

	it('serves a recording with the right slice for each Range, or 416', async () => {
		await setRecording('fault-good.wav');
		const cases: [string | null, number, [number, number] | null][] = [
			[null, 200, [0, 999]],
			['bytes=0-99', 206, [0, 99]],
			['bytes=-100', 206, [900, 999]],
			['bytes=900-', 206, [900, 999]],
			['bytes=990-5000', 206, [990, 999]],
			['bytes=0-0', 206, [0, 0]],
			['bytes=1000-', 416, null],
			['bytes=500-100', 416, null],
			['bytes=-0', 416, null],
			['bytes=99999999999999999999-', 416, null],
			// several or overlapping ranges, other units, junk: the RFC lets the server send it all
			['bytes=0-10,5-20', 200, [0, 999]],
			['bytes=0-1,0-1,0-1,0-1', 200, [0, 999]],
			['items=0-5', 200, [0, 999]],
			['bytes=abc', 200, [0, 999]]
		];
		for (const [route, who] of players()) {
			for (const [range, status, slice] of cases) {
				const res = await get(route, who, range ? { range } : {});
				const body = new Uint8Array(await res.arrayBuffer());
				expect(res.status, `${route} Range ${range}`).toBe(status);
				if (slice) {
					expect([...body], `${route} Range ${range}`).toEqual([...AUDIO.subarray(slice[0], slice[1] + 1)]);
					expect(res.headers.get('content-length')).toBe(String(slice[1] - slice[0] + 1));
					if (status === 206) expect(res.headers.get('content-range')).toBe(`bytes ${slice[0]}-${slice[1]}/1000`);
				} else {
					expect(body.length).toBe(0);
					expect(res.headers.get('content-range')).toBe('bytes */1000');
				}
			}
		}
	});

	it('never serves a file outside DATA_DIR/recordings, whatever the stored path or the URL', async () => {
		const stored = [
			'../outside.wav',
			'recordings/../../outside.wav',
			'%2e%2e/outside.wav',
			'..%2foutside.wav',
			path.join(app.dataDir, 'outside.wav'),
			'/etc/passwd',
			'escape.wav',
			'.',
			''
		];
		for (const value of stored) {
			await setRecording(value);
			for (const [route, who] of players()) {
				const res = await get(route, who);
				const body = await res.text();
				expect(res.status, `${route} with recording_path ${JSON.stringify(value)}`).toBe(404);
				expect(body).not.toContain(SECRET);
				expect(body).not.toContain('root:');
			}
		}
		for (const route of [
			'/reports/recording/..%2f..%2foutside.wav',
			'/reports/recording/%2e%2e%2f%2e%2e%2foutside.wav',
			'/agent/recordings/..%2F..%2F..%2Fetc%2Fpasswd',
			'/agent/recordings/%2e%2e',
			'/reports/recording/%00'
		]) {
			const res = await get(route, route.startsWith('/agent') ? 'agent' : 'manager');
			const body = await res.text();
			// refused, or redirected by the router's path normalisation (`..` collapsed): never a body
			expect(res.status >= 300 && res.status !== 304, `${route} answered ${res.status}`).toBe(true);
			expect(body).not.toContain(SECRET);
			expect(body).not.toContain('root:');
		}
	});

	it('refuses a recording to whom may not hear it', async () => {
		await setRecording('fault-good.wav');
		for (const [route, who] of players()) {
			expect((await get(route, who)).status).toBe(200);
			// a supervisor of other teams: as if the call had no recording (the agent's player: not theirs at all)
			const outsider = (await get(route, 'supervisor')).status;
			if (route.startsWith('/agent')) expect([403, 404]).toContain(outsider);
			else expect(outsider).toBe(404);
			const anonymous = await get(route, 'nobody');
			expect([302, 303, 401, 403]).toContain(anonymous.status);
		}
	});

	it('has an entry for every download route', async () => {
		expect(await attachmentRoutes()).toEqual(Object.keys(DOWNLOADS).sort());
	});

	it('escapes formula cells in every export, CSV and XLSX', async () => {
		const exports: { url: string; format: 'csv' | 'xlsx' }[] = [];
		for (const route of Object.keys(DOWNLOADS).filter((r) => DOWNLOADS[r] === 'export')) {
			if (route.endsWith('reports/export/[report]'))
				for (const name of REPORT_NAMES) for (const format of ['csv', 'xlsx'] as const) exports.push({ url: `/reports/export/${name}?format=${format}`, format });
			else if (route.endsWith('survey/export')) exports.push({ url: `/projects/${projectId}/survey/export`, format: 'csv' });
			else if (route.endsWith('errors.csv')) exports.push({ url: `/projects/${projectId}/imports/${importId}/errors.csv`, format: 'csv' });
			else throw new Error(`no request written for the export ${route}`);
		}
		const escaped = new Set<string>();
		for (const { url, format } of exports) {
			const res = await get(url, 'manager');
			expect(res.status, url).toBe(200);
			expect(res.headers.get('content-disposition'), url).toMatch(/^attachment/);
			const cells = format === 'csv' ? csvCells((await res.text()).replace(/^\uFEFF/, '')) : await xlsxCells(await res.arrayBuffer()).then((x) => {
				expect(x.formulas, `${url}: formula cells`).toBe(0);
				return x.text;
			});
			for (const cell of cells) {
				expect(runnable(cell), `${url}: cell ${JSON.stringify(cell)}`).toBe(false);
				for (const value of Object.values(HOSTILE)) if (cell.startsWith(`'${value}`)) escaped.add(value);
				if (cell.startsWith("'")) escaped.add(cell);
			}
		}
		// the hostile values did reach the exports (escaped), so the scan above was not vacuous
		expect(escaped).toContain(HOSTILE.company);
		expect(escaped).toContain(HOSTILE.answer);
		expect(escaped).toContain(HOSTILE.question);
		expect([...escaped].some((c) => c.startsWith("'=") || c.startsWith("'+") || c.startsWith("'@"))).toBe(true);
	});
});
