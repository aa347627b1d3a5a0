/**
 * The demo floor: a company with two teams, a manager, two supervisors, a sales director, twenty agents on
 * PJSIP/1001…1020, two calling projects with their call intensity, and a few thousand leads.
 * Passwords are random and returned once for the console; nothing here is a default password.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db';
import { dispositions, leadEmails, leadPhones, leads, projectAgents, projectLeads, projects } from '../db/schema';
import { countAdmins, countUsers, createTeam, createUser } from '../users';
import { DEFAULT_DISPOSITIONS } from '../projects/default-dispositions';
import { seedInboundDemo } from './inbound';
import { seedDemoHistory } from './history';

export interface DemoCredential {
	email: string;
	role: string;
	password: string;
}

export interface DemoSeedOptions {
	agents?: number;
	leads?: number;
	/** deterministic data (tests) */
	seed?: number;
	/** also four past weeks of calls, pauses and meetings for the reports (recording under dataDir) */
	history?: { dataDir: string };
}

const FIRST = ['Anna', 'Bob', 'Chloé', 'David', 'Emma', 'Farid', 'Gaëlle', 'Hugo', 'Inès', 'Jules', 'Karim', 'Léa', 'Marc', 'Nina', 'Olivier', 'Paula', 'Quentin', 'Rose', 'Sami', 'Théo', 'Ugo', 'Vera', 'Walid', 'Yasmine', 'Zoé'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'Smith', 'Jones', 'Brown', 'Taylor', 'Wilson'];
const COMPANY_A = ['Atelier', 'Groupe', 'Solutions', 'Logistique', 'Boulangerie', 'Studio', 'Cabinet', 'Transports', 'Nordic', 'Alpine', 'Pacific', 'Urban', 'Green', 'Blue'];
const COMPANY_B = ['Dupont', 'Horizon', 'Lumière', 'Vertex', 'Orion', 'Atlas', 'Delta', 'Nova', 'Iris', 'Zenith', 'Mistral', 'Rivage', 'Cobalt', 'Sequoia'];
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Lille', 'Nantes', 'Bordeaux', 'Toulouse', 'Montréal', 'Bruxelles', 'Genève'];
const INDUSTRIES = ['Retail', 'Logistics', 'Construction', 'Software', 'Food', 'Health', 'Finance', 'Education'];

function rng(seed: number) {
	let s = seed >>> 0 || 1;
	return () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return (s >>> 0) / 4_294_967_296;
	};
}

function password(): string {
	return randomBytes(12).toString('base64url');
}

function slug(s: string): string {
	return s
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '.');
}

