/**
 * The import fuzzing corpus (issue 10 item 5): seeds cut from the sample files a manager would
 * bring (../shared/samples/imports) — their first rows, so thousands of imports fit in minutes —
 * small workbooks with hostile cells written by ExcelJS, and the byte-level mutations applied to
 * them (fast-check arbitraries, so a failure prints a replayable counterexample).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';

const SAMPLES = path.resolve('../shared/samples/imports');

export interface Seed {
	name: string;
	kind: 'csv' | 'xlsx';
	bytes: Uint8Array;
}

/** The first `lines` lines of a text sample (UTF-16 samples cut on a code unit boundary). */
function headOf(bytes: Uint8Array, lines: number, utf16: boolean): Uint8Array {
	let seen = 0;
	for (let i = 0; i < bytes.length; i++) {
		if (bytes[i] === 0x0a && ++seen === lines) return bytes.slice(0, utf16 ? i + 2 : i + 1);
	}
	return bytes;
}

async function xlsxBytes(workbook: ExcelJS.Workbook): Promise<Uint8Array> {
	return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** A small workbook from the first rows of prospects-en.xlsx, plus variants with hostile cells. */
export async function workbookSeeds(): Promise<Seed[]> {
	const source = new ExcelJS.Workbook();
	await source.xlsx.load(new Uint8Array(await readFile(path.join(SAMPLES, 'prospects-en.xlsx'))).buffer);
	const rows: ExcelJS.CellValue[][] = [];
	source.worksheets[0]!.eachRow((row, n) => {
		if (n <= 14) rows.push((row.values as ExcelJS.CellValue[]).slice(1));
	});
	const build = async (edit?: (sheet: ExcelJS.Worksheet) => void): Promise<Uint8Array> => {
		const wb = new ExcelJS.Workbook();
		const sheet = wb.addWorksheet('Prospects');
		for (const r of rows) sheet.addRow(r);
		edit?.(sheet);
		return xlsxBytes(wb);
	};
	const hostile: [string, (sheet: ExcelJS.Worksheet) => void][] = [
		['formulas', (s) => {
			s.getCell('A5').value = { formula: 'HYPERLINK("http://evil.example","x")', result: 'x' };
			s.getCell('B6').value = { formula: '1+1', result: 2 };
			s.getCell('C7').value = '=cmd|" /C calc"!A0';
			s.getCell('D8').value = '+33 1 23 45 67 89';
			s.getCell('A9').value = '@SUM(1,2)';
			s.getCell('B10').value = '-2+3';
		}],
		['errors', (s) => {
			s.getCell('A5').value = { error: '#REF!' };
			s.getCell('D6').value = { error: '#N/A' };
		}],
		['rich', (s) => {
			s.getCell('A5').value = { richText: [{ text: 'Acme ' }, { font: { bold: true }, text: 'SA' }] };
			s.getCell('D6').value = { text: '01 23 45 67 89', hyperlink: 'tel:0123456789' };
			s.getCell('E7').value = new Date(Date.UTC(2020, 0, 1));
			s.getCell('D8').value = 33123456789;
		}],
		['huge', (s) => {
			s.getCell('A5').value = 'A'.repeat(32_000);
			s.getCell('D6').value = '0'.repeat(5_000);
		}],
		['wide', (s) => {
			s.getCell(6, 200).value = 'far right';
			s.getCell(2000, 1).value = 'far below';
		}],
		['empty-sheet-first', (s) => {
			s.workbook.addWorksheet('Empty');
			s.workbook.worksheets.reverse();
		}]
	];
	const seeds: Seed[] = [{ name: 'prospects-en-head.xlsx', kind: 'xlsx', bytes: await build() }];
	for (const [name, edit] of hostile) seeds.push({ name: `prospects-en-${name}.xlsx`, kind: 'xlsx', bytes: await build(edit) });
	// the sample's own truncated workbook, as it is
	seeds.push({ name: 'bad-truncated.xlsx', kind: 'xlsx', bytes: new Uint8Array(await readFile(path.join(SAMPLES, 'bad-truncated.xlsx'))) });
	return seeds;
}

export async function textSeeds(): Promise<Seed[]> {
	const out: Seed[] = [];
	for (const [file, lines] of [
		['prospects-fr.csv', 25],
		['prospects-fr-2.csv', 25],
		['prospects-ru.csv', 25],
		['prospects-unicode.txt', 25],
		['formula-injection.csv', 50],
		['bad-ragged.csv', 50],
		['bad-header-only.csv', 50],
		['bad-empty.csv', 1],
		['bad-binary.csv', 1000]
	] as const) {
		const bytes = new Uint8Array(await readFile(path.join(SAMPLES, file)));
		out.push({ name: file, kind: 'csv', bytes: headOf(bytes, lines, file.endsWith('.txt')) });
	}
	return out;
}

// ── mutations ──

export type Mutation =
	| { kind: 'flip'; at: number; byte: number }
	| { kind: 'truncate'; at: number }
	| { kind: 'garbage'; at: number; bytes: number[] }
	| { kind: 'delimiters'; from: number; to: number; every: number }
	| { kind: 'huge'; at: number; char: number; length: number }
	| { kind: 'formula'; at: number; text: string }
	| { kind: 'zip'; target: 'central' | 'local' | 'eocd' | 'method'; byte: number };

const GARBAGE = [
	[0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0x00], [0x00, 0x00, 0x00, 0x00], [0xc3], [0xe2, 0x82],
	[0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80, 0x80, 0x80], [0xd8, 0x00], [0x1a], [0x0d], [0x22], [0x22, 0x22, 0x22]
];
const SEPARATORS = [0x3b, 0x2c, 0x09, 0x7c, 0x22, 0x0a, 0x0d, 0x20];
const FORMULAS = ['=1+1;', '=HYPERLINK("http://evil.example";"x");', '+33123456789;', '-1;', '@SUM(A1:A2);', '=cmd|\' /C calc\'!A0;', '"=1+2";'];

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('garbage' as const), at: position, bytes: fc.constantFrom(...GARBAGE) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('delimiters' as const), from: fc.constantFrom(...SEPARATORS), to: fc.constantFrom(...SEPARATORS), every: fc.integer({ min: 1, max: 5 }) }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), at: position, char: fc.constantFrom(0x41, 0x39, 0x22, 0x3b, 0x0a, 0xe9), length: fc.integer({ min: 1_000, max: 200_000 }) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('formula' as const), at: position, text: fc.constantFrom(...FORMULAS) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('zip' as const), target: fc.constantFrom('central' as const, 'local' as const, 'eocd' as const, 'method' as const), byte: fc.integer({ min: 0, max: 255 }) }) }
);

