import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvRecord } from './csv';
import { guessDelimiter } from './table';

/** Feeds `text` to a reader in the given chunk sizes. */
function readInChunks(text: string, delimiter: string, sizes: number[]): CsvRecord[] {
	const reader = new CsvReader(delimiter);
	const out: CsvRecord[] = [];
	let at = 0;
	for (const size of sizes) {
		if (at >= text.length) break;
		out.push(...reader.push(text.slice(at, at + size)));
		at += size;
	}
	out.push(...reader.push(text.slice(at)), ...reader.end());
	return out;
}

function quote(cell: string, d: string): string {
	return /["\r\n]/.test(cell) || cell.includes(d) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

describe('CsvReader', () => {
	it('reads the same records and lines whatever the chunking', () => {
		const cell = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ';', ',', '"', '\n', '\r\n', 'Ж', '1') , maxLength: 8 });
		fc.assert(
			fc.property(
				fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 }),
				fc.constantFrom(';', ',', '\t'),
				fc.constantFrom('\n', '\r\n', '\r'),
				fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 60 }),
				(records, d, eol, sizes) => {
					const text = records.map((r) => r.map((c) => quote(c, d)).join(d)).join(eol) + eol;
					const whole = readInChunks(text, d, []);
					expect(readInChunks(text, d, sizes)).toEqual(whole);
					const kept = records.filter((r) => r.some((c) => c.trim() !== ''));
					expect(whole.map((r) => r.cells)).toEqual(kept);
					// each record starts on the line after the previous record's last line break
					let line = 1;
					const starts: number[] = [];
					for (const r of records) {
						if (r.some((c) => c.trim() !== '')) starts.push(line);
						const body = r.map((c) => quote(c, d)).join(d) + eol;
						line += (body.match(/\r\n|\n|\r/g) ?? []).length;
					}
					expect(whole.map((r) => r.line)).toEqual(starts);
				}
			),
			{ numRuns: 300 }
		);
	});

	it('flags a quote never closed and keeps the rest of the file in its cell', () => {
		const records = readInChunks('a;b\n1;"never\nclosed;x\n', ';', [3, 4]);
		expect(records).toEqual([
			{ line: 1, cells: ['a', 'b'] },
			{ line: 2, cells: ['1', 'never\nclosed;x\n'], unclosedQuote: true }
		]);
	});

	it('agrees with papaparse on the sample files', () => {
		const dir = path.resolve(process.cwd(), '../shared/samples/imports');
		for (const name of ['prospects-fr-2.csv', 'bad-ragged.csv', 'formula-injection.csv']) {
			let text: string;
			try {
				text = readFileSync(path.join(dir, name), 'utf8').replace(/^\uFEFF/, '');
			} catch {
				continue;
			}
			const d = guessDelimiter(text);
			const ours = readInChunks(text, d, [17, 250, 4096]).map((r) => r.cells);
			const theirs = Papa.parse<string[]>(text, { delimiter: d, skipEmptyLines: false }).data.filter((r) => r.some((c) => c.trim() !== ''));
			expect(ours, name).toEqual(theirs);
		}
	});
});
