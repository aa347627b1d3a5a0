import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { agentDayStats, calls, leadPhones, meetings, notes, projectLeads } from '../db/schema';
import { testDatabases } from '../db/testing';
import { DispositionError, recordDisposition, recordFailedDials, schedule } from './dispositions';
import { createFixture } from './fixtures';
import { claimNextLead } from './hopper';

const NOW = new Date('2026-11-25T10:00:00Z');

describe('schedule (the intensity rules)', () => {
	const failure = { kind: 'failure' as const, retryAfter: 3600, maxAttempts: 3, marksPhoneBad: false };
	it('retries after retry_after until max_attempts, then exhausts', () => {
		expect(schedule(failure, 1, NOW)).toEqual({ status: 'new', nextCallAt: new Date(NOW.getTime() + 3_600_000) });
		expect(schedule(failure, 3, NOW)).toEqual({ status: 'exhausted', nextCallAt: null });
		expect(schedule({ ...failure, kind: 'final' }, 1, NOW)).toEqual({ status: 'done', nextCallAt: null });
		expect(schedule({ ...failure, kind: 'callback' }, 1, NOW, { callbackAt: NOW })).toEqual({ status: 'callback', nextCallAt: NOW });
		expect(schedule({ ...failure, kind: 'final', marksPhoneBad: true }, 1, NOW, { otherGoodPhones: 1 })).toEqual({ status: 'new', nextCallAt: NOW });
	});
});

describe.each(testDatabases())('dispositions on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	async function claimOne(f: Awaited<ReturnType<typeof createFixture>>, agent = f.agents[0]!) {
		const r = await claimNextLead(handle.db, { agentId: agent, projectId: f.projectId, now: NOW });
		if (!r.ok) throw new Error(r.reason);
		return r.claim;
	}

	async function row(id: string) {
		const [r] = await handle.db.select().from(projectLeads).where(eq(projectLeads.id, id));
		return r!;
	}

	it('schedules a retry, links the call, writes the note and releases the lock', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 1 });
		const claim = await claimOne(f);
		const callId = randomUUID();
		await db.insert(calls).values({ id: callId, pbx: 'sim', linkedid: `t-${callId}`, direction: 'out', leadId: claim.leadId, projectId: f.projectId, agentId: f.agents[0], startedAt: NOW });
		// not the holder
		await expect(recordDisposition(db, { agentId: f.agents[1]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.busy!, now: NOW })).rejects.toBeInstanceOf(DispositionError);
		const out = await recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.busy!, callId, note: 'line busy', now: NOW });
		expect(out).toMatchObject({ status: 'new', attempts: 1, callLinked: true });
		expect(await row(claim.projectLeadId)).toMatchObject({ status: 'new', attempts: 1, lockedBy: null, nextCallAt: new Date(NOW.getTime() + 15 * 60_000), lastDispositionId: f.dispositions.busy });
		const [c] = await db.select().from(calls).where(eq(calls.id, callId));
		expect(c!.dispositionId).toBe(f.dispositions.busy);
		const ns = await db.select().from(notes).where(eq(notes.targetId, claim.leadId));
		expect(ns.map((n) => n.body)).toEqual(['line busy']);
		// released: a second disposition of the same claim is refused
		await expect(recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.busy!, now: NOW })).rejects.toMatchObject({ code: 'not_yours' });
	});

	it('exhausts a lead at max attempts', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		await db.update(projectLeads).set({ attempts: 4 }).where(eq(projectLeads.id, f.projectLeads[0]!));
		const claim = await claimOne(f);
		const out = await recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.no_answer!, now: NOW });
		expect(out).toMatchObject({ status: 'exhausted', attempts: 5 });
	});

	it('books a personal callback that only its owner gets, at the agreed time', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 1 });
		const claim = await claimOne(f);
		const at = new Date('2026-11-26T10:00:00Z');
		await expect(recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.callback!, now: NOW })).rejects.toMatchObject({ code: 'bad_request' });
		await recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.callback!, callbackAt: at, personal: true, now: NOW });
		expect(await row(claim.projectLeadId)).toMatchObject({ status: 'callback', ownerId: f.agents[0], nextCallAt: at });
		const before = await claimNextLead(db, { agentId: f.agents[0]!, projectId: f.projectId, now: new Date(at.getTime() - 60_000) });
		expect(before.ok).toBe(false);
		const other = await claimNextLead(db, { agentId: f.agents[1]!, projectId: f.projectId, now: at });
		expect(other.ok).toBe(false);
		const mine = await claimNextLead(db, { agentId: f.agents[0]!, projectId: f.projectId, now: at });
		expect(mine.ok && mine.claim.projectLeadId).toBe(claim.projectLeadId);
	});

	it('marks a wrong number bad and books meetings with the rollup', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 2 });
		const claim = await claimOne(f);
		const phoneId = f.phones[f.leads.indexOf(claim.leadId)]!;
		await recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: claim.projectLeadId, dispositionId: f.dispositions.wrong_number!, phoneId, now: NOW });
		const [ph] = await db.select().from(leadPhones).where(eq(leadPhones.id, phoneId));
		expect(ph!.badAt).toEqual(NOW);
		expect((await row(claim.projectLeadId)).status).toBe('done');

		const next = await claimOne(f);
		expect(next.projectLeadId).not.toBe(claim.projectLeadId);
		const at = new Date('2026-11-27T14:00:00Z');
		const out = await recordDisposition(db, { agentId: f.agents[0]!, projectLeadId: next.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: at, place: 'Their office', now: NOW });
		const [m] = await db.select().from(meetings).where(eq(meetings.id, out.meetingId!));
		expect(m).toMatchObject({ leadId: next.leadId, projectId: f.projectId, bookedBy: f.agents[0], startsAt: at, place: 'Their office', status: 'scheduled' });
		const [stats] = await db.select().from(agentDayStats).where(eq(agentDayStats.agentId, f.agents[0]!));
		expect(stats).toMatchObject({ meetings: 1, day: '2026-11-25' });
	});

	it('records failed dials automatically, once', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		const claim = await claimOne(f);
		const callId = randomUUID();
		await db.insert(calls).values({ id: callId, pbx: 'sim', linkedid: `t-${callId}`, direction: 'out', leadId: claim.leadId, projectId: f.projectId, agentId: f.agents[0], startedAt: NOW, dialStatus: 'BUSY' });
		const fact = { callId, leadId: claim.leadId, projectId: f.projectId, agentId: f.agents[0]!, answeredAt: null, endedAt: NOW.getTime() + 5000, dialStatus: 'BUSY' };
		expect(await db.transaction((tx) => recordFailedDials(tx, [fact, { ...fact, dialStatus: 'ANSWER' }]))).toBe(1);
		expect(await db.transaction((tx) => recordFailedDials(tx, [fact]))).toBe(0);
		expect(await row(claim.projectLeadId)).toMatchObject({ status: 'new', attempts: 1, lastDispositionId: f.dispositions.busy, lockedBy: null });
	});
});
