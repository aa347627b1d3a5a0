/**
 * Dispositions: what happened on a lead and when to call it again, from the project's call
 * intensity table (DESIGN §2). One transaction per disposition: the project lead is rescheduled
 * and released, the call gets its disposition, the note and the meeting are written (booked
 * through meetings/booking: director lock, rollup, invitations). Failed dials (busy, no answer, congestion, unavailable) are
 * dispositioned automatically by `recordFailedDials`, called where call facts are persisted.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx, Tx } from '../db';
import { queryRows } from '../db/rows';
import { calls, dispositions, leadPhones, notes, projectLeads } from '../db/schema';
import { bookMeeting, MeetingError } from '../meetings/booking';
import { refreshCallRollups } from '../../../../realtime/persist/rollups';
import { loadAgentZones, zoneOf } from '../reports/agent-zones';

export { MEETING_MINUTES } from '../meetings/slots';

export const dispositionRequestSchema = z.object({
	projectLeadId: z.string().uuid(),
	dispositionId: z.string().uuid(),
	callId: z.string().uuid().optional(),
	phoneId: z.string().uuid().optional(),
	callbackAt: z.coerce.date().optional(),
	personal: z.boolean().optional(),
	note: z.string().trim().max(4000).optional(),
	place: z.string().trim().max(200).optional(),
	/** meetings: also send the invitation to the lead's e-mail */
	inviteClient: z.boolean().optional()
});
export type DispositionRequest = z.infer<typeof dispositionRequestSchema>;

export class DispositionError extends Error {
	constructor(
		readonly code: 'not_found' | 'not_yours' | 'bad_request' | 'slot_taken' | 'in_past',
		message: string
	) {
		super(message);
	}
}

export interface DispositionOutcome {
	status: 'new' | 'callback' | 'done' | 'exhausted';
	nextCallAt: Date | null;
	attempts: number;
	meetingId: string | null;
	/** false when callId was given but the call row is not stored (yet) */
	callLinked: boolean;
}

type Disposition = typeof dispositions.$inferSelect;

/** What a disposition does to the lead: pure, so the intensity rules are testable on their own. */
export function schedule(
	d: Pick<Disposition, 'kind' | 'retryAfter' | 'maxAttempts' | 'marksPhoneBad'>,
	attempts: number,
	now: Date,
	options: { callbackAt?: Date; otherGoodPhones?: number } = {}
): { status: DispositionOutcome['status']; nextCallAt: Date | null } {
	if (d.kind === 'callback') return { status: 'callback', nextCallAt: options.callbackAt ?? null };
	if (d.marksPhoneBad && (options.otherGoodPhones ?? 0) > 0) return { status: 'new', nextCallAt: now };
	if (d.kind === 'final' || d.kind === 'success') return { status: 'done', nextCallAt: null };
	if (d.maxAttempts !== null && attempts >= d.maxAttempts) return { status: 'exhausted', nextCallAt: null };
	if (d.retryAfter === null) return { status: 'done', nextCallAt: null };
	return { status: 'new', nextCallAt: new Date(now.getTime() + d.retryAfter * 1000) };
}

/**
 * Records a disposition by the agent who holds the claim (or, with `system: true`, by the
 * auto-disposition of a failed dial on the agent's behalf). Throws DispositionError.
 */
export async function recordDisposition(
	db: Db | Tx,
	input: DispositionRequest & { agentId: string; now?: Date }
): Promise<DispositionOutcome> {
	const req = dispositionRequestSchema.parse(input);
	const now = input.now ?? new Date();
	return db.transaction((tx) => dispose(tx, input.agentId, req, now));
}

