/**
 * Blocking and erasing a lead (issue 6 §8), both audited.
 *
 * Block: the lead is never called again — the hopper skips blocked leads, click-to-call refuses
 * them, and a live claim on it is released at once so no agent keeps it on screen.
 *
 * Erase (a person's request): the lead row stays as an anonymous tombstone so call statistics keep
 * their counts, durations and dispositions, but every personal datum goes — company, contact, all
 * text fields, portrait, source, phones, e-mails, notes, the dialled number and free-text notes of its
 * calls, recordings (files deleted), queued letters and meeting places. Optionally its numbers go on
 * the do-not-call list, so a later import of the same file cannot bring the person back.
 */
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db';
import { calls, dnc, leadEmails, leadPhones, leads, letters, meetings, notes, projectLeads } from '../db/schema';
import { audit } from '../audit';
import type { Actor } from '../projects';

export class LeadNotFoundError extends Error {
	constructor() {
		super('No such lead.');
		this.name = 'LeadNotFoundError';
	}
}

/** Gives back any live claim on the lead: the agent's screen must not keep a lead that may not be called. */
async function releaseClaims(tx: Tx, leadId: string): Promise<void> {
	await tx
		.update(projectLeads)
		.set({ status: 'new', lockedBy: null, lockedUntil: null })
		.where(and(eq(projectLeads.leadId, leadId), eq(projectLeads.status, 'in_progress')));
}

export async function blockLead(db: Db, leadId: string, actor: Actor, reason?: string | null): Promise<void> {
	await db.transaction(async (tx) => {
		const [row] = await tx
			.update(leads)
			.set({ blockedAt: sql`coalesce(${leads.blockedAt}, now())` })
			.where(eq(leads.id, leadId))
			.returning({ id: leads.id });
		if (!row) throw new LeadNotFoundError();
		await releaseClaims(tx, leadId);
		await audit(tx, { actorId: actor.id, action: 'lead.blocked', target: leadId, details: { reason: reason?.slice(0, 200) || null }, ip: actor.ip });
	});
}

export async function unblockLead(db: Db, leadId: string, actor: Actor): Promise<void> {
	await db.transaction(async (tx) => {
		const [row] = await tx
			.update(leads)
			.set({ blockedAt: null })
			.where(and(eq(leads.id, leadId), sql`${leads.erasedAt} is null`))
			.returning({ id: leads.id });
		if (!row) throw new LeadNotFoundError();
		await audit(tx, { actorId: actor.id, action: 'lead.unblocked', target: leadId, ip: actor.ip });
	});
}

export interface EraseOptions {
	/** put the lead's numbers on the do-not-call list first (default true) */
	suppress?: boolean;
	/** recordings under this directory are deleted from disk */
	dataDir: string;
}

export async function eraseLead(db: Db, leadId: string, actor: Actor, options: EraseOptions): Promise<{ phones: number; emails: number; calls: number }> {
	const recordings: string[] = [];
	const result = await db.transaction(async (tx) => {
		const [lead] = await tx.select({ id: leads.id }).from(leads).where(eq(leads.id, leadId)).for('update');
		if (!lead) throw new LeadNotFoundError();
		const phones = await tx.delete(leadPhones).where(eq(leadPhones.leadId, leadId)).returning({ e164: leadPhones.e164 });
		const emails = await tx.delete(leadEmails).where(eq(leadEmails.leadId, leadId)).returning({ id: leadEmails.id });
		if (options.suppress !== false && phones.length)
			await tx
				.insert(dnc)
				.values(phones.map((p) => ({ e164: p.e164, reason: 'erased on request', addedBy: actor.id })))
				.onConflictDoNothing();
		await tx
			.update(leads)
			.set({
				company: null,
				contactName: null,
				position: null,
				city: null,
				industry: null,
				size: null,
				website: null,
				timezone: null,
				portrait: {},
				source: null,
				blockedAt: sql`coalesce(${leads.blockedAt}, now())`,
				erasedAt: new Date()
			})
			.where(eq(leads.id, leadId));
		await tx.delete(notes).where(and(eq(notes.target, 'lead'), eq(notes.targetId, leadId)));
		const withRecording = await tx
			.select({ path: calls.recordingPath })
			.from(calls)
			.where(and(eq(calls.leadId, leadId), isNotNull(calls.recordingPath)));
		recordings.push(...withRecording.map((r) => r.path!));
		const erasedCalls = await tx
			.update(calls)
			.set({ number: null, notes: null, recordingPath: null })
			.where(eq(calls.leadId, leadId))
			.returning({ id: calls.id });
		const callIds = erasedCalls.map((c) => c.id);
		if (callIds.length) await tx.delete(notes).where(and(eq(notes.target, 'call'), inArray(notes.targetId, callIds)));
		await tx.delete(letters).where(eq(letters.leadId, leadId));
		await tx.update(meetings).set({ place: null }).where(eq(meetings.leadId, leadId));
		await releaseClaims(tx, leadId);
		await audit(tx, {
			actorId: actor.id,
			action: 'erase',
			target: leadId,
			details: { kind: 'lead', phones: phones.length, emails: emails.length, calls: callIds.length, suppressed: options.suppress !== false },
			ip: actor.ip
		});
		return { phones: phones.length, emails: emails.length, calls: callIds.length };
	});
	// after the commit: a rolled-back erase must not have lost its recordings
	const root = path.resolve(options.dataDir);
	for (const file of recordings) {
		const full = path.resolve(root, file);
		if (full.startsWith(root + path.sep)) await unlink(full).catch(() => {});
	}
	return result;
}
