/**
 * Any supported file → rows of plain text cells with their line number in the file, read as a
 * stream: a file on disk is never held in memory whole (a 1M-row CSV keeps one chunk at a time).
 * CSV/TSV/TXT (any delimiter, any of the detected encodings) through our incremental reader;
 * XLSX through exceljs's streaming reader (first worksheet). Blank rows are dropped here.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { assertZipIntact } from './zip-check';
import { CsvReader } from './csv';
import {
	detectFormat,
	detectMarkedEncoding,
	detectTextEncoding,
	ENCODING_SAMPLE_BYTES,
	streamDecoder,
	Utf8Validator,
	type DetectedEncoding,
	type FileFormat,
	type TextEncoding
} from './detect';
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
	/** size of the file in bytes */
	size: number;
	/** bytes of the file read so far (for a progress bar) */
	position(): number;
	/** one pass over the rows; call once */
	rows(): AsyncGenerator<SourceRow>;
}

/** a path on disk (streamed) or the bytes themselves */
export type TableInput = string | Uint8Array;

export const DELIMITERS = [';', ',', '\t', '|'] as const;
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

/** Chunks of the input from `start`, counting what was read into `read.bytes`. */
async function* chunks(input: TableInput, start: number, read: { bytes: number }): AsyncGenerator<Buffer> {
	if (typeof input === 'string') {
		for await (const chunk of createReadStream(input, { start, highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
			read.bytes += chunk.byteLength;
			yield chunk;
		}
		return;
	}
	for (let at = start; at < input.byteLength; at += CHUNK_BYTES) {
		const chunk = Buffer.from(input.buffer, input.byteOffset + at, Math.min(CHUNK_BYTES, input.byteLength - at));
		read.bytes += chunk.byteLength;
		yield chunk;
	}
}

async function inputSize(input: TableInput): Promise<number> {
	return typeof input === 'string' ? (await stat(input)).size : input.byteLength;
}

async function readHead(input: TableInput, length: number): Promise<Uint8Array> {
	if (typeof input !== 'string') return input.subarray(0, Math.min(length, input.byteLength));
	const handle = await open(input, 'r');
	try {
		const buffer = Buffer.alloc(length);
		const { bytesRead } = await handle.read(buffer, 0, length, 0);
		return buffer.subarray(0, bytesRead);
	} finally {
		await handle.close();
	}
}

async function wholeFile(input: TableInput): Promise<Uint8Array> {
	if (typeof input !== 'string') return input;
	const parts: Uint8Array[] = [];
	for await (const chunk of chunks(input, 0, { bytes: 0 })) parts.push(chunk);
	return Buffer.concat(parts);
}

/** Strict UTF-8 over the whole input, read chunk by chunk (stops at the first bad byte). */
async function isUtf8(input: TableInput): Promise<boolean> {
	const validator = new Utf8Validator();
	for await (const chunk of chunks(input, 0, { bytes: 0 })) if (!validator.push(chunk)) return false;
	return validator.end();
}

export interface OpenOptions {
	/**
	 * the text encoding already settled for this file (at upload): skips the strict UTF-8 pass over
	 * the whole file, so a preview reads no more than its first rows
	 */
	encoding?: TextEncoding | null;
}

export async function openTable(input: TableInput, options: OpenOptions = {}): Promise<Table> {
	const size = await inputSize(input);
	if (size > MAX_FILE_BYTES)
		throw new ImportRefusedError('too_large', `The file is ${Math.round(size / 1048576)} MB; the limit is 200 MB. Split it and import the parts.`);
	const head = await readHead(input, ENCODING_SAMPLE_BYTES);
	const zipOrOle = head[0] === 0x50 || head[0] === 0xd0;
	// containers are decided (and read) from their bytes: at most 200 MB, and exceljs streams them
	const format = detectFormat(zipOrOle ? await wholeFile(input) : head);
	if (format === 'xlsx') {
		const bytes = await wholeFile(input);
		await assertZipIntact(bytes);
		const read = { bytes: 0 };
		return { format, encoding: null, delimiter: null, size, position: () => read.bytes, rows: () => xlsxRows(bytes, read) };
	}
	const marked = detectMarkedEncoding(head);
	const detected =
		marked ??
		(options.encoding && knownEncoding(options.encoding)) ??
		detectTextEncoding(head, new Utf8Validator().push(head) && (size <= head.byteLength || (await isUtf8(input))));
	const headText = streamDecoder(detected.encoding).write(head.subarray(detected.bomLength));
	const delimiter = guessDelimiter(headText);
	const read = { bytes: detected.bomLength };
	return {
		format,
		encoding: detected.encoding,
		delimiter,
		size,
		position: () => read.bytes,
		rows: () => csvRows(input, detected.encoding, detected.bomLength, delimiter, read)
	};
}

/** A settled encoding without a BOM (one with a BOM, or UTF-16, is decided from the first bytes anyway). */
function knownEncoding(encoding: TextEncoding): DetectedEncoding | null {
	return encoding === 'utf-8' || encoding === 'windows-1251' || encoding === 'windows-1252' ? { encoding, bomLength: 0 } : null;
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

async function* csvRows(
	input: TableInput,
	encoding: TextEncoding,
	start: number,
	delimiter: string,
	read: { bytes: number }
): AsyncGenerator<SourceRow> {
	const decoder = streamDecoder(encoding);
	const reader = new CsvReader(delimiter);
	let any = false;
	for await (const chunk of chunks(input, start, read)) {
		const records = reader.push(decoder.write(chunk));
		if (records.length) any = true;
		yield* records;
	}
	const last = [...reader.push(decoder.end()), ...reader.end()];
	if (last.length) any = true;
	yield* last;
	if (!any) throw new ImportRefusedError('empty', 'The file holds no text (only blank lines).');
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

async function* xlsxRows(bytes: Uint8Array, read: { bytes: number }): AsyncGenerator<SourceRow> {
	// loaded with the first workbook: a CSV import (the CLI, the bench) does not pay exceljs's
	// module load (≈ 0.4 s of CPU and 27 MB of RSS)
	const { default: excel } = await import('exceljs');
	// one chunk at a time (not Readable.from's 16 ahead): `position()` stays what the reader consumed
	const reader = new excel.stream.xlsx.WorkbookReader(Readable.from(chunks(bytes, 0, read), { highWaterMark: 1 }), {
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