async function dispose(tx: Tx, agentId: string, req: DispositionRequest, now: Date): Promise<DispositionOutcome> {
	const [pl] = await tx.select().from(projectLeads).where(eq(projectLeads.id, req.projectLeadId)).for('update');
	if (!pl) throw new DispositionError('not_found', 'no such lead in this project');
	if (pl.lockedBy !== agentId || pl.status !== 'in_progress') throw new DispositionError('not_yours', 'this lead is not claimed by you');
	const [d] = await tx
		.select()
		.from(dispositions)
		.where(and(eq(dispositions.id, req.dispositionId), eq(dispositions.projectId, pl.projectId)));
	if (!d) throw new DispositionError('not_found', 'no such disposition in this project');
	const callbackAt = req.callbackAt;
	if (d.kind === 'callback' && (!callbackAt || Number.isNaN(callbackAt.getTime())))
		throw new DispositionError('bad_request', 'a callback needs a date and time');
	if (d.isMeeting && (!callbackAt || Number.isNaN(callbackAt.getTime())))
		throw new DispositionError('bad_request', 'a meeting needs a date and time');

	// the phone it was about: the one given, else the number of the call
	let phoneId = req.phoneId ?? null;
	let callLinked = false;
	if (req.callId) {
		const linked = await tx
			.update(calls)
			.set({ dispositionId: d.id })
			.where(and(eq(calls.id, req.callId), eq(calls.leadId, pl.leadId)))
			.returning({ number: calls.number, agentId: calls.agentId });
		callLinked = linked.length > 0;
		// the failure diagram reads dispositions from the rollups: the call's row follows, on the
		// call's agent's day (the zone rule the live persister uses)
		const callAgent = linked[0]?.agentId;
		if (callLinked) await refreshCallRollups(tx, [req.callId], zoneOf(await loadAgentZones(tx, callAgent ? [callAgent] : [])));
		if (!phoneId && linked[0]?.number) {
			const digits = linked[0].number.replace(/^\+/, '');
			const [ph] = await tx
				.select({ id: leadPhones.id })
				.from(leadPhones)
				.where(and(eq(leadPhones.leadId, pl.leadId), sql`ltrim(${leadPhones.e164}, '+') = ${digits}`));
			phoneId = ph?.id ?? null;
		}
	}
	let otherGoodPhones = 0;
	if (d.marksPhoneBad && phoneId) {
		await tx
			.update(leadPhones)
			.set({ badAt: now })
			.where(and(eq(leadPhones.id, phoneId), eq(leadPhones.leadId, pl.leadId), isNull(leadPhones.badAt)));
		const [n] = await queryRows<{ n: number }>(
			tx,
			sql`select count(*)::int as n from lead_phones where lead_id = ${pl.leadId} and bad_at is null`
		);
		otherGoodPhones = Number(n?.n ?? 0);
	}

	const attempts = pl.attempts + 1;
	const next = schedule(d, attempts, now, { callbackAt, otherGoodPhones });
	await tx
		.update(projectLeads)
		.set({
			status: next.status,
			nextCallAt: next.nextCallAt,
			attempts,
			ownerId: d.kind === 'callback' && req.personal ? agentId : null,
			lockedBy: null,
			lockedUntil: null,
			lastDispositionId: d.id,
			lastCalledAt: now
		})
		.where(eq(projectLeads.id, pl.id));

	let meetingId: string | null = null;
	if (d.isMeeting && callbackAt) {
		try {
			meetingId = await bookMeeting(tx, {
				leadId: pl.leadId,
				projectId: pl.projectId,
				agentId,
				callId: callLinked ? (req.callId ?? null) : null,
				startsAt: callbackAt,
				place: req.place || null,
				inviteClient: req.inviteClient ?? false,
				now
			});
		} catch (err) {
			if (err instanceof MeetingError) throw new DispositionError(err.code === 'not_found' ? 'not_found' : err.code, err.message);
			throw err;
		}
	}
	if (req.note) {
		await tx.insert(notes).values({ authorId: agentId, target: 'lead', targetId: pl.leadId, body: req.note, createdAt: now });
	}
	return { status: next.status, nextCallAt: next.nextCallAt, attempts, meetingId, callLinked };
}

// ─── automatic dispositions of failed dials ────────────────────────────────

/** Dial outcome → the code of the project's disposition that records it. */
export const FAILED_DIAL_CODES: Record<string, string> = {
	BUSY: 'busy',
	NOANSWER: 'no_answer',
	CONGESTION: 'no_answer',
	CHANUNAVAIL: 'no_answer'
};

export interface FailedDial {
	callId: string | null;
	leadId: string | null;
	projectId: string | null;
	agentId: string | null;
	answeredAt: number | null;
	endedAt: number | null;
	dialStatus: string | null;
}

/**
 * For every ended, unanswered call we originated (SB_CALL/SB_LEAD/SB_PROJECT) whose dial failed:
 * records the project's busy / no-answer disposition for the agent who holds the lead. Idempotent:
 * a call that already has a disposition, or a lead no longer claimed by that agent, is left alone.
 * Runs in the caller's transaction (the persister's batch) inside a savepoint per call, so a
 * problem with one call never costs the batch. Returns the number recorded.
 */
export async function recordFailedDials(db: DbOrTx, facts: readonly FailedDial[], now = new Date()): Promise<number> {
	let recorded = 0;
	for (const f of facts) {
		if (!f.callId || !f.leadId || !f.projectId || !f.agentId || f.answeredAt !== null || f.endedAt === null) continue;
		const code = f.dialStatus ? FAILED_DIAL_CODES[f.dialStatus] : undefined;
		if (!code) continue;
		const [target] = await queryRows<{ project_lead_id: string; disposition_id: string | null; call_ok: boolean }>(
			db,
			sql`select pl.id as project_lead_id,
				coalesce((select d.id from dispositions d where d.project_id = pl.project_id and d.code = ${code}),
					(select d.id from dispositions d where d.project_id = pl.project_id and d.kind = 'failure' order by d.sort limit 1)) as disposition_id,
				exists (select 1 from calls c where c.id = ${f.callId} and c.disposition_id is null) as call_ok
				from project_leads pl
				where pl.project_id = ${f.projectId} and pl.lead_id = ${f.leadId}
					and pl.locked_by = ${f.agentId} and pl.status = 'in_progress'`
		);
		if (!target?.disposition_id || !target.call_ok) continue;
		try {
			await db.transaction((sp) =>
				dispose(sp, f.agentId!, { projectLeadId: target.project_lead_id, dispositionId: target.disposition_id!, callId: f.callId! }, new Date(Math.max(now.getTime(), f.endedAt!)))
			);
			recorded++;
		} catch {
			// rolled back to the savepoint: the lead moved on meanwhile, or the row is odd — the agent can still dispose by hand
		}
	}
	return recorded;
}
