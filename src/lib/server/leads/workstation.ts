/**
 * What the agent workstation shows about one claimed lead: the card (company, contact, phones with
 * their DNC / bad flags, e-mails, portrait), the script filled with the lead's values, and the
 * lead's history (calls with outcome and duration, notes, meetings, letters, the import it came from).
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { calls, dispositions, dnc, imports, leadEmails, leadPhones, leads, letters, meetings, notes, projects, users } from '../db/schema';

export interface CardPhone {
	id: string;
	e164: string;
	kind: string | null;
	bad: boolean;
	dnc: boolean;
}

export interface HistoryItem {
	kind: 'call' | 'note' | 'meeting' | 'letter' | 'import';
	at: string;
	/** call: disposition label or dial status; note: body; meeting: status; letter: subject; import: file */
	title: string;
	detail: string | null;
	/** call talk seconds */
	seconds: number | null;
	by: string | null;
	recording: boolean;
	/** call: its id (the recording is served at /agent/recordings/<callId>) */
	callId: string | null;
	/** call: the lead called us ('in') or we called them ('out') */
	direction: 'in' | 'out' | null;
}

export interface LeadCard {
	id: string;
	company: string | null;
	contactName: string | null;
	position: string | null;
	city: string | null;
	industry: string | null;
	size: string | null;
	website: string | null;
	timezone: string | null;
	portrait: Record<string, string>;
	phones: CardPhone[];
	emails: string[];
	history: HistoryItem[];
}

export async function loadLeadCard(db: DbOrTx, leadId: string): Promise<LeadCard | null> {
	const [lead] = await db.select().from(leads).where(eq(leads.id, leadId));
	if (!lead) return null;
	const phones = await db
		.select({ id: leadPhones.id, e164: leadPhones.e164, kind: leadPhones.kind, badAt: leadPhones.badAt, dnc: dnc.e164 })
		.from(leadPhones)
		.leftJoin(dnc, eq(dnc.e164, leadPhones.e164))
		.where(eq(leadPhones.leadId, leadId))
		.orderBy(asc(leadPhones.e164));
	const emails = await db.select({ email: leadEmails.email }).from(leadEmails).where(eq(leadEmails.leadId, leadId));
	const history: HistoryItem[] = [];
	const callRows = await db
		.select({
			id: calls.id,
			at: calls.startedAt,
			status: calls.dialStatus,
			label: dispositions.label,
			seconds: calls.talkSeconds,
			by: users.name,
			number: calls.number,
			recording: calls.recordingPath,
			direction: calls.direction
		})
		.from(calls)
		.leftJoin(dispositions, eq(dispositions.id, calls.dispositionId))
		.leftJoin(users, eq(users.id, calls.agentId))
		.where(eq(calls.leadId, leadId))
		.orderBy(desc(calls.startedAt))
		.limit(50);
	for (const c of callRows)
		history.push({ kind: 'call', at: c.at.toISOString(), title: c.label ?? c.status ?? '…', detail: c.number, seconds: c.seconds, by: c.by, recording: !!c.recording, callId: c.id, direction: c.direction });
	const noteRows = await db
		.select({ at: notes.createdAt, body: notes.body, by: users.name })
		.from(notes)
		.leftJoin(users, eq(users.id, notes.authorId))
		.where(and(eq(notes.target, 'lead'), eq(notes.targetId, leadId)))
		.orderBy(desc(notes.createdAt))
		.limit(50);
	for (const n of noteRows) history.push({ kind: 'note', at: n.at.toISOString(), title: n.body, detail: null, seconds: null, by: n.by, recording: false, callId: null, direction: null });
	const meetingRows = await db
		.select({ at: meetings.createdAt, startsAt: meetings.startsAt, status: meetings.status, place: meetings.place, by: users.name })
		.from(meetings)
		.leftJoin(users, eq(users.id, meetings.bookedBy))
		.where(eq(meetings.leadId, leadId))
		.orderBy(desc(meetings.createdAt))
		.limit(20);
	for (const m of meetingRows)
		history.push({ kind: 'meeting', at: m.at.toISOString(), title: m.status, detail: `${m.startsAt.toISOString()}${m.place ? ` · ${m.place}` : ''}`, seconds: null, by: m.by, recording: false, callId: null, direction: null });
	const letterRows = await db
		.select({ at: letters.createdAt, subject: letters.subject, status: letters.status, to: letters.to })
		.from(letters)
		.where(eq(letters.leadId, leadId))
		.orderBy(desc(letters.createdAt))
		.limit(20);
	for (const l of letterRows) history.push({ kind: 'letter', at: l.at.toISOString(), title: l.subject, detail: `${l.to} · ${l.status}`, seconds: null, by: null, recording: false, callId: null, direction: null });
	if (lead.importId) {
		const [imp] = await db.select({ at: imports.createdAt, file: imports.fileName }).from(imports).where(eq(imports.id, lead.importId));
		if (imp) history.push({ kind: 'import', at: imp.at.toISOString(), title: imp.file, detail: null, seconds: null, by: null, recording: false, callId: null, direction: null });
	}
	history.sort((a, b) => b.at.localeCompare(a.at));
	return {
		id: lead.id,
		company: lead.company,
		contactName: lead.contactName,
		position: lead.position,
		city: lead.city,
		industry: lead.industry,
		size: lead.size,
		website: lead.website,
		timezone: lead.timezone,
		portrait: lead.portrait,
		phones: phones.map((p) => ({ id: p.id, e164: p.e164, kind: p.kind, bad: p.badAt !== null, dnc: p.dnc !== null })),
		emails: emails.map((e) => e.email),
		history
	};
}

export interface AgentProject {
	id: string;
	name: string;
	script: string;
	targetCalls: number;
	targetTalkMinutes: number;
	targetMeetings: number;
	timezone: string;
}

/** The active projects an agent works on. */
export async function agentProjects(db: DbOrTx, agentId: string): Promise<AgentProject[]> {
	return db
		.select({
			id: projects.id,
			name: projects.name,
			script: projects.script,
			targetCalls: projects.targetCalls,
			targetTalkMinutes: projects.targetTalkMinutes,
			targetMeetings: projects.targetMeetings,
			timezone: projects.timezone
		})
		.from(projects)
		.where(and(eq(projects.status, 'active'), sql`exists (select 1 from project_agents pa where pa.project_id = ${projects.id} and pa.user_id = ${agentId})`))
		.orderBy(asc(projects.name));
}

export async function projectDispositions(db: DbOrTx, projectIds: string[]) {
	if (!projectIds.length) return [];
	return db
		.select({
			id: dispositions.id,
			projectId: dispositions.projectId,
			code: dispositions.code,
			label: dispositions.label,
			hotkey: dispositions.hotkey,
			kind: dispositions.kind,
			isMeeting: dispositions.isMeeting
		})
		.from(dispositions)
		.where(inArray(dispositions.projectId, projectIds))
		.orderBy(asc(dispositions.sort), asc(dispositions.code));
}
