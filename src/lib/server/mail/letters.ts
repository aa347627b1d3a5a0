/**
 * The project's info letter, sent by the agent to the lead on screen: subject and body filled with
 * the same variables as the call script (`{{lead.company}}` …), the project's attachments, queued
 * in the outbox in one transaction with the checks (the agent holds the lead, it has an e-mail).
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { leadEmails, leadPhones, leads, projectLeads, projects, users } from '../db/schema';
import { fillVariables, type ScriptValues } from '../../projects/script';
import { queueLetter } from './outbox';

export class LetterError extends Error {
	constructor(
		readonly code: 'not_yours' | 'no_email' | 'no_letter',
		message: string
	) {
		super(message);
	}
}

/** The script variables of one lead, as the agent's screen fills them. */
export function leadValues(
	lead: { company: string | null; contactName: string | null; position: string | null; city: string | null },
	extra: { phone: string | null; email: string | null; agentName: string; projectName: string }
): ScriptValues {
	return {
		'lead.company': lead.company,
		'lead.contact': lead.contactName,
		'lead.position': lead.position,
		'lead.city': lead.city,
		'lead.phone': extra.phone,
		'lead.email': extra.email,
		'agent.name': extra.agentName,
		'project.name': extra.projectName
	};
}

/** Queues the info letter of the lead the agent holds; returns the letter and its recipient. Throws LetterError. */
export async function queueInfoLetter(db: Db, input: { agentId: string; projectLeadId: string; now?: Date }): Promise<{ id: string; to: string }> {
	const now = input.now ?? new Date();
	return db.transaction(async (tx) => {
		const [pl] = await tx
			.select({ leadId: projectLeads.leadId, projectId: projectLeads.projectId, lockedBy: projectLeads.lockedBy, status: projectLeads.status })
			.from(projectLeads)
			.where(eq(projectLeads.id, input.projectLeadId));
		if (!pl || pl.lockedBy !== input.agentId || pl.status !== 'in_progress') throw new LetterError('not_yours', 'this lead is not claimed by you');
		const [project] = await tx.select().from(projects).where(eq(projects.id, pl.projectId));
		if (!project || !project.letterSubject.trim() || !project.letterBody.trim()) throw new LetterError('no_letter', 'the project has no info letter');
		const [lead] = await tx.select().from(leads).where(eq(leads.id, pl.leadId));
		const [email] = await tx.select({ email: leadEmails.email }).from(leadEmails).where(eq(leadEmails.leadId, pl.leadId)).orderBy(asc(leadEmails.email)).limit(1);
		if (!lead || !email) throw new LetterError('no_email', 'the lead has no e-mail address');
		const [phone] = await tx.select({ e164: leadPhones.e164 }).from(leadPhones).where(and(eq(leadPhones.leadId, pl.leadId))).orderBy(asc(leadPhones.e164)).limit(1);
		const [agent] = await tx.select({ name: users.name }).from(users).where(eq(users.id, input.agentId));
		const values = leadValues(lead, { phone: phone?.e164 ?? null, email: email.email, agentName: agent?.name ?? '', projectName: project.name });
		const id = await queueLetter(
			tx,
			{
				projectId: project.id,
				leadId: lead.id,
				sentBy: input.agentId,
				to: email.email,
				subject: fillVariables(project.letterSubject, values).replace(/[\r\n]+/g, ' '),
				body: fillVariables(project.letterBody, values),
				attachments: project.letterAttachments
			},
			now
		);
		return { id, to: email.email };
	});
}
