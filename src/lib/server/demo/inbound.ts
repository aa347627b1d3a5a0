/**
 * The demo's inbound side: three skills, a level for every agent, and the simulator's two queues
 * managed by skills — `sales` takes every agent, `support` takes agents with the Support skill
 * (every other one, as the simulator starts), so giving an agent Support on /inbound moves them
 * into the support queue on the PBX.
 */
import type { Db } from '../db';
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
