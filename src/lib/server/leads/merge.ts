/**
 * Merging two or more leads into one, and remembering the ones a manager keeps apart.
 *
 * A merge keeps one lead (the survivor) with the field values the manager chose, every phone and
 * e-mail of all of them, every project link (one per project: the furthest-advanced attempt count
 * wins), and moves their calls, meetings, letters and notes to the survivor; the others are deleted.
 * Pending merge candidates that named a merged lead now name the survivor, and a candidate whose
 * leads are all merged brings its own row's phones, e-mails and empty fields in. One transaction,
 * one audit row.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../db';
import { calls, leadEmails, leadPhones, leads, letters, meetings, mergeCandidates, mergeDismissals, notes, projectLeads } from '../db/schema';
import { queryRows } from '../db/rows';
import { audit } from '../audit';
import type { Actor } from '../projects';

/** Lead columns a manager picks per field when merging. */
export const MERGE_FIELDS = ['company', 'contactName', 'position', 'city', 'industry', 'size', 'website', 'timezone'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** The text fields a source row carries (import or manual add), keyed like `NormalRow.fields`. */
const ROW_FIELD: Record<string, MergeField> = {
	company: 'company',
	contact: 'contactName',
	position: 'position',
	city: 'city',
	industry: 'industry',
	size: 'size',
	website: 'website'
};

export class MergeError extends Error {
	constructor(
		readonly code: 'too_few' | 'not_found' | 'erased' | 'bad_choice',
		message: string
	) {
		super(message);
		this.name = 'MergeError';
	}
}

export interface CandidateRow {
	leadIds: string[];
	projectId?: string | null;
	importId?: string | null;
	line?: number | null;
	phones: string[];
	emails: string[];
	fields: Record<string, string>;
}

/**
 * Records a source row that matched two or more different leads, for the merge screen. The importer
 * calls this (inside its batch transaction) where it counts an `ambiguous_match`.
 */
export async function recordMergeCandidate(db: DbOrTx, row: CandidateRow): Promise<void> {
	const ids = [...new Set(row.leadIds)].sort();
	if (ids.length < 2) return;
	await db.insert(mergeCandidates).values({
		leadIds: ids,
		projectId: row.projectId ?? null,
		importId: row.importId ?? null,
		line: row.line ?? null,
		phones: row.phones,
		emails: row.emails,
		fields: row.fields
	});
}

export interface MergeRequest {
	/** every lead of the group, survivor included */
	leadIds: string[];
	survivorId: string;
	/** per field, the lead whose value is kept; a field left out keeps the survivor's value (or the first non-empty one) */
	choose?: Partial<Record<MergeField, string>>;
}

type LeadRow = typeof leads.$inferSelect;

export async function mergeLeads(db: Db, request: MergeRequest, actor: Actor): Promise<{ survivorId: string; merged: string[] }> {
	const ids = [...new Set(request.leadIds)];
	if (!ids.includes(request.survivorId)) ids.push(request.survivorId);
	if (ids.length < 2) throw new MergeError('too_few', 'Choose at least two leads to merge.');
	return db.transaction(async (tx) => {
		const rows = await tx.select().from(leads).where(inArray(leads.id, ids)).for('update');
		if (rows.length !== ids.length) throw new MergeError('not_found', 'One of these leads no longer exists (merged or deleted meanwhile): reload the page.');
		if (rows.some((r) => r.erasedAt)) throw new MergeError('erased', 'An erased lead cannot be merged.');
		const byId = new Map(rows.map((r) => [r.id, r]));
		const survivor = byId.get(request.survivorId)!;
		const others = ids.filter((id) => id !== survivor.id);

		const values: Partial<Record<MergeField, string | null>> = {};
		for (const field of MERGE_FIELDS) {
			const from = request.choose?.[field];
			if (from !== undefined) {
				const source = byId.get(from);
				if (!source) throw new MergeError('bad_choice', `The value chosen for ${field} comes from a lead outside this group.`);
				values[field] = source[field];
			} else if (!survivor[field]) {
				values[field] = rows.map((r) => r[field]).find((v) => v) ?? null;
			}
		}
		// the survivor's own portrait wins on equal keys; the others fill in
		const portrait = Object.assign({}, ...others.map((id) => byId.get(id)!.portrait), survivor.portrait) as Record<string, string>;
		const blockedAt = rows.map((r) => r.blockedAt).find((b) => b) ?? null;
		await tx
			.update(leads)
			.set({ ...values, portrait, blockedAt: survivor.blockedAt ?? blockedAt })
			.where(eq(leads.id, survivor.id));

		await tx.update(leadPhones).set({ leadId: survivor.id }).where(inArray(leadPhones.leadId, others));
		await tx.update(leadEmails).set({ leadId: survivor.id }).where(inArray(leadEmails.leadId, others));
		await moveProjectLinks(tx, survivor.id, others);
		await tx.update(calls).set({ leadId: survivor.id }).where(inArray(calls.leadId, others));
		await tx.update(meetings).set({ leadId: survivor.id }).where(inArray(meetings.leadId, others));
		await tx.update(letters).set({ leadId: survivor.id }).where(inArray(letters.leadId, others));
		await tx.update(notes).set({ targetId: survivor.id }).where(and(eq(notes.target, 'lead'), inArray(notes.targetId, others)));
		await retargetCandidates(tx, survivor.id, others);
		await tx.delete(leads).where(inArray(leads.id, others));

		await audit(tx, {
			actorId: actor.id,
			action: 'lead.merged',
			target: survivor.id,
			details: { merged: others, fields: request.choose ?? {}, companies: rows.map((r: LeadRow) => r.company) },
			ip: actor.ip
		});
		return { survivorId: survivor.id, merged: others };
	});
}

/** One project link per project: the survivor's if it has one (with the higher attempt count), else the other's moves over. */
async function moveProjectLinks(tx: Tx, survivorId: string, others: string[]): Promise<void> {
	const list = sql.join(
		others.map((id) => sql`${id}::uuid`),
		sql`, `
	);
	await tx.execute(sql`
		update project_leads s set attempts = greatest(s.attempts, o.attempts),
			last_called_at = greatest(s.last_called_at, o.last_called_at)
		from (select project_id, max(attempts) as attempts, max(last_called_at) as last_called_at
			from project_leads where lead_id in (${list}) group by project_id) o
		where s.lead_id = ${survivorId}::uuid and s.project_id = o.project_id`);
	await tx.execute(sql`
		delete from project_leads o where o.lead_id in (${list})
			and (exists (select 1 from project_leads s where s.lead_id = ${survivorId}::uuid and s.project_id = o.project_id)
				or exists (select 1 from project_leads d where d.lead_id in (${list}) and d.project_id = o.project_id
					and (d.attempts, d.id) > (o.attempts, o.id)))`);
	await tx.update(projectLeads).set({ leadId: survivorId }).where(inArray(projectLeads.leadId, others));
}

/**
 * Candidates naming a merged lead now name the survivor. Those left with one lead are resolved, and
 * the row they held (phones, e-mails, fields) joins the survivor — that row was never imported.
 */
async function retargetCandidates(tx: Tx, survivorId: string, others: string[]): Promise<void> {
	for (const other of others)
		await tx.execute(
			sql`update merge_candidates set lead_ids = array_replace(lead_ids, ${other}::uuid, ${survivorId}::uuid)
				where resolved_at is null and ${other}::uuid = any(lead_ids)`
		);
	const done = await tx
		.select()
		.from(mergeCandidates)
		.where(
			and(
				isNull(mergeCandidates.resolvedAt),
				sql`${survivorId}::uuid = any(${mergeCandidates.leadIds})`,
				sql`(select count(distinct x) from unnest(${mergeCandidates.leadIds}) x) = 1`
			)
		);
	for (const c of done) await absorbCandidate(tx, survivorId, c);
	if (done.length)
		await tx
			.update(mergeCandidates)
			.set({ resolvedAt: new Date(), leadIds: [survivorId] })
			.where(inArray(mergeCandidates.id, done.map((c) => c.id)));
}

async function absorbCandidate(tx: Tx, leadId: string, c: typeof mergeCandidates.$inferSelect): Promise<void> {
	if (c.phones.length) await tx.insert(leadPhones).values(c.phones.map((e164) => ({ leadId, e164 }))).onConflictDoNothing();
	if (c.emails.length) await tx.insert(leadEmails).values(c.emails.map((email) => ({ leadId, email }))).onConflictDoNothing();
	if (c.projectId) await tx.insert(projectLeads).values({ projectId: c.projectId, leadId }).onConflictDoNothing();
	const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId));
	if (!lead) return;
	const fill: Partial<Record<MergeField, string>> = {};
	for (const [key, value] of Object.entries(c.fields)) {
		const field = ROW_FIELD[key];
		if (field && value && !lead[field]) fill[field] = value;
	}
	if (Object.keys(fill).length) await tx.update(leads).set(fill).where(eq(leads.id, leadId));
}

