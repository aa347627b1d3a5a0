/**
 * Opens a file and settles how to read it: format, encoding, delimiter, header row and column
 * mapping (detected, or the manager's override), from its first rows only. The data rows are then
 * streamed by `rows()`. A file whose format, encoding or header cannot be read is refused here,
 * before anything is written. The preview and the import both start from this.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { autoMap, detectHeaderRow, parseMapping, type ColumnMapping } from './columns';
import { encodingFromLabel, encodingLabel, type FileFormat } from './detect';
import { ImportRefusedError } from './errors';
import { normalizeRow, type NormalRow } from './normalize';
import { openTable, type SourceRow, type TableInput } from './table';

export { MAX_FILE_BYTES } from './table';

export interface PrepareOptions {
	/** 1-based line/row of the header (override); detected when absent */
	headerRow?: number | null;
	/** column index → field (override); auto-mapped from the header when absent */
	mapping?: ColumnMapping | Record<string, string> | null;
	/** the encoding settled at upload (its label, as on the imports row): not detected again */
	encoding?: string | null;
}

export interface PreparedFile {
	format: FileFormat;
	/** display label: 'windows-1252', 'utf-8 (BOM)', … (null for XLSX) */
	encoding: string | null;
	delimiter: string | null;
	headerRow: number;
	header: string[];
	width: number;
	mapping: ColumnMapping;
	/** the first rows of the file, for choosing another header row */
	top: SourceRow[];
	/** the first data rows (already read): the preview */
	first: SourceRow[];
	/** bytes of the file, and bytes read so far */
	size: number;
	position(): number;
	/** every data row below the header (blank rows dropped), streamed; one pass */
	rows(): AsyncGenerator<SourceRow>;
	/**
	 * The number of data rows without reading the file to its end (instead of `rows()`): counted
	 * when the rest is already in memory (a file within the first read chunk), else estimated from
	 * the rows per byte read so far (`exact` false).
	 */
	dataRows(): Promise<{ count: number; exact: boolean }>;
	/** releases the file when the rows are not read to the end */
	close(): Promise<void>;
}

/**
 * Postgres cannot store U+0000 in text or jsonb: a NUL from a damaged file (found by the import
 * fuzzing, issue 10) would fail its whole batch. It carries nothing, so it is dropped from every cell.
 */
function withoutNul(row: SourceRow): SourceRow {
	for (let i = 0; i < row.cells.length; i++) if (row.cells[i]!.includes('\0')) row.cells[i] = row.cells[i]!.replaceAll('\0', '');
	return row;
}

/** rows read ahead to find the header below title rows and to preview the data */
const LOOKAHEAD_ROWS = 100;

export async function prepareFile(input: TableInput, options: PrepareOptions = {}): Promise<PreparedFile> {
	const table = await openTable(input, { encoding: encodingFromLabel(options.encoding) });
	const source = table.rows();
	const ahead: SourceRow[] = [];
	for (let next = await source.next(); ; next = await source.next()) {
		if (next.done) break;
		ahead.push(withoutNul(next.value));
		if (ahead.length >= LOOKAHEAD_ROWS) break;
	}
	if (ahead.length === 0) throw new ImportRefusedError('empty', 'The file holds no rows.');

	let headerIndex = options.headerRow ? ahead.findIndex((r) => r.line === options.headerRow) : -1;
	if (headerIndex < 0) headerIndex = detectHeaderRow(ahead);
	const headerSource = ahead[headerIndex]!;
	const header = headerSource.cells.map((c) => c.replace(/\s+/g, ' ').trim());
	while (header.length && header[header.length - 1] === '') header.pop();
	const first = ahead.slice(headerIndex + 1);
	if (first.length === 0) {
		const more = await source.next();
		if (more.done)
			throw new ImportRefusedError('no_rows', `No data rows below the header (line ${headerSource.line}): there is nothing to import.`);
		first.push(withoutNul(more.value));
	}
	const width = header.length;
	const mapping = (options.mapping && parseMapping(options.mapping, width)) || autoMap(header);
	let consumed = false;
	const rest = async function* (): AsyncGenerator<SourceRow> {
		if (consumed) throw new Error('the rows of a prepared file are read once');
		consumed = true;
		yield* first;
		for (let next = await source.next(); !next.done; next = await source.next()) yield withoutNul(next.value);
	};
	return {
		format: table.format,
		encoding: table.encoding ? encodingLabel(table.encoding) : null,
		delimiter: table.delimiter,
		headerRow: headerSource.line,
		header,
		width,
		mapping,
		top: ahead.slice(0, Math.max(headerIndex + 1, 10)),
		first,
		size: table.size,
		position: table.position,
		rows: rest,
		async dataRows() {
			const rows = rest();
			const readBefore = table.position();
			let count = 0;
			for (let next = await rows.next(); !next.done; next = await rows.next()) {
				count++;
				// the next chunk had to be read: stop there, the rows so far give the rate
				if (table.position() !== readBefore) {
					await rows.return(undefined);
					// the last row came with the new chunk; the others were in the bytes read before it
					return { count: Math.max(count, Math.round(((count - 1) * table.size) / Math.max(readBefore, 1))), exact: false };
				}
			}
			return { count, exact: true };
		},
		async close() {
			await source.return(undefined);
		}
	};
}

/** Throws when no column is mapped to phones: every lead needs one. */
export function assertPhoneColumn(file: Pick<PreparedFile, 'mapping' | 'header' | 'headerRow'>): void {
	if (!Object.values(file.mapping).includes('phone'))
		throw new ImportRefusedError(
			'no_phone_column',
			`No phone column found in the header on line ${file.headerRow} (${file.header.join(', ')}): choose which column holds the phone numbers.`
		);
}

/** The first `limit` rows normalised as the import would, with each row's problems. */
export function previewRows(file: PreparedFile, region: CountryCode, limit = 50): NormalRow[] {
	return file.first.slice(0, limit).map((r) => normalizeRow(r, { header: file.header, mapping: file.mapping, region, width: file.width }));
}
