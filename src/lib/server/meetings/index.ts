/**
 * Meetings with sales directors: the free-slot week an agent books from, the director's list and
 * the outcome the director records (held / no-show, deal won / lost, amount).
 *
 * Who is a sales director: whoever a project names in `projects.sales_director_id` — no extra role
 * or flag. The project page only offers users of role supervisor or above, so a director can open
 * /meetings (supervisor route group); there a manager or admin sees every meeting, anyone else
 * only the meetings they direct. Authorisation follows the data, so naming another director on
 * the project moves the right to the new meetings without any role change.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db';
import { leads, meetings, projectAgents, projects, users } from '../db/schema';
import { audit } from '../audit';
import { roleAtLeast, type Role } from '../auth/types';
import { overlapping } from './booking';
import { addDays, freeSlots, localDate, mondayOf, zonedInstant, type DaySlots } from './slots';
import { bookingDay, recountMeetingStats } from './stats';

export { MEETING_MINUTES } from './slots';

export interface Viewer {
	id: string;
	role: Role;
}

export const DIRECTOR_ROLES: Role[] = ['supervisor', 'manager', 'admin'];

/** Users a project may name as its sales director. */
export async function directorCandidates(db: DbOrTx): Promise<{ id: string; name: string; email: string }[]> {
	return db
		.select({ id: users.id, name: users.name, email: users.email })
		.from(users)
		.where(and(inArray(users.role, DIRECTOR_ROLES), isNull(users.disabledAt)))
		.orderBy(asc(users.name));
}

export async function isDirectorCandidate(db: DbOrTx, userId: string): Promise<boolean> {
	return (await directorCandidates(db)).some((u) => u.id === userId);
}

export interface SlotWeek {
	director: { id: string; name: string } | null;
	timezone: string;
	/** Monday of the week shown (local date) */
	week: string;
	days: DaySlots[];
}

/**
 * The director's free slots of the week containing `week` (default: this week), for a user who
 * works on the project (or a manager). Null when the viewer may not see the project.
 */
export async function slotWeek(db: DbOrTx, viewer: Viewer, projectId: string, week: string | null, now = new Date()): Promise<SlotWeek | null> {
	const [project] = await db
		.select({ id: projects.id, timezone: projects.timezone, workingHours: projects.workingHours, directorId: projects.salesDirectorId, directorName: users.name })
		.from(projects)
		.leftJoin(users, eq(users.id, projects.salesDirectorId))
		.where(eq(projects.id, projectId));
	if (!project) return null;
	if (!roleAtLeast(viewer.role, 'manager')) {
		const [member] = await db
			.select({ one: sql<number>`1` })
			.from(projectAgents)
			.where(and(eq(projectAgents.projectId, projectId), eq(projectAgents.userId, viewer.id)));
		if (!member) return null;
	}
	const monday = mondayOf(week ?? localDate(now, project.timezone));
	if (!project.directorId) return { director: null, timezone: project.timezone, week: monday, days: [] };
	const from = zonedInstant(monday, '00:00', project.timezone) ?? new Date(`${monday}T00:00:00Z`);
	const next = addDays(monday, 7);
	const to = zonedInstant(next, '00:00', project.timezone) ?? new Date(`${next}T00:00:00Z`);
	const busy = await overlapping(db, project.directorId, from, to);
	const days = freeSlots({
		week: monday,
		timezone: project.timezone,
		workingHours: project.workingHours,
		busy: busy.map((b) => ({ start: b.startsAt, end: b.endsAt })),
		now
	});
	return { director: { id: project.directorId, name: project.directorName ?? '' }, timezone: project.timezone, week: monday, days };
}

export interface MeetingRow {
	id: string;
	startsAt: Date;
	endsAt: Date;
	place: string | null;
	status: (typeof meetings.$inferSelect)['status'];
	deal: (typeof meetings.$inferSelect)['deal'];
	amount: string | null;
	company: string | null;
	contact: string | null;
	project: string;
	bookedBy: string | null;
	director: string | null;
	directorId: string | null;
}

const bookers = alias(users, 'bookers');

