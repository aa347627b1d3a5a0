/**
 * Adding one lead by hand to a project, with the importer's rules: phones read as E.164 with the
 * project's region (normalize.ts), e-mails normalised, and the same duplicate check by phone OR
 * e-mail against the whole database:
 * - nothing matches → a new lead;
 * - one lead matches → merged into it (empty fields filled, new phones/e-mails added, linked to the project);
 * - two or more leads match → nothing is guessed: the entry is kept as a merge candidate for the merge screen.
 * A number on the do-not-call list is refused with its reason.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { leadEmails, leadPhones, leads, projectLeads, projects } from '../db/schema';
import { audit } from '../audit';
import type { Actor } from '../projects';
import { dncSet } from './dnc';
import { recordMergeCandidate } from './merge';
import { isCountryCode, normalizeEmail, normalizePhone, type NormalPhone } from './normalize';

/** The importer's lock (import.ts): a manual add and an import never race on the same phone. */
const LEAD_WRITE_LOCK = 727_110_002;

const text = (max: number) =>
	z
		.string()
		.trim()
		.max(max, `at most ${max} characters`)
		.optional()
		.transform((v) => v || undefined);

export const manualLeadSchema = z.object({
	company: text(200),
	contact: text(200),
	position: text(200),
	city: text(120),
	industry: text(120),
	website: text(300),
	/** one or more numbers, separated by new lines, commas or semicolons */
	phones: z.string().max(1000, 'too many numbers'),
	emails: z.string().max(2000, 'too many addresses').optional().default('')
});

export class ManualLeadError extends Error {
	constructor(readonly fields: Record<string, string>) {
		super(Object.values(fields).join(' '));
		this.name = 'ManualLeadError';
	}
}

export type ManualLeadResult =
	| { outcome: 'created'; leadId: string }
	| { outcome: 'merged'; leadId: string; phonesAdded: number; emailsAdded: number }
	| { outcome: 'ambiguous'; leadIds: string[] };

const split = (v: string) =>
	v
		.split(/[\n\r,;]+/)
		.map((s) => s.trim())
		.filter(Boolean);

export async function addLeadManually(db: Db, projectId: string, input: Record<string, unknown>, actor: Actor): Promise<ManualLeadResult> {
	const parsed = manualLeadSchema.safeParse(input);
	if (!parsed.success) {
		const fields: Record<string, string> = {};
		for (const i of parsed.error.issues) fields[String(i.path[0] ?? 'form')] ??= i.message;
		throw new ManualLeadError(fields);
	}
	const data = parsed.data;
	const [project] = await db.select({ id: projects.id, region: projects.defaultRegion }).from(projects).where(eq(projects.id, projectId));
	if (!project) throw new ManualLeadError({ form: 'No such project.' });
	const region = project.region.toUpperCase();
	if (!isCountryCode(region)) throw new ManualLeadError({ phones: `The project's region "${region}" is not a country code: fix it in the settings.` });

	const phones: NormalPhone[] = [];
	const badPhones: string[] = [];
	for (const raw of split(data.phones)) {
		const p = normalizePhone(raw, region);
		if (!p) badPhones.push(raw);
		else if (!phones.some((x) => x.e164 === p.e164)) phones.push(p);
	}
	const emails: string[] = [];
	const badEmails: string[] = [];
	for (const raw of split(data.emails)) {
		const e = normalizeEmail(raw);
		if (!e) badEmails.push(raw);
		else if (!emails.includes(e)) emails.push(e);
	}
	const errors: Record<string, string> = {};
	if (badPhones.length) errors.phones = `Not a valid phone number for region ${region}: ${badPhones.join(', ')}.`;
	else if (phones.length === 0) errors.phones = 'At least one phone number is required.';
	if (badEmails.length) errors.emails = `Not an e-mail address: ${badEmails.join(', ')}.`;
	if (Object.keys(errors).length) throw new ManualLeadError(errors);

	const fields = { company: data.company, contact: data.contact, position: data.position, city: data.city, industry: data.industry, website: data.website };
	const columns = {
		company: data.company,
		contactName: data.contact,
		position: data.position,
		city: data.city,
		industry: data.industry,
		website: data.website
	};

	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${LEAD_WRITE_LOCK})`);
		const listed = await dncSet(tx, phones.map((p) => p.e164));
		if (listed.size) throw new ManualLeadError({ phones: `On the do-not-call list: ${[...listed].join(', ')}. Remove it here or take it off the list first.` });

		const owners = new Set<string>();
		const phoneOwners = await tx.select({ leadId: leadPhones.leadId }).from(leadPhones).where(inArray(leadPhones.e164, phones.map((p) => p.e164)));
		for (const o of phoneOwners) owners.add(o.leadId);
		if (emails.length) {
			const emailOwners = await tx.select({ leadId: leadEmails.leadId }).from(leadEmails).where(inArray(leadEmails.email, emails));
			for (const o of emailOwners) owners.add(o.leadId);
		}

		if (owners.size > 1) {
			const leadIds = [...owners].sort();
			const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v)) as Record<string, string>;
			await recordMergeCandidate(tx, { leadIds, projectId, phones: phones.map((p) => p.e164), emails, fields: clean });
			await audit(tx, { actorId: actor.id, action: 'lead.created', target: null, details: { projectId, outcome: 'ambiguous', leads: leadIds }, ip: actor.ip });
			return { outcome: 'ambiguous', leadIds };
		}

		let leadId = [...owners][0];
		let outcome: 'created' | 'merged' = 'merged';
		if (!leadId) {
			const [row] = await tx
				.insert(leads)
				.values({ ...columns, source: 'manual' })
				.returning({ id: leads.id });
			leadId = row!.id;
			outcome = 'created';
		} else {
			// an erased lead is a tombstone: its numbers were removed, so it cannot match; fill only the living
			await tx
				.update(leads)
				.set({
					company: sql`coalesce(nullif(${leads.company}, ''), ${columns.company ?? null})`,
					contactName: sql`coalesce(nullif(${leads.contactName}, ''), ${columns.contactName ?? null})`,
					position: sql`coalesce(nullif(${leads.position}, ''), ${columns.position ?? null})`,
					city: sql`coalesce(nullif(${leads.city}, ''), ${columns.city ?? null})`,
					industry: sql`coalesce(nullif(${leads.industry}, ''), ${columns.industry ?? null})`,
					website: sql`coalesce(nullif(${leads.website}, ''), ${columns.website ?? null})`
				})
				.where(and(eq(leads.id, leadId), isNull(leads.erasedAt)));
		}
		const newPhones = await tx
			.insert(leadPhones)
			.values(phones.map((p) => ({ leadId: leadId!, e164: p.e164, raw: p.raw })))
			.onConflictDoNothing()
			.returning({ id: leadPhones.id });
		const newEmails = emails.length
			? await tx
					.insert(leadEmails)
					.values(emails.map((email) => ({ leadId: leadId!, email })))
					.onConflictDoNothing()
					.returning({ id: leadEmails.id })
			: [];
		await tx.insert(projectLeads).values({ projectId, leadId }).onConflictDoNothing();
		await audit(tx, { actorId: actor.id, action: 'lead.created', target: leadId, details: { projectId, outcome }, ip: actor.ip });
		return outcome === 'created'
			? { outcome, leadId }
			: { outcome, leadId, phonesAdded: newPhones.length, emailsAdded: newEmails.length };
	});
}
