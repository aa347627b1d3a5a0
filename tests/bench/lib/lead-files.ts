/**
 * Generated lead files for the import bench: French-looking rows (company, contact, city, phone in
 * national format, e-mail), with a share of rows repeating an earlier phone or e-mail (merges) and
 * of rows without a valid phone (invalid), written as a streamed CSV or a streamed XLSX.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { Db } from '../../../src/lib/server/db';
import { importLeads, type ImportResult } from '../../../src/lib/server/leads/import';

export const LEAD_HEADER = ['Société', 'Contact', 'Ville', 'Téléphone', 'E-mail'];
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Lille', 'Bordeaux', 'Rennes'];

/** Row `i` of the generated file; every 20th row repeats row i-10's phone, every 50th has no phone. */
export function leadRow(i: number): string[] {
	const n = i % 20 === 19 ? i - 10 : i;
	// 01 40 00 00 00 … : valid French fixed-line numbers, one per row
	const digits = String(40_000_000 + n).padStart(8, '0');
	const phone = i % 50 === 49 ? 'n/a' : `01 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6, 8)}`;
	return [`Société ${n}`, `Contact ${i}`, CITIES[i % CITIES.length]!, phone, `contact${i}@example${i % 97}.fr`];
}

function csvCell(value: string): string {
	return /[";\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export async function writeLeadCsv(file: string, rows: number): Promise<void> {
	const out = createWriteStream(file);
	out.write(LEAD_HEADER.join(';') + '\r\n');
	for (let i = 0; i < rows; i++) {
		if (!out.write(leadRow(i).map(csvCell).join(';') + '\r\n')) await once(out, 'drain');
	}
	out.end();
	await once(out, 'finish');
}

export async function writeLeadXlsx(file: string, rows: number): Promise<void> {
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
	const sheet = workbook.addWorksheet('Leads');
	sheet.addRow(LEAD_HEADER).commit();
	for (let i = 0; i < rows; i++) sheet.addRow(leadRow(i)).commit();
	sheet.commit();
	await workbook.commit();
}

/** What the import must report for a generated file of `rows` rows imported into an empty database. */
export function expectedCounts(rows: number): { total: number; invalid: number; created: number; merged: number } {
	let invalid = 0;
	let merged = 0;
	for (let i = 0; i < rows; i++) {
		if (i % 50 === 49) invalid++;
		// a repeat of a row that was itself invalid has nothing to match: its e-mail makes it new
		else if (i % 20 === 19 && (i - 10) % 50 !== 49) merged++;
	}
	return { total: rows, invalid, created: rows - invalid - merged, merged };
}

type LeadCounts = ReturnType<typeof expectedCounts>;

/**
 * Resume an interrupted import of a generated file (`importId`) and give what the tests compare:
 * the counts it ended with and the counts of an uninterrupted import of the same `rows`.
 */
export async function resumeGeneratedImport(
	db: Db,
	o: { projectId: string; importId: string; csv: string; dataDir: string; batchSize: number; rows: number }
): Promise<{ resumed: ImportResult; counts: LeadCounts; want: LeadCounts }> {
	const resumed = await importLeads(db, {
		projectId: o.projectId,
		importId: o.importId,
		resume: true,
		file: { name: 'leads.csv', path: o.csv },
		region: 'FR',
		dataDir: o.dataDir,
		batchSize: o.batchSize
	});
	const { total, invalid, created, merged } = resumed;
	return { resumed, counts: { total, invalid, created, merged }, want: expectedCounts(o.rows) };
}