export async function seedDemo(db: Db, options: DemoSeedOptions = {}): Promise<DemoCredential[]> {
	if ((await countUsers(db)) > (await countAdmins(db))) return [];
	const random = rng(options.seed ?? Date.now());
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	const agentCount = options.agents ?? 20;
	const leadCount = options.leads ?? 3000;
	const system = { id: null };
	const credentials: DemoCredential[] = [];

	const teamA = await createTeam(db, 'Team Paris', system);
	const teamB = await createTeam(db, 'Team Lyon', system);

	async function person(role: 'manager' | 'supervisor' | 'agent', name: string, email: string, extra: { endpoint?: string; teamIds: string[]; label?: string }) {
		const pw = password();
		const id = await createUser(db, { email, name, role, password: pw, endpoint: extra.endpoint ?? null, teamIds: extra.teamIds }, system);
		credentials.push({ email, role: extra.label ?? role, password: pw });
		return id;
	}

	await person('manager', 'Marie Manager', 'manager@demo.switchboard', { teamIds: [teamA, teamB] });
	await person('supervisor', 'Sophie Supervisor', 'sophie@demo.switchboard', { teamIds: [teamA], endpoint: 'PJSIP/2001' });
	await person('supervisor', 'Sam Supervisor', 'sam@demo.switchboard', { teamIds: [teamB], endpoint: 'PJSIP/2002' });
	// the sales director of both projects: supervisor level (opens /meetings), no team to watch
	const directorId = await person('supervisor', 'Dan Director', 'director@demo.switchboard', { teamIds: [], label: 'director' });

	const agentIds: string[] = [];
	for (let i = 0; i < agentCount; i++) {
		const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`;
		const email = `${slug(name)}${i + 1}@demo.switchboard`;
		agentIds.push(await person('agent', name, email, { endpoint: `PJSIP/${1001 + i}`, teamIds: [i % 2 === 0 ? teamA : teamB] }));
	}

	const projectDefs = [
		{ name: 'Logistics leaders Q4', teamId: teamA, timezone: 'Europe/Paris', region: 'FR' },
		{ name: 'Software SMB outreach', teamId: teamB, timezone: 'Europe/Paris', region: 'FR' }
	];
	const projectIds: string[] = [];
	for (const def of projectDefs) {
		const [p] = await db
			.insert(projects)
			.values({
				name: def.name,
				status: 'active',
				teamId: def.teamId,
				timezone: def.timezone,
				defaultRegion: def.region,
				salesDirectorId: directorId,
				callerId: '+33140000000',
				script: `# {{project.name}}\n\nHello, this is {{agent.name}} calling for {{lead.company}}.\n\n## Discovery\n- Who handles logistics at {{lead.company}}?\n\n## Close\nWould {{meeting.slot}} suit you for a 20-minute meeting?`,
				letterSubject: 'Following our call — {{lead.company}}',
				letterBody: 'Hello {{lead.contact}},\n\nAs promised, here is our information letter.\n\nBest regards,\n{{agent.name}}',
				// the demo must be workable whenever someone tries it: open every day, all day
				workingHours: { days: { 0: ['00:00', '23:59'], 1: ['00:00', '23:59'], 2: ['00:00', '23:59'], 3: ['00:00', '23:59'], 4: ['00:00', '23:59'], 5: ['00:00', '23:59'], 6: ['00:00', '23:59'] } }
			})
			.returning({ id: projects.id });
		projectIds.push(p!.id);
		await db.insert(dispositions).values(DEFAULT_DISPOSITIONS.map((d) => ({ ...d, projectId: p!.id })));
	}
	await db.insert(projectAgents).values(agentIds.map((userId, i) => ({ projectId: projectIds[i % 2]!, userId })));

	const batch = 500;
	for (let start = 0; start < leadCount; start += batch) {
		const rows = [];
		for (let i = start; i < Math.min(leadCount, start + batch); i++) {
			const company = `${pick(COMPANY_A)} ${pick(COMPANY_B)} ${i + 1}`;
			rows.push({
				company,
				contactName: `${pick(FIRST)} ${pick(LAST)}`,
				position: pick(['CEO', 'Directeur logistique', 'Head of Operations', 'Office manager', 'CFO']),
				city: pick(CITIES),
				industry: pick(INDUSTRIES),
				size: pick(['1-10', '11-50', '51-200', '201-1000']),
				website: `https://www.${slug(company).replace(/\.+/g, '-')}.example`,
				source: 'demo'
			});
		}
		const inserted = await db.insert(leads).values(rows).returning({ id: leads.id });
		await db.insert(leadPhones).values(
			inserted.map((l, k) => ({ leadId: l.id, e164: `+331${String(40_000_000 + start + k).padStart(8, '0')}`, kind: 'office' }))
		);
		await db.insert(leadEmails).values(inserted.map((l, k) => ({ leadId: l.id, email: `contact${start + k + 1}@lead.example` })));
		await db.insert(projectLeads).values(inserted.map((l, k) => ({ projectId: projectIds[(start + k) % 2]!, leadId: l.id })));
	}
	await seedInboundDemo(db, agentIds);
	if (options.history) await seedDemoHistory(db, { random, dataDir: options.history.dataDir });
	return credentials;
}
