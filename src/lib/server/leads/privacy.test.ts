import { mkdtemp, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, calls, dnc, leadEmails, leadPhones, leads, notes, projectLeads } from '../db/schema';
import { testDatabases } from '../db/testing';
import { dialTarget } from './dial';
import { createFixture } from './fixtures';
import { claimNextLead } from './hopper';
import { getLeadPage } from './lookup';
import { blockLead, eraseLead, LeadNotFoundError, unblockLead } from './privacy';

const NOW = new Date('2026-11-25T10:00:00Z');

describe.each(testDatabases())('block and erase on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let dataDir: string;
	beforeAll(async () => {
		handle = await open();
		dataDir = await mkdtemp(path.join(os.tmpdir(), 'sb-privacy-'));
	});
	afterAll(async () => {
		await handle?.close();
	});
	const actor = { id: null, ip: '127.0.0.1' };

	it('a blocked lead is released from its agent, refused at dial, and never handed out again', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 2 });
		const agent = f.agents[0]!;
		const first = await claimNextLead(db, { agentId: agent, projectId: f.projectId, now: NOW });
		expect(first.ok && first.claim.leadId).toBe(f.leads[0]);
		await blockLead(db, f.leads[0]!, actor, 'asked to stop');
		const [pl] = await db.select().from(projectLeads).where(eq(projectLeads.id, f.projectLeads[0]!));
		expect(pl).toMatchObject({ status: 'new', lockedBy: null });
		expect(await dialTarget(db, agent, f.leads[0]!, f.phones[0]!, NOW)).toEqual({ ok: false, reason: 'not_claimed' });
		const next = await claimNextLead(db, { agentId: agent, projectId: f.projectId, now: NOW });
		expect(next.ok && next.claim.leadId).toBe(f.leads[1]);
		expect((await getLeadPage(db, f.leads[0]!))!.notCallable).toEqual(['blocked']);
		const audits = await db.select().from(auditLog).where(eq(auditLog.target, f.leads[0]!));
		expect(audits.map((a) => a.action)).toEqual(['lead.blocked']);
		await unblockLead(db, f.leads[0]!, actor);
		expect((await getLeadPage(db, f.leads[0]!))!.notCallable).toEqual([]);
		await expect(blockLead(db, '00000000-0000-0000-0000-000000000000', actor)).rejects.toBeInstanceOf(LeadNotFoundError);
	});

	it('click-to-call refuses a lead blocked while the agent holds it', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		const agent = f.agents[0]!;
		expect((await claimNextLead(db, { agentId: agent, projectId: f.projectId, now: NOW })).ok).toBe(true);
		// a block written behind the claim's back (another node, a script): the dial check still holds
		await db.update(leads).set({ blockedAt: NOW }).where(eq(leads.id, f.leads[0]!));
		expect(await dialTarget(db, agent, f.leads[0]!, f.phones[0]!, NOW)).toEqual({ ok: false, reason: 'blocked' });
	});

	it('erasing removes personal data, keeps anonymous call statistics, and suppresses the numbers', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		const leadId = f.leads[0]!;
		await db.update(leads).set({ city: 'Lyon', portrait: { Notes: 'likes golf' } }).where(eq(leads.id, leadId));
		await db.insert(leadEmails).values({ leadId, email: `erase.${leadId}@example.test` });
		const [phone] = await db.select().from(leadPhones).where(eq(leadPhones.leadId, leadId));
		const recording = path.join(dataDir, 'rec.wav');
		await writeFile(recording, 'RIFF');
		const [call] = await db
			.insert(calls)
			.values({
				pbx: 'test',
				linkedid: `erase-${leadId}`,
				direction: 'out',
				projectId: f.projectId,
				leadId,
				agentId: f.agents[0]!,
				number: phone!.e164,
				startedAt: NOW,
				answeredAt: NOW,
				endedAt: new Date(NOW.getTime() + 95_000),
				talkSeconds: 95,
				dispositionId: f.dispositions.not_interested,
				recordingPath: 'rec.wav',
				notes: 'said his wife decides'
			})
			.returning();
		await db.insert(notes).values({ target: 'lead', targetId: leadId, body: 'personal' });

		expect(await eraseLead(db, leadId, actor, { dataDir })).toEqual({ phones: 1, emails: 1, calls: 1 });

		const [lead] = await db.select().from(leads).where(eq(leads.id, leadId));
		expect(lead).toMatchObject({ company: null, contactName: null, city: null, portrait: {}, source: null });
		expect(lead!.erasedAt).not.toBeNull();
		expect(lead!.blockedAt).not.toBeNull();
		expect(await db.select().from(leadPhones).where(eq(leadPhones.leadId, leadId))).toEqual([]);
		expect(await db.select().from(leadEmails).where(eq(leadEmails.leadId, leadId))).toEqual([]);
		expect(await db.select().from(notes).where(eq(notes.targetId, leadId))).toEqual([]);
		const [kept] = await db.select().from(calls).where(eq(calls.id, call!.id));
		expect(kept).toMatchObject({ leadId, talkSeconds: 95, dispositionId: f.dispositions.not_interested, number: null, notes: null, recordingPath: null });
		await expect(access(recording)).rejects.toThrow();
		expect((await db.select().from(dnc).where(eq(dnc.e164, phone!.e164))).length).toBe(1);
		const [a] = await db.select().from(auditLog).where(eq(auditLog.action, 'erase'));
		expect(a).toMatchObject({ target: leadId, details: { kind: 'lead', phones: 1, calls: 1 } });
		expect((await getLeadPage(db, leadId))!.notCallable).toEqual(['erased', 'blocked']);
	});
});
