/**
 * Reads a whole file into rows and settles how to read it: format, encoding, delimiter, header row
 * and column mapping (detected, or the manager's override). A file that cannot be read to its end is
 * refused here, before anything is written. The preview and the import both start from this.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { autoMap, detectHeaderRow, parseMapping, type ColumnMapping } from './columns';
import { encodingLabel, type FileFormat } from './detect';
import { ImportRefusedError } from './errors';
import { normalizeRow, type NormalRow } from './normalize';
import { openTable, type SourceRow } from './table';

export interface PrepareOptions {
	/** 1-based line/row of the header (override); detected when absent */
	headerRow?: number | null;
	/** column index → field (override); auto-mapped from the header when absent */
	mapping?: ColumnMapping | Record<string, string> | null;
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
	/** data rows below the header, blank rows dropped */
	rows: SourceRow[];
	/** the first rows of the file, for choosing another header row */
	top: SourceRow[];
}

export const MAX_FILE_BYTES = 200 * 1024 * 1024;

export async function prepareFile(bytes: Uint8Array, options: PrepareOptions = {}): Promise<PreparedFile> {
	if (bytes.byteLength > MAX_FILE_BYTES)
		throw new ImportRefusedError('too_large', `The file is ${Math.round(bytes.byteLength / 1048576)} MB; the limit is 200 MB. Split it and import the parts.`);
	const table = openTable(bytes);
	const all: SourceRow[] = [];
	for await (const row of table.rows()) all.push(row);
	if (all.length === 0) throw new ImportRefusedError('empty', 'The file holds no rows.');

	let headerIndex = options.headerRow ? all.findIndex((r) => r.line === options.headerRow) : -1;
	if (headerIndex < 0) headerIndex = detectHeaderRow(all);
	const headerSource = all[headerIndex]!;
	const header = headerSource.cells.map((c) => c.replace(/\s+/g, ' ').trim());
	while (header.length && header[header.length - 1] === '') header.pop();
	const rows = all.slice(headerIndex + 1);
	if (rows.length === 0)
		throw new ImportRefusedError('no_rows', `No data rows below the header (line ${headerSource.line}): there is nothing to import.`);
	const width = header.length;
	const mapping = (options.mapping && parseMapping(options.mapping, width)) || autoMap(header);
	return {
		format: table.format,
		encoding: table.encoding ? encodingLabel(table.encoding) : null,
		delimiter: table.delimiter,
		headerRow: headerSource.line,
		header,
		width,
		mapping,
		rows,
		top: all.slice(0, Math.max(headerIndex + 1, 10))
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
	return file.rows.slice(0, limit).map((r) => normalizeRow(r, { header: file.header, mapping: file.mapping, region, width: file.width }));
}
