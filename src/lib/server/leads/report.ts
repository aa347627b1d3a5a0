/**
 * The import's error report: one CSV line per row problem (line, column, value, reason), UTF-8
 * with a BOM so Excel opens it right. Every cell is escaped against formula injection.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A cell a spreadsheet would run as a formula (= + - @, or a tab/CR in front) gets a leading apostrophe. */
export function escapeFormula(value: string): string {
	return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV cell: formula-escaped, quoted when needed. */
export function csvCell(value: string | number): string {
	const text = escapeFormula(String(value));
	return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: (string | number)[]): string {
	return cells.map(csvCell).join(',') + '\r\n';
}

export interface ReportLine {
	line: number;
	column: string;
	value: string;
	reason: string;
}

export const REPORT_HEADER = ['line', 'column', 'value', 'reason'];

export function reportCsv(lines: ReportLine[]): string {
	return '\uFEFF' + csvLine(REPORT_HEADER) + lines.map((l) => csvLine([l.line, l.column, l.value, l.reason])).join('');
}

/** DATA_DIR/imports/<id>-errors.csv */
export function reportPath(dataDir: string, importId: string): string {
	return path.join(dataDir, 'imports', `${importId}-errors.csv`);
}

export async function writeReport(file: string, lines: ReportLine[]): Promise<void> {
	await mkdir(path.dirname(file), { recursive: true });
	await writeFile(file, reportCsv(lines), 'utf8');
}
