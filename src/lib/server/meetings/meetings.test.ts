/**
 * Booking and outcomes against both databases: a meeting booked through the disposition locks the
 * director, refuses an overlapping slot (also under concurrent bookings), queues the .ics for the
 * director and the client, and disappears from the free slots; the director's outcome is audited
 * and feeds agent_day_stats.meetings/deals, which rebuildMeetingStats reproduces.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { agentDayStats, auditLog, leadEmails, letters, meetings, projects, users } from '../db/schema';
import { testDatabases } from '../db/testing';
import { DispositionError, recordDisposition } from '../leads/dispositions';
import { createFixture } from '../leads/fixtures';
import { claimNextLead } from '../leads/hopper';
import { queueInfoLetter, LetterError } from '../mail/letters';
import { listMeetings, OutcomeError, recordOutcome, slotWeek } from './index';
import { rebuildMeetingStats } from './stats';

const NOW = new Date('2026-11-25T10:00:00Z');
const SLOT = new Date('2026-11-26T09:00:00Z');

describe.each(testDatabases())('meetings on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	async function setup(agents: number) {
		const db = handle.db;
		const f = await createFixture(db, { agents, leads: agents * 2, timezone: 'UTC' });
		const [director] = await db
			.insert(users)
			.values({ email: `dir.${f.projectId}@example.test`, name: 'Dana Director', passwordHash: 'x', role: 'supervisor' })
			.returning({ id: users.id });
		const claims = [];
		for (const agentId of f.agents) {
			const r = await claimNextLead(db, { agentId, projectId: f.projectId, now: NOW });
			if (!r.ok) throw new Error(r.reason);
			claims.push({ agentId, ...r.claim });
		}
		// the director meets on Thursday mornings
		await db.update(projects).set({ salesDirectorId: director!.id, workingHours: { days: { 4: ['09:00', '12:00'] } } }).where(eq(projects.id, f.projectId));
		return { f, directorId: director!.id, claims };
	}

	it('books a free slot with invitations, and the slot leaves the grid', async () => {
		const db = handle.db;
		const { f, directorId, claims } = await setup(1);
		const c = claims[0]!;
		await db.insert(leadEmails).values({ leadId: c.leadId, email: `client.${c.leadId}@example.test` });
		const before = await slotWeek(db, { id: c.agentId, role: 'agent' }, f.projectId, '2026-11-26', NOW);
		expect(before!.director).toMatchObject({ id: directorId, name: 'Dana Director' });
		expect(before!.days.find((d) => d.date === '2026-11-26')!.slots).toEqual(['2026-11-26T09:00:00.000Z', '2026-11-26T10:00:00.000Z', '2026-11-26T11:00:00.000Z']);

		const out = await recordDisposition(db, { agentId: c.agentId, projectLeadId: c.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: SLOT, place: 'Lyon, office', inviteClient: true, now: NOW });
		const [m] = await db.select().from(meetings).where(eq(meetings.id, out.meetingId!));
		expect(m).toMatchObject({ salesDirectorId: directorId, startsAt: SLOT, endsAt: new Date(SLOT.getTime() + 3_600_000), status: 'scheduled', bookedBy: c.agentId });

		const invites = await db.select().from(letters).where(eq(letters.leadId, c.leadId));
		expect(invites.map((l) => l.to).sort()).toEqual([`client.${c.leadId}@example.test`, `dir.${f.projectId}@example.test`].sort());
		for (const l of invites) {
			expect(l.status).toBe('queued');
			expect(l.calendar).toContain(`UID:${m!.id}@switchboard`);
			expect(l.calendar).toContain('DTSTART:20261126T090000Z');
			expect(l.calendar).toContain('LOCATION:Lyon\\, office');
		}

		const after = await slotWeek(db, { id: c.agentId, role: 'agent' }, f.projectId, '2026-11-26', NOW);
		expect(after!.days.find((d) => d.date === '2026-11-26')!.slots).toEqual(['2026-11-26T10:00:00.000Z', '2026-11-26T11:00:00.000Z']);
		// someone outside the project does not see the director's week
		const [outsider] = await db.insert(users).values({ email: `out.${f.projectId}@example.test`, name: 'Out', passwordHash: 'x', role: 'agent' }).returning({ id: users.id });
		expect(await slotWeek(db, { id: outsider!.id, role: 'agent' }, f.projectId, null, NOW)).toBeNull();
	});

	it('refuses an overlapping or past booking, and one of many concurrent bookings of a slot wins', async () => {
		const db = handle.db;
		const { f, claims } = await setup(6);
		const results = await Promise.allSettled(
			claims.map((c) => recordDisposition(db, { agentId: c.agentId, projectLeadId: c.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: SLOT, now: NOW }))
		);
		const won = results.filter((r) => r.status === 'fulfilled');
		const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(won).toHaveLength(1);
		expect(lost).toHaveLength(5);
		for (const r of lost) {
			expect(r.reason).toBeInstanceOf(DispositionError);
			expect((r.reason as DispositionError).code).toBe('slot_taken');
		}
		const booked = await db.select().from(meetings).where(eq(meetings.projectId, f.projectId));
		expect(booked).toHaveLength(1);

		// a loser keeps the lead (the disposition rolled back): half an hour later still overlaps, the past is refused, the next hour is free
		const loser = claims.find((c) => c.agentId !== booked[0]!.bookedBy)!;
		await expect(
			recordDisposition(db, { agentId: loser.agentId, projectLeadId: loser.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: new Date(SLOT.getTime() + 30 * 60_000), now: NOW })
		).rejects.toMatchObject({ code: 'slot_taken' });
		await expect(
			recordDisposition(db, { agentId: loser.agentId, projectLeadId: loser.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: new Date(NOW.getTime() - 60_000), now: NOW })
		).rejects.toMatchObject({ code: 'in_past' });
		const ok = await recordDisposition(db, { agentId: loser.agentId, projectLeadId: loser.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: new Date(SLOT.getTime() + 3_600_000), now: NOW });
		expect(ok.meetingId).toBeTruthy();
	});

	it('records the outcome (audited), feeds meetings and deals, and a rebuild agrees', async () => {
		const db = handle.db;
		const { f, directorId, claims } = await setup(1);
		const c = claims[0]!;
		const { meetingId } = await recordDisposition(db, { agentId: c.agentId, projectLeadId: c.projectLeadId, dispositionId: f.dispositions.meeting!, callbackAt: SLOT, now: NOW });
		const stats = async () => (await db.select().from(agentDayStats).where(and(eq(agentDayStats.agentId, c.agentId), eq(agentDayStats.projectId, f.projectId))))[0];
		expect(await stats()).toMatchObject({ day: '2026-11-25', meetings: 1, deals: 0 });

		// only the director or a manager
		await expect(recordOutcome(db, { id: c.agentId, role: 'supervisor' }, { meetingId: meetingId!, status: 'held', deal: 'won', amount: '1200' })).rejects.toBeInstanceOf(OutcomeError);
		await expect(recordOutcome(db, { id: directorId, role: 'supervisor' }, { meetingId: meetingId!, status: 'no_show', deal: 'won', amount: '1200' })).rejects.toThrow(/held/);
		await expect(recordOutcome(db, { id: directorId, role: 'supervisor' }, { meetingId: meetingId!, status: 'held', deal: 'won', amount: '' })).rejects.toThrow(/amount/);

		await recordOutcome(db, { id: directorId, role: 'supervisor' }, { meetingId: meetingId!, status: 'held', deal: 'won', amount: '1200' }, '127.0.0.1');
		const [m] = await db.select().from(meetings).where(eq(meetings.id, meetingId!));
		expect(m).toMatchObject({ status: 'held', deal: 'won', amount: '1200.00' });
		expect(await stats()).toMatchObject({ meetings: 1, deals: 1 });
		const [a] = await db.select().from(auditLog).where(and(eq(auditLog.action, 'meeting.outcome'), eq(auditLog.target, meetingId!)));
		expect(a).toMatchObject({ actorId: directorId, ip: '127.0.0.1', details: { after: { status: 'held', deal: 'won', amount: '1200' } } });

		const mine = await listMeetings(db, { id: directorId, role: 'supervisor' }, 'upcoming', NOW);
		expect(mine.map((r) => r.id)).toEqual([meetingId]);
		expect(await listMeetings(db, { id: c.agentId, role: 'supervisor' }, 'upcoming', NOW)).toEqual([]);

		// a stats row knocked out of line is put back by the rebuild
		await db.update(agentDayStats).set({ meetings: 7, deals: 0 }).where(eq(agentDayStats.agentId, c.agentId));
		expect(await rebuildMeetingStats(db)).toBeGreaterThan(0);
		expect(await stats()).toMatchObject({ meetings: 1, deals: 1 });

		// cancelled: the meeting no longer counts, and the empty row goes
		await recordOutcome(db, { id: directorId, role: 'manager' }, { meetingId: meetingId!, status: 'cancelled', deal: 'pending', amount: '' });
		expect(await stats()).toBeUndefined();
	});

	it('queues the info letter with the lead values for the agent who holds the lead', async () => {
		const db = handle.db;
		const { f, claims } = await setup(2);
		const [c, other] = claims as [(typeof claims)[0], (typeof claims)[0]];
		await db.update(projects).set({ letterSubject: 'Hello {{lead.company}}', letterBody: 'Dear {{lead.contact}}, from {{agent.name}} — <b>x</b>' }).where(eq(projects.id, f.projectId));
		await expect(queueInfoLetter(db, { agentId: c.agentId, projectLeadId: c.projectLeadId, now: NOW })).rejects.toMatchObject({ code: 'no_email' });
		await db.insert(leadEmails).values({ leadId: c.leadId, email: `lead.${c.leadId}@example.test` });
		await expect(queueInfoLetter(db, { agentId: other.agentId, projectLeadId: c.projectLeadId, now: NOW })).rejects.toBeInstanceOf(LetterError);
		const { id } = await queueInfoLetter(db, { agentId: c.agentId, projectLeadId: c.projectLeadId, now: NOW });
		const [l] = await db.select().from(letters).where(eq(letters.id, id));
		const idx = f.leads.indexOf(c.leadId);
		expect(l).toMatchObject({ to: `lead.${c.leadId}@example.test`, subject: `Hello Company ${idx}`, status: 'queued', sentBy: c.agentId, leadId: c.leadId });
		expect(l!.body).toBe(`Dear Contact ${idx}, from Agent 0 — <b>x</b>`);
	});
});
