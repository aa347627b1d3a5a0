/**
 * The import's error report: one CSV line per row problem (line, column, value, reason), UTF-8
 * with a BOM so Excel opens it right. Every cell is escaped against formula injection.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CsvReader } from './csv';

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

/** Undoes `escapeFormula` when a report is read back. */
function unescapeFormula(value: string): string {
	return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/**
 * The report of one import, written batch by batch (appended before each batch commits) and kept in
 * memory for the caller. Resuming keeps the lines of the rows already committed and drops any of a
 * batch that never committed.
 */
export class ReportFile {
	opened = false;
	readonly lines: ReportLine[] = [];
	private created = false;

	constructor(readonly path: string) {}

	get hasLines(): boolean {
		return this.lines.length > 0;
	}

	/** `keepUpToLine` > 0: a resume; the existing report's lines up to that file line are kept. */
	async open(keepUpToLine: number): Promise<void> {
		this.opened = true;
		if (keepUpToLine <= 0) return;
		let text: string;
		try {
			text = await readFile(this.path, 'utf8');
		} catch {
			return;
		}
		const reader = new CsvReader(',');
		const records = [...reader.push(text.replace(/^\uFEFF/, '')), ...reader.end()].slice(1);
		for (const r of records) {
			const line = Number(r.cells[0]);
			if (!Number.isInteger(line) || line > keepUpToLine) continue;
			this.lines.push({ line, column: unescapeFormula(r.cells[1] ?? ''), value: unescapeFormula(r.cells[2] ?? ''), reason: unescapeFormula(r.cells[3] ?? '') });
		}
		await writeReport(this.path, this.lines);
		this.created = true;
	}

	async append(lines: ReportLine[]): Promise<void> {
		if (lines.length === 0) return;
		if (!this.created) {
			await writeReport(this.path, lines);
			this.created = true;
			return;
		}
		await appendFile(this.path, lines.map((l) => csvLine([l.line, l.column, l.value, l.reason])).join(''), 'utf8');
	}

	/** the lines of a committed batch */
	keep(lines: ReportLine[]): void {
		for (const l of lines) this.lines.push(l);
	}
}
