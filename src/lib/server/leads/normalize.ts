/**
 * One source row → what a lead is made of: E.164 phones (extensions kept apart), normalised
 * e-mails, text fields, and the row's problems. Pure; the same code feeds the preview and the import.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { ColumnMapping } from './columns';
import type { RowProblem } from './errors';

export interface NormalPhone {
	e164: string;
	raw: string;
	ext: string | null;
}

export const TEXT_FIELDS = ['company', 'contact', 'position', 'city', 'industry', 'size', 'website'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

export interface NormalRow {
	line: number;
	fields: Partial<Record<TextField, string>>;
	/** unmapped columns, header → value */
	portrait: Record<string, string>;
	phones: NormalPhone[];
	emails: string[];
	problems: RowProblem[];
	/** false when a fatal problem rejects the row */
	valid: boolean;
}

export function isCountryCode(region: string): region is CountryCode {
	return isSupportedCountry(region);
}

/**
 * Parsed phones by region and text. libphonenumber-js costs tens of microseconds a number (it builds
 * its regular expressions on every call), and lead files repeat numbers a lot: a switchboard on
 * every contact of a company, the same file imported twice. Bounded: cleared when full.
 */
const phoneCache = new Map<string, { e164: string; ext: string | null } | null>();
const PHONE_CACHE_SIZE = 50_000;

/** E.164 of a phone written any usual way ("01 23 45 67 89", "+33 (0)1 …", "0033…", "8 (495) 123-45-67"), or null. */
export function normalizePhone(raw: string, region: CountryCode): NormalPhone | null {
	const text = raw.trim();
	if (!text || !/\d/.test(text)) return null;
	const key = region + text;
	let known = phoneCache.get(key);
	if (known === undefined) {
		known = parsePhone(text, region);
		if (phoneCache.size >= PHONE_CACHE_SIZE) phoneCache.clear();
		phoneCache.set(detached(key), known);
	}
	return known && { e164: known.e164, raw: text, ext: known.ext };
}

/**
 * A copy of `text` that does not keep the text it was cut from alive. V8 makes a substring of 13
 * characters or more a view into its parent, and `region + text` a pair pointing at that view: a
 * cached phone read from an XLSX row kept the whole decoded chunk of XML around it (64 KB) alive,
 * ≈ 20 MB of a 100k-row import's heap and a long-lived server's after it. Slicing a concatenation
 * makes V8 flatten it into a new string first.
 */
function detached(text: string): string {
	return (' ' + text).slice(1);
}

/**
 * The "max" metadata on purpose: it validates a number against each number type of its country
 * (fixed line, mobile, …), where "min" only checks its length, and a number that cannot be dialled
 * should be reported on import rather than found by the dialler.
 */
function parsePhone(text: string, region: CountryCode): { e164: string; ext: string | null } | null {
	let parsed = parsePhoneNumberFromString(text, region);
	if (!parsed?.isValid()) {
		// "+33 (0)1 23…": the trunk prefix in brackets is not dialled after the country code;
		// "00 7 …": the international prefix spelled with zeros, whatever the region's own prefix is
		const rewritten = text.replace(/^(\+\d{1,3})\s*\(0\)\s*/, '$1 ').replace(/^00\s*(?=[1-9])/, '+');
		if (rewritten !== text) parsed = parsePhoneNumberFromString(rewritten, region);
	}
	if (!parsed || !parsed.isValid()) return null;
	return { e164: parsed.number, ext: parsed.ext ?? null };
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;

/** trimmed, lower-case, without "mailto:" and without a display name ("Ann <ann@x.fr>") */
export function normalizeEmail(raw: string): string | null {
	let text = raw.trim();
	const angle = /<([^<>]+)>/.exec(text);
	if (angle) text = angle[1]!;
	text = text.replace(/^mailto:/i, '').trim().toLowerCase();
	return EMAIL.test(text) ? text : null;
}

export interface NormalizeOptions {
	header: string[];
	mapping: ColumnMapping;
	region: CountryCode;
	/** number of header cells: longer rows are ragged */
	width: number;
}

export function normalizeRow(row: { line: number; cells: string[]; unclosedQuote?: boolean }, options: NormalizeOptions): NormalRow {
	const out: NormalRow = { line: row.line, fields: {}, portrait: {}, phones: [], emails: [], problems: [], valid: true };
	const { header, mapping, region, width } = options;
	const columnName = (i: number) => header[i]?.trim() || `#${i + 1}`;

	if (row.unclosedQuote) {
		out.problems.push({
			code: 'unclosed_quote',
			message: `a quote opened on line ${row.line} is never closed: the rest of the file was read as one cell`,
			fatal: true
		});
	}
	// per row of a 1M-row file: no array is made for the common row that has no extra cells
	const extra = row.cells.length > width ? row.cells.slice(width).filter((c) => c.trim() !== '') : [];
	if (extra.length) {
		out.problems.push({
			code: 'too_many_cells',
			value: extra.join(' | ').slice(0, 200),
			message: `${row.cells.length} cells where the header has ${width}: the columns are shifted`,
			fatal: true
		});
	} else if (row.cells.length < width && !row.unclosedQuote) {
		out.problems.push({
			code: 'too_few_cells',
			message: `${row.cells.length} cells where the header has ${width}: the missing cells are read as empty`,
			fatal: false
		});
	}

	const badPhones: { column: string; value: string }[] = [];
	for (let i = 0; i < Math.min(row.cells.length, width); i++) {
		const value = row.cells[i] ?? '';
		const clean = value.replace(/\s+/g, ' ').trim();
		if (!clean) continue;
		const field = mapping[String(i)] ?? 'ignore';
		switch (field) {
			case 'ignore':
				break;
			case 'phone': {
				const phone = normalizePhone(value, region);
				if (!phone) badPhones.push({ column: columnName(i), value: clean });
				else if (!out.phones.some((p) => p.e164 === phone.e164)) out.phones.push(phone);
				break;
			}
			case 'email': {
				const email = normalizeEmail(value);
				if (!email)
					out.problems.push({ code: 'bad_email', column: columnName(i), value: clean, message: 'not an e-mail address: ignored', fatal: false });
				else if (!out.emails.includes(email)) out.emails.push(email);
				break;
			}
			case 'portrait':
				out.portrait[columnName(i)] = clean;
				break;
			default:
				out.fields[field] ??= clean;
		}
	}
	if (out.phones.length === 0) {
		if (badPhones.length === 0) out.problems.push({ code: 'no_phone', message: 'no phone number', fatal: true });
		for (const b of badPhones)
			out.problems.push({ code: 'bad_phone', column: b.column, value: b.value, message: `not a valid phone number for region ${region}`, fatal: true });
	} else {
		for (const b of badPhones)
			out.problems.push({ code: 'bad_phone', column: b.column, value: b.value, message: `not a valid phone number for region ${region}: ignored`, fatal: false });
	}
	out.valid = !out.problems.some((p) => p.fatal);
	return out;
}