const ZIP_SIGNATURES = { central: [0x50, 0x4b, 0x01, 0x02], local: [0x50, 0x4b, 0x03, 0x04], eocd: [0x50, 0x4b, 0x05, 0x06] };

function indexesOf(bytes: Uint8Array, pattern: readonly number[]): number[] {
	const out: number[] = [];
	for (let i = 0; i + pattern.length <= bytes.length; i++) {
		if (pattern.every((b, j) => bytes[i + j] === b)) out.push(i);
	}
	return out;
}

/** One mutation applied to a copy of `bytes` (zip mutations only touch workbooks). */
export function mutate(seed: Seed, bytes: Uint8Array, m: Mutation): Uint8Array {
	if (m.kind === 'zip' && seed.kind !== 'xlsx') return bytes;
	return apply(bytes, m);
}

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
	const at = (p: number) => Math.floor(p * (bytes.length + 1));
	switch (m.kind) {
		case 'flip': {
			if (bytes.length === 0) return bytes;
			const out = bytes.slice();
			out[Math.min(at(m.at), bytes.length - 1)] = m.byte;
			return out;
		}
		case 'truncate':
			return bytes.slice(0, at(m.at));
		case 'garbage': {
			const i = at(m.at);
			return Uint8Array.from([...bytes.subarray(0, i), ...m.bytes, ...bytes.subarray(i)]);
		}
		case 'delimiters': {
			const out = bytes.slice();
			let seen = 0;
			for (let i = 0; i < out.length; i++) if (out[i] === m.from && seen++ % m.every === 0) out[i] = m.to;
			return out;
		}
		case 'huge': {
			const i = at(m.at);
			const out = new Uint8Array(bytes.length + m.length);
			out.set(bytes.subarray(0, i));
			out.fill(m.char, i, i + m.length);
			out.set(bytes.subarray(i), i + m.length);
			return out;
		}
		case 'formula': {
			// at the start of the line found from the position: the first cell becomes a formula
			let i = at(m.at);
			while (i > 0 && bytes[i - 1] !== 0x0a) i--;
			return Uint8Array.from([...bytes.subarray(0, i), ...new TextEncoder().encode(m.text), ...bytes.subarray(i)]);
		}
		case 'zip': {
			const out = bytes.slice();
			if (m.target === 'method') {
				// a local header's compression method (offset 8): deflate becomes something unknown
				for (const i of indexesOf(out, ZIP_SIGNATURES.local)) if (i + 8 < out.length) out[i + 8] = m.byte;
				return out;
			}
			const hits = indexesOf(out, ZIP_SIGNATURES[m.target]);
			if (hits.length === 0) return out;
			const i = hits[m.byte % hits.length]!;
			// a field of the header (sizes, offsets, name length) gets a wrong value
			const field = i + 4 + (m.byte % 26);
			if (field < out.length) out[field] = (out[field]! + 1 + m.byte) & 0xff;
			return out;
		}
	}
}
