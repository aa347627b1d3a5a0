import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFile, previewRows } from './prepare';

/** `rows` data rows under a header, windows-1252 only where `accentAtRow` says (else ASCII). */
function leadCsv(rows: number, accentAtRow = -1): Buffer {
	const lines = ['Société;Téléphone;E-mail'];
	for (let i = 0; i < rows; i++) lines.push(`${i === accentAtRow ? 'Crèmerie' : 'Company'} ${i};01 40 ${String(i % 100).padStart(2, '0')} 00 00;c${i}@example.fr`);
	return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

describe('the preview reads only the start of the file', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'sb-prepare-'));
	});
	afterAll(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('counts the rows of a file held by its first read', async () => {
		const file = path.join(dir, 'small.csv');
		await writeFile(file, leadCsv(2000));
		const prepared = await prepareFile(file);
		expect(previewRows(prepared, 'FR', 50)).toHaveLength(50);
		await expect(prepared.dataRows()).resolves.toEqual({ count: 2000, exact: true });
	});

	it('estimates the rows of a large file without reading it to the end', async () => {
		const file = path.join(dir, 'large.csv');
		const bytes = leadCsv(200_000);
		await writeFile(file, bytes);
		const prepared = await prepareFile(file, { encoding: 'utf-8' });
		const { count, exact } = await prepared.dataRows();
		expect(exact).toBe(false);
		expect(Math.abs(count - 200_000)).toBeLessThan(200_000 * 0.05);
		expect(prepared.position()).toBeLessThan(bytes.byteLength / 2);
		await prepared.close();
	});

	it('takes the encoding settled at upload instead of reading the whole file for it', async () => {
		const file = path.join(dir, 'late-accent.csv');
		// the only non-ASCII byte sits far beyond the first chunk: detecting needs the whole file
		await writeFile(file, leadCsv(100_000, 99_000));
		const detected = await prepareFile(file);
		expect(detected.encoding).toBe('windows-1252');
		await detected.close();
		const settled = await prepareFile(file, { encoding: 'windows-1252' });
		expect(settled.encoding).toBe('windows-1252');
		expect(settled.position()).toBeLessThan(settled.size / 2);
		await settled.close();
	});
});
