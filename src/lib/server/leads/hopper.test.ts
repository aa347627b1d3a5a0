import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db';
import { dnc, leadPhones, leads, projectLeads, projects, type WorkingHours } from '../db/schema';
import { testDatabases } from '../db/testing';
import { createFixture } from './fixtures';
import { claimNextLead, currentClaim, isOpen, releaseLead, renewClaim, zoneWindow } from './hopper';

const NOW = new Date('2026-11-25T10:00:00Z'); // a Wednesday
const MIN = 60_000;
const WEEKDAYS: WorkingHours = { days: { 1: ['09:00', '18:00'], 2: ['09:00', '18:00'], 3: ['09:00', '18:00'], 4: ['09:00', '18:00'], 5: ['09:00', '17:00'] } };

async function claimed(db: DatabaseHandle['db'], agentId: string, projectId: string, now = NOW): Promise<string | null> {
	const r = await claimNextLead(db, { agentId, projectId, now });
	return r.ok ? r.claim.leadId : null;
}

describe('working hours', () => {
	it('is open inside the range of the local weekday only', () => {
		const wh = { days: { ...WEEKDAYS.days } };
		expect(isOpen(wh, 'Europe/Paris', new Date('2026-11-25T08:30:00Z'))).toBe(true); // 09:30 in Paris
		expect(isOpen(wh, 'Europe/Paris', new Date('2026-11-25T07:59:00Z'))).toBe(false); // 08:59
		expect(isOpen(wh, 'Europe/Paris', new Date('2026-11-25T17:00:00Z'))).toBe(false); // 18:00 closes
		expect(isOpen(wh, 'Europe/Paris', new Date('2026-11-28T10:00:00Z'))).toBe(false); // Saturday
		expect(isOpen(null, 'Europe/Paris', new Date('2026-11-28T03:00:00Z'))).toBe(true);
		expect(isOpen(wh, 'Not/AZone', NOW)).toBe(false);
	});

	it('lists the zones that differ from the project zone', () => {
		const w = zoneWindow({ days: { ...WEEKDAYS.days } }, 'Europe/Paris', NOW);
		expect(w.projectOpen).toBe(true);
		expect(w.exceptions).toContain('America/New_York'); // 05:00 there
		expect(w.exceptions).not.toContain('Europe/Berlin');
	});
});

