/**
 * What an agent may change on the lead in front of them: its portrait (free key/value facts the
 * client tells on the phone) and notes on its timeline. Only the agent holding the claim on the
 * lead may write, the same rule as for dispositions; portrait changes are audited with the keys
 * that changed (not the values: they may be personal data).
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit';
import type { Db, DbOrTx } from '../db';
import { leads, notes, projectLeads } from '../db/schema';

export const PORTRAIT_MAX_FIELDS = 40;

export const portraitSchema = z
	.record(z.string().trim().min(1).max(60), z.string().trim().max(1000))
	.refine((p) => Object.keys(p).length <= PORTRAIT_MAX_FIELDS, { message: 'too_many_fields' });

export const noteSchema = z.string().trim().min(1).max(4000);

export class CardEditError extends Error {
	constructor(readonly code: 'not_yours' | 'bad_request') {
		super(code);
	}
}

async function assertHolds(db: DbOrTx, agentId: string, leadId: string): Promise<void> {
	const [held] = await db
		.select({ id: projectLeads.id })
		.from(projectLeads)
		.where(and(eq(projectLeads.leadId, leadId), eq(projectLeads.lockedBy, agentId), eq(projectLeads.status, 'in_progress')))
		.limit(1);
	if (!held) throw new CardEditError('not_yours');
}

/** Replaces the portrait; empty values remove their key. Returns the keys that changed. */
export async function updatePortrait(db: Db, agentId: string, leadId: string, input: Record<string, string>, ip: string | null = null): Promise<string[]> {
	const parsed = portraitSchema.safeParse(input);
	if (!parsed.success) throw new CardEditError('bad_request');
	const next = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== ''));
	return db.transaction(async (tx) => {
		await assertHolds(tx, agentId, leadId);
		const [row] = await tx.select({ portrait: leads.portrait }).from(leads).where(eq(leads.id, leadId)).for('update');
		const before = row?.portrait ?? {};
		const keys = new Set([...Object.keys(before), ...Object.keys(next)]);
		const changed = [...keys].filter((k) => before[k] !== next[k]).sort();
		if (changed.length === 0) return [];
		await tx.update(leads).set({ portrait: next }).where(eq(leads.id, leadId));
		await audit(tx, { actorId: agentId, action: 'lead.updated', target: leadId, details: { portrait: changed }, ip });
		return changed;
	});
}

/** A note on the lead's timeline, by the agent holding it. */
export async function addLeadNote(db: Db, agentId: string, leadId: string, body: string): Promise<string> {
	const parsed = noteSchema.safeParse(body);
	if (!parsed.success) throw new CardEditError('bad_request');
	return db.transaction(async (tx) => {
		await assertHolds(tx, agentId, leadId);
		const [n] = await tx
			.insert(notes)
			.values({ authorId: agentId, target: 'lead', targetId: leadId, body: parsed.data })
			.returning({ id: notes.id });
		return n!.id;
	});
}
