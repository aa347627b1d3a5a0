/**
 * A workbook's zip checked before ExcelJS streams it: ExcelJS's streaming reader never settles on
 * a corrupt deflate stream (no error, no end — found by the import fuzzing, issue 10), which would
 * hang the upload and the import. Every entry the central directory lists is inflated once, its
 * size and CRC-32 compared with the directory's, and the output discarded as it comes.
 */
import { crc32, createInflateRaw } from 'node:zlib';
import { ImportRefusedError } from './errors';

const STORED = 0;
const DEFLATED = 8;
/** zip64 placeholders: the real sizes are elsewhere (workbooks beyond 4 GB never get this far) */
const ZIP64 = 0xffffffff;

function corrupt(detail: string): ImportRefusedError {
	return new ImportRefusedError('corrupt_workbook', `The workbook is corrupt (${detail}): nothing was imported. Save it again as .xlsx or .csv.`);
}

/** Inflates `data`, stopping past `limit` bytes of output; resolves with the output's size and CRC-32. */
function inflated(data: Uint8Array, limit: number): Promise<{ size: number; crc: number }> {
	return new Promise((resolve, reject) => {
		const inflate = createInflateRaw();
		let size = 0;
		let crc = 0;
		inflate.on('data', (chunk: Buffer) => {
			size += chunk.byteLength;
			crc = crc32(chunk, crc);
			if (size > limit) inflate.destroy(new Error('more data than the directory says'));
		});
		inflate.on('error', reject);
		inflate.on('end', () => resolve({ size, crc }));
		inflate.end(data);
	});
}

/** Throws ImportRefusedError('corrupt_workbook') unless every entry of the zip in `bytes` reads back intact. */
export async function assertZipIntact(bytes: Uint8Array): Promise<void> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let eocd = -1;
	for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
		if (view.getUint32(i, true) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) throw corrupt('its zip directory is missing');
	const count = view.getUint16(eocd + 10, true);
	let offset = view.getUint32(eocd + 16, true);
	for (let i = 0; i < count; i++) {
		if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) throw corrupt('its zip directory is damaged');
		const method = view.getUint16(offset + 10, true);
		const crc = view.getUint32(offset + 16, true);
		const packed = view.getUint32(offset + 20, true);
		const size = view.getUint32(offset + 24, true);
		const nameLength = view.getUint16(offset + 28, true);
		const next = offset + 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
		const local = view.getUint32(offset + 42, true);
		const name = Buffer.from(bytes.subarray(offset + 46, Math.min(bytes.length, offset + 46 + nameLength))).toString('utf8');
		offset = next;
		if (packed === ZIP64 || size === ZIP64 || local === ZIP64) continue;
		if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw corrupt(`the part ${name} is missing`);
		const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
		if (start + packed > bytes.length) throw corrupt(`the part ${name} is cut off`);
		const data = bytes.subarray(start, start + packed);
		let read: { size: number; crc: number };
		if (method === STORED) read = { size: data.byteLength, crc: crc32(data) };
		else if (method === DEFLATED) read = await inflated(data, size).catch(() => ({ size: -1, crc: 0 }));
		else throw corrupt(`the part ${name} uses an unknown compression`);
		if (read.size !== size || read.crc !== crc) throw corrupt(`the part ${name} does not read back intact`);
	}
}