describe.each(testDatabases())('hopper on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('claims in due order: personal callbacks, team callbacks, expired claims, retries, new', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 7 });
		const [me, other] = f.agents as [string, string];
		const [plNew, plRetryOld, plRetryNew, plTeam, plMine, plOthers, plFuture] = f.projectLeads as string[];
		const set = (id: string, v: Partial<typeof projectLeads.$inferInsert>) => db.update(projectLeads).set(v).where(eq(projectLeads.id, id!));
		await set(plRetryOld!, { attempts: 1, nextCallAt: new Date(NOW.getTime() - 60 * MIN) });
		await set(plRetryNew!, { attempts: 1, nextCallAt: new Date(NOW.getTime() - 5 * MIN) });
		await set(plTeam!, { status: 'callback', nextCallAt: new Date(NOW.getTime() - 30 * MIN) });
		await set(plMine!, { status: 'callback', ownerId: me, nextCallAt: new Date(NOW.getTime() - 1 * MIN) });
		await set(plOthers!, { status: 'callback', ownerId: other, nextCallAt: new Date(NOW.getTime() - 90 * MIN) });
		await set(plFuture!, { status: 'callback', nextCallAt: new Date(NOW.getTime() + 30 * MIN) });
		const byPl = new Map(f.projectLeads.map((p, i) => [f.leads[i], p]));

		const order: string[] = [];
		for (;;) {
			const r = await claimNextLead(db, { agentId: me, projectId: f.projectId, now: NOW });
			if (!r.ok) {
				expect(r.reason).toBe('empty');
				break;
			}
			order.push(byPl.get(r.claim.leadId)!);
			// the claim is held: Next again gives the same lead until it is released
			const again = await claimNextLead(db, { agentId: me, projectId: f.projectId, now: NOW });
			expect(again.ok && again.claim.projectLeadId).toBe(r.claim.projectLeadId);
			await db.update(projectLeads).set({ status: 'done', lockedBy: null, lockedUntil: null }).where(eq(projectLeads.id, r.claim.projectLeadId));
		}
		expect(order).toEqual([plMine, plTeam, plRetryOld, plRetryNew, plNew]);
		// the other agent gets their personal callback; the future one is not due
		expect(await claimed(db, other, f.projectId)).toBe(f.leads[5]);
		expect(await claimed(db, other, f.projectId, new Date(NOW.getTime() + 5 * MIN))).toBe(f.leads[5]); // still their claim
	});

	it('hands an expired claim out again, and the holder can renew or release', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 1 });
		const [a, b] = f.agents as [string, string];
		const first = await claimNextLead(db, { agentId: a, projectId: f.projectId, now: NOW, claimMs: 10 * MIN });
		expect(first.ok).toBe(true);
		expect(await claimed(db, b, f.projectId, new Date(NOW.getTime() + 9 * MIN))).toBeNull();
		// a renewal (dialling) pushes the expiry
		expect(await renewClaim(db, a, f.leads[0]!, new Date(NOW.getTime() + 5 * MIN), 10 * MIN)).toMatchObject({ projectId: f.projectId });
		expect(await claimed(db, b, f.projectId, new Date(NOW.getTime() + 14 * MIN))).toBeNull();
		expect(await claimed(db, b, f.projectId, new Date(NOW.getTime() + 16 * MIN))).toBe(f.leads[0]);
		expect(await currentClaim(db, a, f.projectId, new Date(NOW.getTime() + 16 * MIN))).toBeNull();
		// a no longer holds it: cannot renew nor release
		expect(await renewClaim(db, a, f.leads[0]!)).toBeNull();
		expect(await releaseLead(db, a, f.projectLeads[0]!)).toBe(false);
		expect(await releaseLead(db, b, f.projectLeads[0]!)).toBe(true);
		const [row] = await db.select().from(projectLeads).where(eq(projectLeads.id, f.projectLeads[0]!));
		expect(row).toMatchObject({ status: 'new', lockedBy: null, attempts: 0 });
	});

	it('skips blocked, erased, DNC, phoneless and exhausted leads', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 6 });
		const me = f.agents[0]!;
		await db.update(leads).set({ blockedAt: NOW }).where(eq(leads.id, f.leads[0]!));
		await db.update(leads).set({ erasedAt: NOW }).where(eq(leads.id, f.leads[1]!));
		const [phone] = await db.select().from(leadPhones).where(eq(leadPhones.id, f.phones[2]!));
		await db.insert(dnc).values({ e164: phone!.e164, reason: 'asked' });
		await db.update(leadPhones).set({ badAt: NOW }).where(eq(leadPhones.id, f.phones[3]!));
		await db
			.update(projectLeads)
			.set({ attempts: 5, lastDispositionId: f.dispositions.no_answer, nextCallAt: new Date(NOW.getTime() - MIN) })
			.where(eq(projectLeads.id, f.projectLeads[4]!));
		expect(await claimed(db, me, f.projectId)).toBe(f.leads[5]);
		await db.update(projectLeads).set({ status: 'done', lockedBy: null }).where(eq(projectLeads.id, f.projectLeads[5]!));
		const r = await claimNextLead(db, { agentId: me, projectId: f.projectId, now: NOW });
		expect(r).toEqual({ ok: false, reason: 'empty' });
	});

	it('respects working hours in the lead timezone, else the project one', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 3, timezone: 'Europe/Paris', workingHours: { days: { ...WEEKDAYS.days } } });
		const me = f.agents[0]!;
		await db.update(leads).set({ timezone: 'America/New_York' }).where(eq(leads.id, f.leads[0]!));
		await db.update(leads).set({ timezone: 'Garbage/Zone' }).where(eq(leads.id, f.leads[1]!));
		await db.update(projectLeads).set({ status: 'done' }).where(eq(projectLeads.id, f.projectLeads[2]!));
		// 10:00 UTC = 11:00 Paris (open), 05:00 New York (closed): only the garbage-zone lead (Paris rules)
		expect(await claimed(db, me, f.projectId)).toBe(f.leads[1]);
		await db.update(projectLeads).set({ status: 'done', lockedBy: null }).where(eq(projectLeads.id, f.projectLeads[1]!));
		expect((await claimNextLead(db, { agentId: me, projectId: f.projectId, now: NOW })).ok).toBe(false);
		// 19:00 UTC: Paris closed (20:00), New York open (14:00)
		expect(await claimed(db, me, f.projectId, new Date('2026-11-25T19:00:00Z'))).toBe(f.leads[0]);
		// Saturday: nobody
		await releaseLead(db, me, f.projectLeads[0]!);
		expect(await claimNextLead(db, { agentId: me, projectId: f.projectId, now: new Date('2026-11-28T12:00:00Z') })).toEqual({ ok: false, reason: 'closed' });
	});

	it('refuses agents outside the project and inactive projects', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		const g = await createFixture(db, { agents: 1, leads: 1 });
		expect(await claimNextLead(db, { agentId: g.agents[0]!, projectId: f.projectId, now: NOW })).toEqual({ ok: false, reason: 'not_assigned' });
		await db.update(projects).set({ status: 'paused' }).where(eq(projects.id, f.projectId));
		expect(await claimNextLead(db, { agentId: f.agents[0]!, projectId: f.projectId, now: NOW })).toEqual({ ok: false, reason: 'inactive' });
	});
});

