/**
 * What kind of file did the manager bring? Decided from the bytes, never from the extension alone:
 * a spreadsheet saved as "leads.csv" or a CSV named ".xls" both happen in the field.
 */
import iconv from 'iconv-lite';
import { ImportRefusedError } from './errors';

export type FileFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1251' | 'windows-1252';

const CONVERT_HINT = 'open it in Excel or LibreOffice and save it as .xlsx or .csv (UTF-8), then import that file';

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
	return sig.every((b, i) => bytes[i] === b);
}

/** Format from the first bytes (and, for zip containers, what they hold). Throws ImportRefusedError. */
export function detectFormat(bytes: Uint8Array): FileFormat {
	if (bytes.length === 0) throw new ImportRefusedError('empty', 'The file is empty (0 bytes).');
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
		throw new ImportRefusedError('legacy_xls', `This is a legacy Excel 97–2003 (.xls) workbook, which is not supported: ${CONVERT_HINT}.`);
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
		const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
		if (head.includes('application/vnd.oasis.opendocument'))
			throw new ImportRefusedError('ods', `This is an OpenDocument spreadsheet (.ods), which is not supported: ${CONVERT_HINT}.`);
		if (!hasEndOfCentralDirectory(bytes))
			throw new ImportRefusedError(
				'corrupt_workbook',
				'The workbook is corrupt or truncated (its zip directory is missing): nothing was imported. Save it again as .xlsx or .csv.'
			);
		const names = zipEntryNames(bytes);
		if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
		if (names.includes('mimetype') && names.some((n) => n === 'content.xml'))
			throw new ImportRefusedError('ods', `This is an OpenDocument spreadsheet (.ods), which is not supported: ${CONVERT_HINT}.`);
		throw new ImportRefusedError('unsupported_archive', 'This zip archive is not an Excel workbook: import a .xlsx, .csv or .txt file.');
	}
	return 'csv';
}

/** A complete zip ends with an end-of-central-directory record (PK 05 06) within its last 64 KiB. */
function hasEndOfCentralDirectory(bytes: Uint8Array): boolean {
	return findEocd(bytes) >= 0;
}

function findEocd(bytes: Uint8Array): number {
	const stop = Math.max(0, bytes.length - 65_557);
	for (let i = bytes.length - 22; i >= stop; i--) {
		if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) return i;
	}
	return -1;
}

/** Entry names from the zip central directory (no decompression). */
export function zipEntryNames(bytes: Uint8Array): string[] {
	const eocd = findEocd(bytes);
	if (eocd < 0) return [];
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const count = view.getUint16(eocd + 10, true);
	let offset = view.getUint32(eocd + 16, true);
	const names: string[] = [];
	for (let i = 0; i < count && offset + 46 <= bytes.length; i++) {
		if (view.getUint32(offset, true) !== 0x02014b50) break;
		const nameLen = view.getUint16(offset + 28, true);
		const extraLen = view.getUint16(offset + 30, true);
		const commentLen = view.getUint16(offset + 32, true);
		names.push(Buffer.from(bytes.subarray(offset + 46, offset + 46 + nameLen)).toString('utf8'));
		offset += 46 + nameLen + extraLen + commentLen;
	}
	return names;
}

export interface DetectedEncoding {
	encoding: TextEncoding;
	/** bytes to skip before decoding */
	bomLength: number;
}

/**
 * BOM first; then UTF-16 without a BOM (NUL bytes on every other position); then strict UTF-8
 * (ASCII-only is UTF-8); then binary junk is refused; else windows-1251 vs windows-1252 by letter
 * statistics: Russian words are runs of high bytes, French words have an accented letter here and there.
 */
export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
	const sample = bytes.subarray(0, Math.min(bytes.length, ENCODING_SAMPLE_BYTES));
	return detectMarkedEncoding(sample) ?? detectTextEncoding(sample, isValidUtf8(bytes));
}

/** bytes looked at for the BOM, NUL statistics, control bytes and letter statistics */
export const ENCODING_SAMPLE_BYTES = 65_536;

