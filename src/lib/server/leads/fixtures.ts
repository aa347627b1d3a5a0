/**
 * Test and bench support (never used at runtime): a calling project with its agents, the default
 * call intensity and N leads with one phone each, inserted in bulk.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import type { WorkingHours } from '../db/schema';
import { dispositions, leadPhones, leads, projectAgents, projectLeads, projects, users } from '../db/schema';
import { DEFAULT_DISPOSITIONS } from '../projects/default-dispositions';

export interface Fixture {
	projectId: string;
	agents: string[];
	/** lead ids in insertion order */
	leads: string[];
	/** project_leads ids, same order */
	projectLeads: string[];
	/** phone ids, same order */
	phones: string[];
	dispositions: Record<string, string>;
}

export interface FixtureOptions {
	agents?: number;
	leads?: number;
	workingHours?: WorkingHours | null;
	timezone?: string;
	/** phone numbers start here (E.164 digits after +33) */
	firstNumber?: number;
}

let counter = 0;

export async function createFixture(db: Db, options: FixtureOptions = {}): Promise<Fixture> {
	const tag = `${Date.now().toString(36)}${(counter++).toString(36)}${randomUUID().slice(0, 4)}`;
	const [p] = await db
		.insert(projects)
		.values({
			name: `Hopper ${tag}`,
			status: 'active',
			timezone: options.timezone ?? 'UTC',
			workingHours: options.workingHours ?? null,
			callerId: '+33140000000'
		})
		.returning({ id: projects.id });
	const projectId = p!.id;
	const ds = await db
		.insert(dispositions)
		.values(DEFAULT_DISPOSITIONS.map((d) => ({ ...d, projectId })))
		.returning({ id: dispositions.id, code: dispositions.code });
	const agentRows = await db
		.insert(users)
		.values(
			Array.from({ length: options.agents ?? 2 }, (_, i) => ({
				email: `agent${i}.${tag}@example.test`,
				name: `Agent ${i}`,
				passwordHash: 'x',
				role: 'agent' as const
			}))
		)
		.returning({ id: users.id });
	const agents = agentRows.map((a) => a.id);
	await db.insert(projectAgents).values(agents.map((userId) => ({ projectId, userId })));

	const out: Fixture = { projectId, agents, leads: [], projectLeads: [], phones: [], dispositions: Object.fromEntries(ds.map((d) => [d.code, d.id])) };
	const total = options.leads ?? 10;
	// +33 1 40 00 00 00 … +33 1 94 99 99 99: every number valid (a random 1…8 first digit hit
	// unallocated ranges such as +33 70…, which the DNC list rightly refuses), and far apart per fixture
	const base = options.firstNumber ?? 140_000_000 + Math.floor(Math.random() * 55_000_000);
	for (let start = 0; start < total; start += 1000) {
		const n = Math.min(1000, total - start);
		const ls = await db
			.insert(leads)
			.values(Array.from({ length: n }, (_, i) => ({ company: `Company ${start + i}`, contactName: `Contact ${start + i}`, source: 'test' })))
			.returning({ id: leads.id });
		const ph = await db
			.insert(leadPhones)
			.values(ls.map((l, i) => ({ leadId: l.id, e164: `+33${base + start + i}`, kind: 'office' })))
			.returning({ id: leadPhones.id });
		const pl = await db
			.insert(projectLeads)
			.values(ls.map((l) => ({ projectId, leadId: l.id })))
			.returning({ id: projectLeads.id });
		out.leads.push(...ls.map((l) => l.id));
		out.phones.push(...ph.map((x) => x.id));
		out.projectLeads.push(...pl.map((x) => x.id));
	}
	return out;
}