/** Ordered pairs of a group: what "keep apart" remembers. */
export function pairsOf(ids: string[]): [string, string][] {
	const sorted = [...new Set(ids)].sort();
	const out: [string, string][] = [];
	for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) out.push([sorted[i]!, sorted[j]!]);
	return out;
}

/** "These are different companies": the group is not proposed again; its pending candidates are closed. */
export async function keepApart(db: Db, leadIds: string[], actor: Actor): Promise<void> {
	const pairs = pairsOf(leadIds);
	if (pairs.length === 0) throw new MergeError('too_few', 'Choose at least two leads.');
	await db.transaction(async (tx) => {
		const found = await tx.select({ id: leads.id }).from(leads).where(inArray(leads.id, [...new Set(leadIds)]));
		if (found.length !== new Set(leadIds).size) throw new MergeError('not_found', 'One of these leads no longer exists: reload the page.');
		await tx
			.insert(mergeDismissals)
			.values(pairs.map(([leadA, leadB]) => ({ leadA, leadB, decidedBy: actor.id })))
			.onConflictDoNothing();
		const ids = [...new Set(leadIds)].sort();
		await tx.execute(
			sql`update merge_candidates set resolved_at = now() where resolved_at is null
				and lead_ids <@ ${sql`array[${sql.join(
					ids.map((id) => sql`${id}::uuid`),
					sql`, `
				)}]`}`
		);
		await audit(tx, { actorId: actor.id, action: 'lead.kept_apart', target: ids[0]!, details: { leads: ids }, ip: actor.ip });
	});
}

/** The dismissed pairs among `ids`, as "a|b" keys. */
export async function dismissedPairs(db: DbOrTx, ids: string[]): Promise<Set<string>> {
	if (ids.length < 2) return new Set();
	const rows = await queryRows<{ lead_a: string; lead_b: string }>(
		db,
		sql`select lead_a, lead_b from merge_dismissals where lead_a in (${sql.join(
			ids.map((id) => sql`${id}::uuid`),
			sql`, `
		)})`
	);
	return new Set(rows.map((r) => `${r.lead_a}|${r.lead_b}`));
}