/** Upcoming (ends after now, soonest first) or past (latest first) meetings the viewer may see. */
export async function listMeetings(db: DbOrTx, viewer: Viewer, when: 'upcoming' | 'past', now = new Date(), limit = 200): Promise<MeetingRow[]> {
	const scope = roleAtLeast(viewer.role, 'manager') ? undefined : eq(meetings.salesDirectorId, viewer.id);
	const time = when === 'upcoming' ? gte(meetings.endsAt, now) : lt(meetings.endsAt, now);
	return db
		.select({
			id: meetings.id,
			startsAt: meetings.startsAt,
			endsAt: meetings.endsAt,
			place: meetings.place,
			status: meetings.status,
			deal: meetings.deal,
			amount: meetings.amount,
			company: leads.company,
			contact: leads.contactName,
			project: projects.name,
			bookedBy: bookers.name,
			director: users.name,
			directorId: meetings.salesDirectorId
		})
		.from(meetings)
		.innerJoin(leads, eq(leads.id, meetings.leadId))
		.innerJoin(projects, eq(projects.id, meetings.projectId))
		.leftJoin(users, eq(users.id, meetings.salesDirectorId))
		.leftJoin(bookers, eq(bookers.id, meetings.bookedBy))
		.where(scope ? and(scope, time) : time)
		.orderBy(when === 'upcoming' ? asc(meetings.startsAt) : desc(meetings.startsAt))
		.limit(limit);
}

export const outcomeSchema = z
	.object({
		meetingId: z.string().uuid('unknown meeting'),
		status: z.enum(['scheduled', 'held', 'no_show', 'cancelled'], { message: 'choose held, no-show or cancelled' }),
		deal: z.enum(['pending', 'won', 'lost'], { message: 'choose won, lost or pending' }),
		amount: z
			.string()
			.trim()
			.transform((v) => v.replace(',', '.'))
			.refine((v) => v === '' || /^\d{1,12}(\.\d{1,2})?$/.test(v), 'expected an amount such as 1200 or 1200.50')
			.transform((v) => (v === '' ? null : v))
			.optional()
	})
	.refine((o) => o.deal === 'pending' || o.status === 'held', { message: 'a deal is won or lost only at a meeting that was held', path: ['deal'] })
	.refine((o) => o.deal === 'won' || !o.amount, { message: 'an amount goes with a won deal', path: ['amount'] })
	.refine((o) => o.deal !== 'won' || !!o.amount, { message: 'a won deal needs its amount', path: ['amount'] });
export type OutcomeInput = z.input<typeof outcomeSchema>;

export class OutcomeError extends Error {
	constructor(readonly code: 'not_found' | 'forbidden') {
		super(code === 'not_found' ? 'no such meeting' : 'only the meeting’s director or a manager can record its outcome');
	}
}

/**
 * The director (or a manager) records what happened; audited with the values before and after,
 * and the booking agent's meetings/deals rollup is recounted in the same transaction.
 */
export async function recordOutcome(db: Db, viewer: Viewer, input: OutcomeInput, ip: string | null = null): Promise<void> {
	const data = outcomeSchema.parse(input);
	await db.transaction(async (tx) => {
		const [row] = await tx.select().from(meetings).where(eq(meetings.id, data.meetingId)).for('update');
		if (!row) throw new OutcomeError('not_found');
		if (!roleAtLeast(viewer.role, 'manager') && row.salesDirectorId !== viewer.id) throw new OutcomeError('forbidden');
		const amount = data.amount ?? null;
		await tx.update(meetings).set({ status: data.status, deal: data.deal, amount }).where(eq(meetings.id, row.id));
		if (row.bookedBy) await recountMeetingStats(tx, { agentId: row.bookedBy, projectId: row.projectId, day: bookingDay(row.createdAt) });
		await audit(tx, {
			actorId: viewer.id,
			action: 'meeting.outcome',
			target: row.id,
			details: { before: { status: row.status, deal: row.deal, amount: row.amount }, after: { status: data.status, deal: data.deal, amount } },
			ip
		});
	});
}

