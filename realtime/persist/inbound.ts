/**
 * Inbound call facts → the lead and project they belong to, before they are written. An outbound
 * call carries our ids as channel variables (SB_LEAD, SB_PROJECT); a customer calling in carries
 * only their number, so the persister finds them here, like the workstation pop-up does:
 *
 * - the lead: the caller's number read as E.164 with, in turn, the region of the queue's project,
 *   of the answering agent's projects, then of every project, and matched against `lead_phones`
 *   (erased leads never match);
 * - the project: among the lead's projects, the queue's own, else the one of the lead's latest
 *   outbound call (a lead calling back after a missed attempt lands in that attempt's project),
 *   else one the agent works on, else the oldest link; a caller who is no lead (or in none of the
 *   queue's project) gets the queue's project when it has one.
 *
 * Facts that already carry a lead or project are left alone. Looked up at every write of the call:
 * the merge rules (a null never erases a known value) keep the result once found.
 */
import { sql } from 'drizzle-orm';
import type { CountryCode } from 'libphonenumber-js/max';
import type { DbOrTx } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import { isCountryCode, normalizePhone } from '../../src/lib/server/leads/normalize';
import type { CallFact } from '../state/types';

interface RegionRow {
	/** 'queue' | 'agent' | 'any' */
	kind: string;
	/** queue name or agent id (null for 'any') */
	key: string | null;
	region: string;
}

const needsLink = (f: CallFact): boolean =>
	f.direction === 'in' && f.leadId === null && f.projectId === null && (f.number !== null || f.queue !== null);

/** Regions to read numbers with, most specific first. */
async function regions(db: DbOrTx, facts: readonly CallFact[]): Promise<(f: CallFact) => CountryCode[]> {
	const queues = [...new Set(facts.flatMap((f) => (f.queue === null ? [] : [f.queue])))];
	const agents = [...new Set(facts.flatMap((f) => (f.agentId === null ? [] : [f.agentId])))];
	const rows = await queryRows<RegionRow>(
		db,
		sql`select 'queue' as kind, q.name as key, p.default_region as region
			from queues q join projects p on p.id = q.project_id
			where q.name in (select jsonb_array_elements_text(${JSON.stringify(queues)}::jsonb))
		union all
		select 'agent', pa.user_id::text, p.default_region
			from project_agents pa join projects p on p.id = pa.project_id
			where pa.user_id::text in (select jsonb_array_elements_text(${JSON.stringify(agents)}::jsonb)) and p.status = 'active'
		union all
		select 'any', null, p.default_region from projects p where p.archived_at is null
			group by p.default_region`
	);
	const pick = (kind: string, key: string | null): string[] =>
		rows.filter((r) => r.kind === kind && r.key === key).map((r) => r.region);
	return (f) =>
		[...new Set([...pick('queue', f.queue), ...pick('agent', f.agentId), ...pick('any', null), 'US'])].filter(isCountryCode);
}

export async function linkInboundCalls(db: DbOrTx, facts: readonly CallFact[]): Promise<CallFact[]> {
	const todo = facts.map((f, k) => ({ f, k })).filter(({ f }) => needsLink(f));
	if (todo.length === 0) return [...facts];

	const regionsOf = await regions(db, todo.map((t) => t.f));
	const candidates = todo.map(({ f }) => {
		if (f.number === null) return [];
		const out: string[] = [];
		for (const region of regionsOf(f)) {
			const e164 = normalizePhone(f.number, region)?.e164;
			if (e164 !== undefined && !out.includes(e164)) out.push(e164);
		}
		return out;
	});
	const numbers = [...new Set(candidates.flat())];
	const owners = new Map<string, string>();
	if (numbers.length > 0) {
		const rows = await queryRows<{ e164: string; lead_id: string }>(
			db,
			sql`select lp.e164, lp.lead_id from lead_phones lp join leads l on l.id = lp.lead_id
				where lp.e164 in (select jsonb_array_elements_text(${JSON.stringify(numbers)}::jsonb)) and l.erased_at is null`
		);
		for (const r of rows) owners.set(r.e164, r.lead_id);
	}
	const leadOf = candidates.map((list) => list.map((n) => owners.get(n)).find((id) => id !== undefined) ?? null);

	const wanted = todo.map(({ f }, i) => ({ i, lead_id: leadOf[i], queue: f.queue, agent_id: f.agentId }));
	const projects = await queryRows<{ i: number; project_id: string | null }>(
		db,
		sql`with v as (
			select * from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as v(i integer, lead_id uuid, queue text, agent_id uuid)
		)
		select v.i, coalesce(
			(select pl.project_id from project_leads pl
				left join lateral (
					select max(c.started_at) as at from calls c
					where c.lead_id = pl.lead_id and c.project_id = pl.project_id and c.direction = 'out'
				) last on true
				where pl.lead_id = v.lead_id
				order by
					(pl.project_id is not distinct from (select q.project_id from queues q where q.name = v.queue)) desc,
					last.at desc nulls last,
					exists (select 1 from project_agents pa where pa.project_id = pl.project_id and pa.user_id = v.agent_id) desc,
					pl.created_at, pl.project_id
				limit 1),
			(select q.project_id from queues q where q.name = v.queue)
		) as project_id
		from v`
	);
	const projectOf = new Map(projects.map((r) => [Number(r.i), r.project_id]));

	const out = [...facts];
	todo.forEach(({ f, k }, i) => {
		const leadId = leadOf[i] ?? null;
		const projectId = projectOf.get(i) ?? null;
		if (leadId !== null || projectId !== null) out[k] = { ...f, leadId, projectId };
	});
	return out;
}
