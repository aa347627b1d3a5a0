/**
 * Finding a lead (by phone, e-mail or company) and everything a manager sees on its page: its data,
 * phones with their DNC / wrong-number marks, projects, call history, meetings, notes, and whether the
 * hopper may give it to an agent — with the reasons why not.
 */
import { desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { calls, dispositions, leadEmails, leadPhones, leads, meetings, notes, projectLeads, projects, users } from '../db/schema';
import { isCountryCode, normalizeEmail, normalizePhone } from './normalize';

export interface LeadHit {
	id: string;
	company: string | null;
	contactName: string | null;
	city: string | null;
	phone: string | null;
	blocked: boolean;
	erased: boolean;
}

/** Escapes LIKE wildcards in user text. */
function likeText(q: string): string {
	return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function searchLeads(db: DbOrTx, query: string, options: { region?: string; limit?: number } = {}): Promise<LeadHit[]> {
	const q = query.trim().slice(0, 200);
	if (!q) return [];
	const limit = options.limit ?? 50;
	const ids = new Set<string>();
	if (q.includes('@')) {
		const email = normalizeEmail(q);
		const rows = await db
			.select({ id: leadEmails.leadId })
			.from(leadEmails)
			.where(email ? eq(leadEmails.email, email) : ilike(leadEmails.email, likeText(q.toLowerCase())))
			.limit(limit);
		for (const r of rows) ids.add(r.id);
	}
	const digits = q.replace(/\D/g, '');
	if (digits.length >= 4 && /^[\d\s+().\-/]+$/.test(q)) {
		const region = options.region?.toUpperCase();
		const phone = region && isCountryCode(region) ? normalizePhone(q, region) : null;
		const rows = await db
			.select({ id: leadPhones.leadId })
			.from(leadPhones)
			.where(phone ? or(eq(leadPhones.e164, phone.e164), sql`${leadPhones.e164} like ${`%${digits}%`}`) : sql`${leadPhones.e164} like ${`%${digits}%`}`)
			.limit(limit);
		for (const r of rows) ids.add(r.id);
	}
	if (!q.includes('@')) {
		const rows = await db
			.select({ id: leads.id })
			.from(leads)
			.where(or(ilike(leads.company, likeText(q)), ilike(leads.contactName, likeText(q))))
			.limit(limit);
		for (const r of rows) ids.add(r.id);
	}
	if (ids.size === 0) return [];
	const list = [...ids].slice(0, limit);
	const rows = await db
		.select({
			id: leads.id,
			company: leads.company,
			contactName: leads.contactName,
			city: leads.city,
			blockedAt: leads.blockedAt,
			erasedAt: leads.erasedAt,
			phone: sql<string | null>`(select min(ph.e164) from lead_phones ph where ph.lead_id = ${leads.id})`
		})
		.from(leads)
		.where(inArray(leads.id, list))
		.orderBy(leads.company);
	return rows.map((r) => ({
		id: r.id,
		company: r.company,
		contactName: r.contactName,
		city: r.city,
		phone: r.phone,
		blocked: r.blockedAt !== null,
		erased: r.erasedAt !== null
	}));
}

/** Why the hopper will not hand this lead out (empty = callable, subject to its projects' schedules). */
export type NotCallable = 'erased' | 'blocked' | 'no_phone' | 'phone_on_dnc' | 'all_phones_bad';

export async function getLeadPage(db: DbOrTx, leadId: string) {
	const [lead] = await db.select().from(leads).where(eq(leads.id, leadId));
	if (!lead) return null;
	const phones = await db
		.select({
			id: leadPhones.id,
			e164: leadPhones.e164,
			raw: leadPhones.raw,
			kind: leadPhones.kind,
			bad: sql<boolean>`${leadPhones.badAt} is not null`,
			dnc: sql<boolean>`exists (select 1 from dnc d where d.e164 = ${leadPhones.e164})`
		})
		.from(leadPhones)
		.where(eq(leadPhones.leadId, leadId))
		.orderBy(leadPhones.e164);
	const emails = await db.select({ id: leadEmails.id, email: leadEmails.email }).from(leadEmails).where(eq(leadEmails.leadId, leadId)).orderBy(leadEmails.email);
	const links = await db
		.select({
			projectId: projects.id,
			project: projects.name,
			status: projectLeads.status,
			attempts: projectLeads.attempts,
			nextCallAt: projectLeads.nextCallAt,
			lastCalledAt: projectLeads.lastCalledAt,
			disposition: dispositions.label
		})
		.from(projectLeads)
		.innerJoin(projects, eq(projects.id, projectLeads.projectId))
		.leftJoin(dispositions, eq(dispositions.id, projectLeads.lastDispositionId))
		.where(eq(projectLeads.leadId, leadId))
		.orderBy(projects.name);
	const history = await db
		.select({
			id: calls.id,
			startedAt: calls.startedAt,
			number: calls.number,
			talkSeconds: calls.talkSeconds,
			dialStatus: calls.dialStatus,
			agent: users.name,
			project: projects.name,
			disposition: dispositions.label
		})
		.from(calls)
		.leftJoin(users, eq(users.id, calls.agentId))
		.leftJoin(projects, eq(projects.id, calls.projectId))
		.leftJoin(dispositions, eq(dispositions.id, calls.dispositionId))
		.where(eq(calls.leadId, leadId))
		.orderBy(desc(calls.startedAt))
		.limit(100);
	const meetingRows = await db
		.select({ id: meetings.id, startsAt: meetings.startsAt, status: meetings.status, deal: meetings.deal, project: projects.name })
		.from(meetings)
		.innerJoin(projects, eq(projects.id, meetings.projectId))
		.where(eq(meetings.leadId, leadId))
		.orderBy(desc(meetings.startsAt));
	const noteRows = await db
		.select({ id: notes.id, body: notes.body, createdAt: notes.createdAt, author: users.name })
		.from(notes)
		.leftJoin(users, eq(users.id, notes.authorId))
		.where(sql`${notes.target} = 'lead' and ${notes.targetId} = ${leadId}`)
		.orderBy(desc(notes.createdAt));

	const notCallable: NotCallable[] = [];
	if (lead.erasedAt) notCallable.push('erased');
	if (lead.blockedAt) notCallable.push('blocked');
	if (!lead.erasedAt && phones.length === 0) notCallable.push('no_phone');
	// the hopper's rule (hopper.ts `callable`): one listed number keeps the whole lead off the floor
	if (phones.some((p) => p.dnc)) notCallable.push('phone_on_dnc');
	if (phones.length && phones.every((p) => p.bad)) notCallable.push('all_phones_bad');

	return { lead, phones, emails, links, history, meetings: meetingRows, notes: noteRows, notCallable };
}
