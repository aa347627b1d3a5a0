/**
 * The demo's inbound side: three skills, a level for every agent, and the simulator's two queues
 * managed by skills — `sales` takes every agent, `support` takes agents with the Support skill
 * (every other one, as the simulator starts), so giving an agent Support on /inbound moves them
 * into the support queue on the PBX.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { agentSkills, queues, skills } from '../db/schema';

export async function seedInboundDemo(db: Db, agentIds: readonly string[]): Promise<void> {
	const rows = await db
		.insert(skills)
		.values([{ name: 'French' }, { name: 'English' }, { name: 'Support' }])
		.returning({ id: skills.id, name: skills.name });
	const id = (name: string) => rows.find((r) => r.name === name)!.id;
	const levels = agentIds.flatMap((userId, i) => [
		{ userId, skillId: id('French'), level: 10 - (i % 7) },
		...(i % 3 === 0 ? [] : [{ userId, skillId: id('English'), level: 4 + (i % 6) }]),
		...(i % 2 === 0 ? [{ userId, skillId: id('Support'), level: 5 + (i % 5) }] : [])
	]);
	if (levels.length > 0) await db.insert(agentSkills).values(levels);
	await db.insert(queues).values([
		{ name: 'sales', skills: [], serviceLevelSeconds: 20 },
		{ name: 'support', skills: [{ skillId: id('Support'), minLevel: 1 }], serviceLevelSeconds: 30 }
	]);
}

/**
 * Numbers of existing leads for the simulator's callers who call back (E.164, as stored): leads of
 * active projects, neither blocked nor erased; first those whose outbound attempts were missed most
 * recently (the prospects a real floor hears back from), then any others, up to `limit`. Both
 * queries stop at `limit` rows, so a large lead base costs no more than a small one.
 */
export async function callbackNumbers(db: DbOrTx, limit = 200): Promise<string[]> {
	const callable = sql`l.erased_at is null and l.blocked_at is null and lp.bad_at is null
		and exists (select 1 from project_leads pl join projects p on p.id = pl.project_id
			where pl.lead_id = lp.lead_id and p.status = 'active')`;
	const missed = await queryRows<{ e164: string }>(
		db,
		sql`select lp.e164 from (
				select c.lead_id, max(c.started_at) as at from calls c
				where c.direction = 'out' and c.answered_at is null and c.lead_id is not null
				group by c.lead_id order by at desc limit ${limit}
			) m
			join lead_phones lp on lp.lead_id = m.lead_id
			join leads l on l.id = lp.lead_id
			where ${callable}
			order by m.at desc, lp.e164
			limit ${limit}`
	);
	const numbers = missed.map((r) => r.e164);
	if (numbers.length >= limit) return numbers;
	const others = await queryRows<{ e164: string }>(
		db,
		sql`select lp.e164 from lead_phones lp join leads l on l.id = lp.lead_id
			where ${callable}
			order by lp.e164
			limit ${limit}`
	);
	for (const r of others) if (numbers.length < limit && !numbers.includes(r.e164)) numbers.push(r.e164);
	return numbers;
}
