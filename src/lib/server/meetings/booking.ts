/**
 * Booking a meeting with the project's sales director, inside the disposition's transaction:
 * the director's user row is locked (`FOR UPDATE`) so concurrent bookings for one director run one
 * after the other, an overlapping live meeting refuses the booking (a unique index on director +
 * start is the backstop), the agent's meetings rollup is recounted, and the `.ics` invitation is
 * queued in the outbox for the director (and the client when asked) — all or nothing.
 */
import { and, asc, eq, gt, lt, ne } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../db';
import { isUniqueViolation } from '../db/errors';
import { leadEmails, leads, meetings, projects, users } from '../db/schema';
import { buildInvitation } from '../mail/ics';
import { queueLetter } from '../mail/outbox';
import { m } from '../../paraglide/messages';
import { baseLocale, isLocale, type Locale } from '../../paraglide/runtime';
import { MEETING_MINUTES } from './slots';
import { bookingDay, recountMeetingStats } from './stats';

export class MeetingError extends Error {
	constructor(
		readonly code: 'slot_taken' | 'in_past' | 'not_found',
		message: string
	) {
		super(message);
	}
}

export interface BookingRequest {
	leadId: string;
	projectId: string;
	agentId: string;
	callId: string | null;
	startsAt: Date;
	place: string | null;
	/** also send the invitation to the lead's e-mail */
	inviteClient: boolean;
	now: Date;
}

/** Live meetings of `directorId` that overlap [start, end). */
export async function overlapping(db: DbOrTx, directorId: string, start: Date, end: Date) {
	return db
		.select({ id: meetings.id, startsAt: meetings.startsAt, endsAt: meetings.endsAt })
		.from(meetings)
		.where(and(eq(meetings.salesDirectorId, directorId), ne(meetings.status, 'cancelled'), lt(meetings.startsAt, end), gt(meetings.endsAt, start)));
}

export async function bookMeeting(tx: Tx, req: BookingRequest): Promise<string> {
	if (req.startsAt.getTime() < req.now.getTime()) throw new MeetingError('in_past', 'the meeting would start in the past');
	const endsAt = new Date(req.startsAt.getTime() + MEETING_MINUTES * 60_000);
	const [project] = await tx
		.select({ name: projects.name, director: projects.salesDirectorId, timezone: projects.timezone })
		.from(projects)
		.where(eq(projects.id, req.projectId));
	if (!project) throw new MeetingError('not_found', 'no such project');
	let director: { id: string; email: string; name: string; locale: string | null } | null = null;
	if (project.director) {
		// serialises every booking for this director until the transaction ends
		const [row] = await tx
			.select({ id: users.id, email: users.email, name: users.name, locale: users.locale })
			.from(users)
			.where(eq(users.id, project.director))
			.for('update');
		director = row ?? null;
		if (director && (await overlapping(tx, director.id, req.startsAt, endsAt)).length)
			throw new MeetingError('slot_taken', 'the director already has a meeting at that time');
	}
	let id: string;
	try {
		const [row] = await tx
			.insert(meetings)
			.values({
				leadId: req.leadId,
				projectId: req.projectId,
				callId: req.callId,
				bookedBy: req.agentId,
				salesDirectorId: director?.id ?? null,
				startsAt: req.startsAt,
				endsAt,
				place: req.place,
				createdAt: req.now
			})
			.returning({ id: meetings.id });
		id = row!.id;
	} catch (err) {
		if (isUniqueViolation(err)) throw new MeetingError('slot_taken', 'the director already has a meeting at that time');
		throw err;
	}
	await recountMeetingStats(tx, { agentId: req.agentId, projectId: req.projectId, day: bookingDay(req.now) });
	if (director) await queueInvitations(tx, { id, ...req, endsAt, project, director });
	return id;
}

async function queueInvitations(
	tx: Tx,
	b: BookingRequest & {
		id: string;
		endsAt: Date;
		project: { name: string; timezone: string };
		director: { id: string; email: string; name: string; locale: string | null };
	}
): Promise<void> {
	const [lead] = await tx.select({ company: leads.company, contact: leads.contactName }).from(leads).where(eq(leads.id, b.leadId));
	const [client] = b.inviteClient
		? await tx.select({ email: leadEmails.email }).from(leadEmails).where(eq(leadEmails.leadId, b.leadId)).orderBy(asc(leadEmails.email)).limit(1)
		: [];
	const locale: Locale = b.director.locale && isLocale(b.director.locale) ? b.director.locale : baseLocale;
	const company = lead?.company ?? lead?.contact ?? '—';
	const when = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: b.project.timezone }).format(b.startsAt);
	const summary = m.meetings_invite_summary({ company, project: b.project.name }, { locale });
	const body = m.meetings_invite_body({ company, contact: lead?.contact ?? '—', when, place: b.place ?? '—', project: b.project.name }, { locale });
	const attendees = [{ email: b.director.email, name: b.director.name }, ...(client ? [{ email: client.email, name: lead?.contact ?? null }] : [])];
	const calendar = buildInvitation({
		uid: `${b.id}@switchboard`,
		stamp: b.now,
		start: b.startsAt,
		end: b.endsAt,
		summary,
		description: body,
		location: b.place,
		organizer: { email: b.director.email, name: b.director.name },
		attendees
	});
	for (const to of attendees)
		await queueLetter(tx, { projectId: b.projectId, leadId: b.leadId, sentBy: b.agentId, to: to.email, subject: `${summary} — ${when}`, body, calendar }, b.now);
}
