/**
 * A report table as CSV (UTF-8 with BOM, for Excel) or XLSX (exceljs). Text cells that a
 * spreadsheet would run as a formula are escaped (escapeFormula); numbers stay numbers.
 */
import ExcelJS from 'exceljs';
import { csvLine, escapeFormula } from '../leads/report';
import type { Cell, ReportTable } from '$lib/reports/table';

export type ExportFormat = 'csv' | 'xlsx';

function plain(c: Cell): string | number {
	return c === null ? '' : c;
}

export function tableCsv(table: ReportTable, labels: readonly string[]): string {
	return '\uFEFF' + csvLine([...labels]) + table.rows.map((r) => csvLine(r.map(plain))).join('');
}

export async function tableXlsx(table: ReportTable, labels: readonly string[], sheetName: string): Promise<Uint8Array> {
	const book = new ExcelJS.Workbook();
	const sheet = book.addWorksheet(sheetName.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'report');
	sheet.addRow(labels.map((l) => escapeFormula(l)));
	sheet.getRow(1).font = { bold: true };
	for (const r of table.rows) sheet.addRow(r.map((c) => (typeof c === 'string' ? escapeFormula(c) : c)));
	table.columns.forEach((col, i) => {
		const column = sheet.getColumn(i + 1);
		if (col.kind === 'pct') column.numFmt = '0.0%';
		if (col.kind === 'money') column.numFmt = '#,##0.00';
		column.width = Math.max(10, (labels[i]?.length ?? 8) + 2);
	});
	return new Uint8Array(await book.xlsx.writeBuffer());
}