/** A BOM or the NUL pattern of UTF-16: decided from the first bytes alone. */
export function detectMarkedEncoding(sample: Uint8Array): DetectedEncoding | null {
	if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8-bom', bomLength: 3 };
	if (startsWith(sample, [0xff, 0xfe])) return { encoding: 'utf-16le', bomLength: 2 };
	if (startsWith(sample, [0xfe, 0xff])) return { encoding: 'utf-16be', bomLength: 2 };
	let evenNul = 0;
	let oddNul = 0;
	for (let i = 0; i < sample.length; i++) {
		if (sample[i] === 0) {
			if (i % 2 === 0) evenNul++;
			else oddNul++;
		}
	}
	const pairs = sample.length / 2;
	if (pairs > 0 && oddNul / pairs > 0.3 && evenNul / pairs < 0.05) return { encoding: 'utf-16le', bomLength: 0 };
	if (pairs > 0 && evenNul / pairs > 0.3 && oddNul / pairs < 0.05) return { encoding: 'utf-16be', bomLength: 0 };
	return null;
}

/** No BOM, not UTF-16: UTF-8 when the whole file is strict UTF-8 (`wholeIsUtf8`), else a Windows code page. */
export function detectTextEncoding(sample: Uint8Array, wholeIsUtf8: boolean): DetectedEncoding {
	if (wholeIsUtf8) {
		assertText(sample, true);
		return { encoding: 'utf-8', bomLength: 0 };
	}
	assertText(sample, false);
	return { encoding: cyrillicScore(sample) > 0.5 ? 'windows-1251' : 'windows-1252', bomLength: 0 };
}

/** Checks UTF-8 validity chunk by chunk (a character may straddle two chunks). */
export class Utf8Validator {
	private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
	valid = true;
	push(chunk: Uint8Array): boolean {
		if (!this.valid) return false;
		try {
			this.decoder.decode(chunk, { stream: true });
		} catch {
			this.valid = false;
		}
		return this.valid;
	}
	end(): boolean {
		if (!this.valid) return false;
		try {
			this.decoder.decode();
		} catch {
			this.valid = false;
		}
		return this.valid;
	}
}

/** A whole (small) file's text in its detected encoding, without the BOM. */
export function decodeText(bytes: Uint8Array, detected: DetectedEncoding): string {
	const decoder = streamDecoder(detected.encoding);
	return decoder.write(bytes.subarray(detected.bomLength)) + decoder.end();
}

/** Incremental decoder of one of the detected encodings: bytes in, text out, chunk by chunk. */
export function streamDecoder(encoding: TextEncoding): { write(chunk: Uint8Array): string; end(): string } {
	if (encoding === 'utf-8' || encoding === 'utf-8-bom' || encoding === 'utf-16le') {
		const decoder = new TextDecoder(encoding === 'utf-16le' ? 'utf-16le' : 'utf-8', { ignoreBOM: true });
		return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
	}
	const decoder = iconv.getDecoder(encoding);
	return { write: (chunk) => decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), end: () => decoder.end() ?? '' };
}

function isValidUtf8(bytes: Uint8Array): boolean {
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** Control characters other than tab, CR, LF, FF: a text export has (almost) none. */
function assertText(sample: Uint8Array, utf8: boolean): void {
	let control = 0;
	for (const b of sample) {
		if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) control++;
		// 0x81, 0x8d, 0x8f, 0x90, 0x9d are unassigned in windows-1252
		else if (!utf8 && (b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d)) control++;
	}
	if (control > 0 && control / sample.length > 0.001)
		throw new ImportRefusedError(
			'not_text',
			'This file is not text: it holds binary data (control bytes). Import a .csv, .txt or .xlsx file exported from your spreadsheet or CRM.'
		);
}

/** Share of letters in 0xC0–0xFF that sit next to another high byte (a run), as Cyrillic words do. */
function cyrillicScore(sample: Uint8Array): number {
	let high = 0;
	let inRun = 0;
	for (let i = 0; i < sample.length; i++) {
		const b = sample[i]!;
		if (b < 0xc0) continue;
		high++;
		if ((sample[i - 1] ?? 0) >= 0x80 || (sample[i + 1] ?? 0) >= 0x80) inRun++;
	}
	return high === 0 ? 0 : inRun / high;
}

/** Display name of an encoding, as expected.json and the wizard word it. */
export function encodingLabel(encoding: TextEncoding): string {
	return encoding === 'utf-8-bom' ? 'utf-8 (BOM)' : encoding;
}

const ENCODINGS: readonly TextEncoding[] = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1251', 'windows-1252'];

/** The encoding an `encodingLabel` names (as stored on the imports row), or null. */
export function encodingFromLabel(label: string | null | undefined): TextEncoding | null {
	return ENCODINGS.find((e) => encodingLabel(e) === label) ?? null;
}
