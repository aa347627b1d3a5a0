/**
 * Any supported file → rows of plain text cells with their line number in the file. CSV/TSV/TXT
 * (any delimiter, any of the detected encodings) through papaparse; XLSX through exceljs's
 * streaming reader (first worksheet). Blank rows are dropped here.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { decodeText, detectEncoding, detectFormat, type FileFormat, type TextEncoding } from './detect';
import { ImportRefusedError } from './errors';

export interface SourceRow {
	/** 1-based line (CSV: where the record starts) or row number (XLSX) */
	line: number;
	cells: string[];
	/** the record runs to the end of the file because a quote was never closed */
	unclosedQuote?: boolean;
}

export interface Table {
	format: FileFormat;
	encoding: TextEncoding | null;
	/** the cell separator of a text file: ';', ',', '\t', '|' */
	delimiter: string | null;
	rows(): AsyncGenerator<SourceRow>;
}

export const DELIMITERS = [';', ',', '\t', '|'] as const;

export function openTable(bytes: Uint8Array): Table {
	const format = detectFormat(bytes);
	if (format === 'xlsx') return { format, encoding: null, delimiter: null, rows: () => xlsxRows(bytes) };
	const detected = detectEncoding(bytes);
	const text = decodeText(bytes, detected);
	if (text.trim() === '') throw new ImportRefusedError('empty', 'The file holds no text (only blank lines).');
	const delimiter = guessDelimiter(text);
	return { format, encoding: detected.encoding, delimiter, rows: () => csvRows(text, delimiter) };
}

/**
 * The separator that splits the most lines into the same number of cells (titles above the header
 * and ragged rows are outvoted). Counted outside quotes on the first 50 non-blank lines.
 */
export function guessDelimiter(text: string): string {
	const lines = text.slice(0, 65_536).split(/\r\n|\n|\r/).filter((l) => l.trim() !== '').slice(0, 50);
	let best: string = ',';
	let bestScore = -1;
	for (const d of DELIMITERS) {
		const counts = lines.map((l) => countOutsideQuotes(l, d));
		const freq = new Map<number, number>();
		for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
		let modeCount = 0;
		let mode = 0;
		for (const [c, n] of freq) if (n > modeCount || (n === modeCount && c > mode)) [mode, modeCount] = [c, n];
		const score = modeCount * 1000 + mode;
		if (modeCount > 0 && score > bestScore) {
			best = d;
			bestScore = score;
		}
	}
	return best;
}

function countOutsideQuotes(line: string, d: string): number {
	let n = 0;
	let quoted = false;
	for (const ch of line) {
		if (ch === '"') quoted = !quoted;
		else if (ch === d && !quoted) n++;
	}
	return n;
}

async function* csvRows(text: string, delimiter: string): AsyncGenerator<SourceRow> {
	const out: SourceRow[] = [];
	let counted = 0;
	let line = 1;
	let start = 0;
	Papa.parse<string[]>(text, {
		delimiter,
		skipEmptyLines: false,
		step(result) {
			const cursor = result.meta.cursor;
			for (let i = counted; i < start; i++) if (text.charCodeAt(i) === 10) line++;
			counted = start;
			const cells = result.data.map((c) => (typeof c === 'string' ? c : String(c ?? '')));
			const unclosedQuote = result.errors.some((e) => e.code === 'MissingQuotes');
			if (cells.some((c) => c.trim() !== '')) out.push(unclosedQuote ? { line, cells, unclosedQuote } : { line, cells });
			start = cursor;
		}
	});
	yield* out;
}

/** Plain text of an exceljs cell value: numbers as written, dates as YYYY-MM-DD, formulas by their cached result. */
export function cellText(value: ExcelJS.CellValue): string {
	if (value == null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
	if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
	if (value instanceof Date) return value.toISOString().slice(0, 10);
	if ('richText' in value) return value.richText.map((r) => r.text).join('');
	if ('error' in value) return '';
	if ('formula' in value || 'sharedFormula' in value) {
		const result = (value as { result?: ExcelJS.CellValue }).result;
		return result === undefined || (typeof result === 'object' && result !== null && 'error' in result) ? '' : cellText(result as ExcelJS.CellValue);
	}
	if ('text' in value) {
		const text = (value as { text: unknown }).text;
		return typeof text === 'string' ? text : cellText(text as ExcelJS.CellValue);
	}
	return '';
}

async function* xlsxRows(bytes: Uint8Array): AsyncGenerator<SourceRow> {
	const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), {
		sharedStrings: 'cache',
		hyperlinks: 'ignore',
		styles: 'cache',
		worksheets: 'emit',
		entries: 'ignore'
	});
	let sheets = 0;
	try {
		for await (const sheet of reader) {
			sheets++;
			for await (const row of sheet) {
				const cells: string[] = [];
				row.eachCell({ includeEmpty: true }, (cell, col) => {
					cells[col - 1] = cellText(cell.value).trim();
				});
				for (let i = 0; i < cells.length; i++) cells[i] ??= '';
				if (cells.some((c) => c !== '')) yield { line: row.number, cells };
			}
			break;
		}
	} catch (e) {
		if (e instanceof ImportRefusedError) throw e;
		throw new ImportRefusedError(
			'corrupt_workbook',
			`The workbook could not be read (${e instanceof Error ? e.message : String(e)}): nothing was imported. Save it again as .xlsx or .csv.`
		);
	}
	if (sheets === 0) throw new ImportRefusedError('no_sheet', 'The workbook has no worksheet.');
}