/** 200 concurrent claimers need real connections: a pool of 40 on a throw-away Postgres database. */
describe.runIf(process.env.DATABASE_URL)('hopper under 200 concurrent claimers on postgres', () => {
	let handle: DatabaseHandle;
	let drop: () => Promise<void>;
	beforeAll(async () => {
		const { default: postgres } = await import('postgres');
		const base = process.env.DATABASE_URL!;
		const name = `sb_t_${randomBytes(6).toString('hex')}`;
		const admin = postgres(base, { max: 1, onnotice: () => {} });
		await admin.unsafe(`create database ${name}`);
		const url = new URL(base);
		url.pathname = `/${name}`;
		handle = await openDatabase({ url: url.toString(), max: 40 });
		drop = async () => {
			await handle.close();
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end({ timeout: 5 });
		};
	});
	afterAll(async () => {
		await drop?.();
	});

	it('never gives one lead to two agents', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 200, leads: 1500 });
		const seen = new Map<string, string>();
		let doubles = 0;
		let claims = 0;
		// every agent claims, "dials", disposes (done) and claims again until the project is empty
		await Promise.all(
			f.agents.map(async (agentId) => {
				for (;;) {
					const r = await claimNextLead(db, { agentId, projectId: f.projectId, now: NOW });
					if (!r.ok) return;
					claims++;
					if (seen.has(r.claim.leadId)) doubles++;
					seen.set(r.claim.leadId, agentId);
					await db
						.update(projectLeads)
						.set({ status: 'done', lockedBy: null, lockedUntil: null })
						.where(eq(projectLeads.id, r.claim.projectLeadId));
				}
			})
		);
		expect(doubles).toBe(0);
		expect(claims).toBe(1500);
		const left = await db.select({ id: projectLeads.id }).from(projectLeads).where(inArray(projectLeads.status, ['new', 'in_progress']));
		expect(left.filter((l) => f.projectLeads.includes(l.id))).toEqual([]);
	});
});
