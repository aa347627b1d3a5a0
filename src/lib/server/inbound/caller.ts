/**
 * The inbound pop-up: who is calling the agent, looked up by the caller's number read as E.164 with
 * the agent's project region. Only the number of the agent's own live inbound call is ever looked
 * up (the route checks it), so this is not a search an agent could point at the lead base.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { CountryCode } from 'libphonenumber-js/max';
import type { DbOrTx } from '../db';
import { leadPhones, leads, projectAgents, projects } from '../db/schema';
import { getLeadPage } from '../leads/lookup';
import { isCountryCode, normalizePhone } from '../leads/normalize';
import type { CallerLookup } from '$lib/inbound/caller';

export async function lookupCaller(db: DbOrTx, number: string, region: string): Promise<CallerLookup> {
	const phone = normalizePhone(number, (isCountryCode(region) ? region : 'US') as CountryCode);
	if (!phone) return { number, e164: null, lead: null };
	const [owner] = await db
		.select({ leadId: leadPhones.leadId })
		.from(leadPhones)
		.innerJoin(leads, eq(leads.id, leadPhones.leadId))
		.where(and(eq(leadPhones.e164, phone.e164), isNull(leads.erasedAt)));
	const page = owner ? await getLeadPage(db, owner.leadId) : null;
	if (!page) return { number, e164: phone.e164, lead: null };
	return {
		number,
		e164: phone.e164,
		lead: {
			id: page.lead.id,
			company: page.lead.company,
			contactName: page.lead.contactName,
			position: page.lead.position,
			city: page.lead.city,
			blocked: page.lead.blockedAt !== null,
			phones: page.phones.map((p) => p.e164),
			emails: page.emails.map((e) => e.email),
			projects: page.links.map((l) => ({ project: l.project, status: l.status, disposition: l.disposition })),
			lastCalls: page.history.slice(0, 5).map((h) => ({ startedAt: h.startedAt, talkSeconds: h.talkSeconds, disposition: h.disposition, agent: h.agent }))
		}
	};
}

/** The region to read a caller's number with: the agent's active projects' first default region. */
export async function agentRegion(db: DbOrTx, agentId: string): Promise<string> {
	const rows = await db
		.select({ region: projects.defaultRegion })
		.from(projects)
		.innerJoin(projectAgents, eq(projectAgents.projectId, projects.id))
		.where(and(eq(projectAgents.userId, agentId), inArray(projects.status, ['active'])))
		.orderBy(projects.name)
		.limit(1);
	return rows[0]?.region ?? 'US';
}
