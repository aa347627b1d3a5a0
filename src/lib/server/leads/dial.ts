/**
 * What click-to-call needs to know before it dials, checked where the command runs: the lead is
 * claimed by this agent right now (the claim is renewed: a long call does not let it expire), the
 * lead is not blocked or erased, the phone belongs to the lead, is not marked bad and is not in
 * the DNC list; and the project's outbound context and caller id.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { renewClaim } from './hopper';

export interface DialTarget {
	projectId: string;
	projectLeadId: string;
	/** E.164 with its + */
	e164: string;
	outboundContext: string;
	callerId: string | null;
	/** the lead's company (shown on the wall-board tile while the call lasts) */
	company: string | null;
}

export type DialRefusal = 'not_claimed' | 'no_phone' | 'bad_phone' | 'dnc' | 'blocked';

export async function dialTarget(
	db: DbOrTx,
	agentId: string,
	leadId: string,
	phoneId: string,
	now = new Date()
): Promise<{ ok: true; target: DialTarget } | { ok: false; reason: DialRefusal }> {
	const claim = await renewClaim(db, agentId, leadId, now);
	if (!claim) return { ok: false, reason: 'not_claimed' };
	const [row] = await queryRows<{ e164: string; bad: boolean; dnc: boolean; blocked: boolean; outbound_context: string; caller_id: string | null; company: string | null }>(
		db,
		sql`select ph.e164, ph.bad_at is not null as bad, exists (select 1 from dnc d where d.e164 = ph.e164) as dnc,
			(l.blocked_at is not null or l.erased_at is not null) as blocked, p.outbound_context, p.caller_id, l.company
			from lead_phones ph join leads l on l.id = ph.lead_id join projects p on p.id = ${claim.projectId}
			where ph.id = ${phoneId} and ph.lead_id = ${leadId}`
	);
	if (!row) return { ok: false, reason: 'no_phone' };
	// blocking releases claims, but a block landing between Next and Call must still stop the dial
	if (row.blocked) return { ok: false, reason: 'blocked' };
	if (row.dnc) return { ok: false, reason: 'dnc' };
	if (row.bad) return { ok: false, reason: 'bad_phone' };
	return {
		ok: true,
		target: {
			projectId: claim.projectId,
			projectLeadId: claim.projectLeadId,
			e164: row.e164,
			outboundContext: row.outbound_context,
			callerId: row.caller_id,
			company: row.company
		}
	};
}
