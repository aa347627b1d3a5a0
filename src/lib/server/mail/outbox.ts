/**
 * The letters outbox (`letters`): rows are written in the transaction of what caused them (an
 * info letter, a meeting invitation), then delivered by the worker. A delivery claims one row
 * with `FOR UPDATE SKIP LOCKED` and leases it (next_attempt_at moves into the future) before any
 * network I/O, so several app nodes can run workers and a letter is never sent twice at once; a
 * runner that dies mid-send leaves a lease that expires and the letter is tried again.
 */
import path from 'node:path';
import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db';
import { letters, type Attachment } from '../db/schema';
import { renderScript } from '../../projects/script';
import type { Delivery, OutgoingMail } from './transport';

export type Letter = typeof letters.$inferSelect;

/** attempts before a letter is given up as failed */
export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3_600_000;

/** Exponential backoff after the n-th failed attempt (1-based): 30 s, 1 min, 2 min, … capped at 1 h. */
export function backoffMs(attempts: number): number {
	return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

export interface NewLetter {
	projectId: string | null;
	leadId: string | null;
	sentBy: string | null;
	to: string;
	subject: string;
	/** markdown; the HTML part is rendered from it at delivery */
	body: string;
	attachments?: Attachment[];
	calendar?: string | null;
}

export async function queueLetter(db: DbOrTx, letter: NewLetter, now = new Date()): Promise<string> {
	const [row] = await db
		.insert(letters)
		.values({ ...letter, attachments: letter.attachments ?? [], status: 'queued', nextAttemptAt: now, createdAt: now })
		.returning({ id: letters.id });
	return row!.id;
}

/** Claims the most overdue queued letter and leases it for `leaseMs`; null when none is due. */
export async function claimDueLetter(db: Db, now: Date, leaseMs: number): Promise<Letter | null> {
	return db.transaction(async (tx) => {
		const [due] = await tx
			.select({ id: letters.id })
			.from(letters)
			.where(and(eq(letters.status, 'queued'), or(isNull(letters.nextAttemptAt), lte(letters.nextAttemptAt, now))))
			.orderBy(asc(letters.nextAttemptAt), asc(letters.createdAt))
			.limit(1)
			.for('update', { skipLocked: true });
		if (!due) return null;
		const [leased] = await tx
			.update(letters)
			.set({ attempts: sql`${letters.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + leaseMs) })
			.where(eq(letters.id, due.id))
			.returning();
		return leased ?? null;
	});
}

export async function markDelivered(db: DbOrTx, id: string, delivery: Delivery, now: Date): Promise<void> {
	await db
		.update(letters)
		.set(delivery === 'sent' ? { status: 'sent', sentAt: now, lastError: null, nextAttemptAt: null } : { status: 'held', lastError: null, nextAttemptAt: null })
		.where(eq(letters.id, id));
}

/** A failed attempt: retried later with backoff, or failed for good after MAX_ATTEMPTS. */
export async function markFailed(db: DbOrTx, letter: Pick<Letter, 'id' | 'attempts'>, error: string, now: Date): Promise<'queued' | 'failed'> {
	const giveUp = letter.attempts >= MAX_ATTEMPTS;
	await db
		.update(letters)
		.set({
			status: giveUp ? 'failed' : 'queued',
			lastError: error,
			nextAttemptAt: giveUp ? null : new Date(now.getTime() + backoffMs(letter.attempts))
		})
		.where(eq(letters.id, letter.id));
	return giveUp ? 'failed' : 'queued';
}

/**
 * Attachment paths are relative to the data directory; one that points outside it (or is
 * absolute) is refused, so a stored path can never mail out an arbitrary server file.
 */
export function attachmentPath(dataDir: string, stored: string): string {
	const root = path.resolve(dataDir);
	const full = path.resolve(root, stored);
	if (path.isAbsolute(stored) || !full.startsWith(root + path.sep)) throw new Error(`attachment outside the data directory: ${stored}`);
	return full;
}

/** The message as it goes out (and as /outbox shows it). */
export function composeMail(letter: Pick<Letter, 'to' | 'subject' | 'body' | 'attachments' | 'calendar'>, from: string, dataDir: string): OutgoingMail {
	return {
		from,
		to: letter.to,
		subject: letter.subject,
		text: letter.body,
		html: renderScript(letter.body),
		attachments: letter.attachments.map((a) => ({ filename: a.name, path: attachmentPath(dataDir, a.path), contentType: a.type })),
		calendar: letter.calendar
	};
}
