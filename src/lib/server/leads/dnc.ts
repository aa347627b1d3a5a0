/**
 * The do-not-call list (`dnc`, E.164 primary key): add, remove, import a file of numbers, search.
 * The hopper and click-to-call read the table directly (a DNC number is never dialled); the importer
 * and the manual add ask `dncSet` which of a row's phones are listed. Every change is audited.
 */
import { count, desc, eq, inArray, like, or } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db';
import { dnc } from '../db/schema';
import { audit } from '../audit';
import type { Actor } from '../projects';
import { decodeText, detectEncoding } from './detect';
import { isCountryCode, normalizePhone } from './normalize';

export type DncEntry = typeof dnc.$inferSelect;

/** A bad number or region, with a message meant for the person who typed it. */
export class DncInputError extends Error {
	constructor(
		readonly code: 'bad_region' | 'bad_phone' | 'empty_file' | 'too_large',
		message: string
	) {
		super(message);
		this.name = 'DncInputError';
	}
}

/** A DNC file is a list of numbers: a few MB is already millions of them. */
export const MAX_DNC_FILE_BYTES = 20 * 1024 * 1024;

/** Which of `e164s` are on the list (one query). For the importer and the manual add. */
export async function dncSet(db: DbOrTx, e164s: readonly string[]): Promise<Set<string>> {
	const list = [...new Set(e164s)];
	if (list.length === 0) return new Set();
	const found = new Set<string>();
	for (let i = 0; i < list.length; i += 10_000) {
		const rows = await db.select({ e164: dnc.e164 }).from(dnc).where(inArray(dnc.e164, list.slice(i, i + 10_000)));
		for (const r of rows) found.add(r.e164);
	}
	return found;
}

export async function isOnDnc(db: DbOrTx, e164: string): Promise<boolean> {
	return (await dncSet(db, [e164])).has(e164);
}

function regionOf(region: string) {
	const r = region.trim().toUpperCase();
	if (!isCountryCode(r)) throw new DncInputError('bad_region', `Unknown region "${region}": use a two-letter country code such as FR.`);
	return r;
}

/** Adds one number (written any usual way, read with `region`); returns its E.164 and whether it was new. */
export async function addToDnc(
	db: Db,
	input: { phone: string; region: string; reason?: string | null },
	actor: Actor
): Promise<{ e164: string; added: boolean }> {
	const phone = normalizePhone(input.phone, regionOf(input.region));
	if (!phone) throw new DncInputError('bad_phone', `"${input.phone.slice(0, 40)}" is not a valid phone number for region ${input.region.toUpperCase()}.`);
	const reason = input.reason?.trim().slice(0, 200) || null;
	return db.transaction(async (tx) => {
		const rows = await tx.insert(dnc).values({ e164: phone.e164, reason, addedBy: actor.id }).onConflictDoNothing().returning({ e164: dnc.e164 });
		const added = rows.length > 0;
		if (added) await audit(tx, { actorId: actor.id, action: 'dnc.added', target: phone.e164, details: { reason }, ip: actor.ip });
		return { e164: phone.e164, added };
	});
}

export async function removeFromDnc(db: Db, e164: string, actor: Actor): Promise<boolean> {
	return db.transaction(async (tx) => {
		const rows = await tx.delete(dnc).where(eq(dnc.e164, e164)).returning({ e164: dnc.e164 });
		if (rows.length) await audit(tx, { actorId: actor.id, action: 'dnc.removed', target: e164, ip: actor.ip });
		return rows.length > 0;
	});
}

export interface DncImportResult {
	lines: number;
	added: number;
	/** valid numbers that were already listed (or repeated in the file) */
	already: number;
	invalid: number;
	/** the first invalid lines, for the page: line number and text */
	rejected: { line: number; value: string }[];
}

/**
 * One number per line (CSV/TXT; the first cell that reads as a phone wins, so a header line or a
 * "number;comment" layout works). Any encoding the importer detects. Written in one transaction.
 */
export async function importDnc(
	db: Db,
	input: { bytes: Uint8Array; region: string; reason?: string | null; fileName?: string },
	actor: Actor
): Promise<DncImportResult> {
	const region = regionOf(input.region);
	if (input.bytes.byteLength > MAX_DNC_FILE_BYTES)
		throw new DncInputError('too_large', `The file is larger than ${MAX_DNC_FILE_BYTES / 1048576} MB: split it.`);
	const text = decodeText(input.bytes, detectEncoding(input.bytes));
	const numbers = new Set<string>();
	const result: DncImportResult = { lines: 0, added: 0, already: 0, invalid: 0, rejected: [] };
	const lines = text.split(/\r\n|\n|\r/);
	for (const [i, line] of lines.entries()) {
		if (!line.trim()) continue;
		result.lines++;
		const cells = line.split(/[,;\t|]/).map((c) => c.replace(/^"|"$/g, ''));
		const phone = cells.map((c) => normalizePhone(c, region)).find((p) => p !== null);
		if (!phone) {
			result.invalid++;
			if (result.rejected.length < 20) result.rejected.push({ line: i + 1, value: line.slice(0, 80) });
			continue;
		}
		if (numbers.has(phone.e164)) result.already++;
		numbers.add(phone.e164);
	}
	if (result.lines === 0) throw new DncInputError('empty_file', 'The file has no numbers.');
	const reason = input.reason?.trim().slice(0, 200) || null;
	const list = [...numbers];
	await db.transaction(async (tx) => {
		for (let i = 0; i < list.length; i += 5000) {
			const rows = await tx
				.insert(dnc)
				.values(list.slice(i, i + 5000).map((e164) => ({ e164, reason, addedBy: actor.id })))
				.onConflictDoNothing()
				.returning({ e164: dnc.e164 });
			result.added += rows.length;
		}
		result.already += list.length - result.added;
		await audit(tx, {
			actorId: actor.id,
			action: 'dnc.imported',
			target: input.fileName?.slice(0, 255) ?? null,
			details: { region, lines: result.lines, added: result.added, already: result.already, invalid: result.invalid },
			ip: actor.ip
		});
	});
	return result;
}

/**
 * Digits of a search ("+33 1 45", "45 67") matched anywhere in the stored E.164; a whole national
 * number ("01 45 67 89 10") read with `region` matches its E.164 too.
 */
export async function searchDnc(
	db: DbOrTx,
	query: string,
	options: { region?: string; limit?: number; offset?: number } = {}
): Promise<{ rows: DncEntry[]; total: number }> {
	const digits = query.replace(/\D/g, '');
	const region = options.region?.toUpperCase();
	const phone = digits && region && isCountryCode(region) ? normalizePhone(query, region) : null;
	const where = digits ? or(like(dnc.e164, `%${digits}%`), phone ? eq(dnc.e164, phone.e164) : undefined) : undefined;
	const limit = options.limit ?? 100;
	const offset = options.offset ?? 0;
	const [rows, [total]] = await Promise.all([
		db.select().from(dnc).where(where).orderBy(desc(dnc.createdAt), dnc.e164).limit(limit).offset(offset),
		db.select({ n: count() }).from(dnc).where(where)
	]);
	return { rows, total: total?.n ?? 0 };
}
