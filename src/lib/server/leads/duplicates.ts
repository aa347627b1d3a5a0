/**
 * The merge screen's groups of probable duplicates, two kinds:
 * - `contact`: a source row (import line or manual add) whose phones and e-mails belonged to two or
 *   more different leads (phones and e-mails are unique, so this is the only way two leads "share" one);
 * - `company`: leads whose company names and cities have the same normalised key (`company-key.ts`).
 * A group whose every pair was kept apart is not shown again. Optionally limited to one project.
 */
import { inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { leadEmails, leadPhones, leads } from '../db/schema';
import { queryRows } from '../db/rows';
import { cityKeySql, companyKeySql } from './company-key';
import { dismissedPairs, pairsOf } from './merge';

export interface GroupLead {
	id: string;
	company: string | null;
	contactName: string | null;
	position: string | null;
	city: string | null;
	industry: string | null;
	size: string | null;
	website: string | null;
	timezone: string | null;
	blocked: boolean;
	createdAt: string;
	phones: string[];
	emails: string[];
	projects: number;
	calls: number;
}

export interface DuplicateGroup {
	/** stable id of the group on the page: its sorted lead ids */
	key: string;
	kind: 'contact' | 'company';
	leads: GroupLead[];
	/** for `contact`: the phones and e-mails of the row(s) that matched several leads */
	matched: string[];
}

const uuidList = (ids: string[]) =>
	sql.join(
		ids.map((id) => sql`${id}::uuid`),
		sql`, `
	);

export async function findDuplicateGroups(db: DbOrTx, options: { projectId?: string | null; limit?: number } = {}): Promise<DuplicateGroup[]> {
	const limit = options.limit ?? 50;
	const project = options.projectId ?? null;
	const inProject = (alias: string) =>
		project ? sql`exists (select 1 from project_leads pl where pl.lead_id = ${sql.raw(alias)}.id and pl.project_id = ${project}::uuid)` : sql`true`;

	const contact = await queryRows<{ ids: string[]; phones: string[]; emails: string[] }>(
		db,
		sql`select c.lead_ids as ids, c.phones, c.emails from merge_candidates c
			where c.resolved_at is null
			${project ? sql`and (c.project_id = ${project}::uuid or exists (select 1 from project_leads pl where pl.project_id = ${project}::uuid and pl.lead_id = any(c.lead_ids)))` : sql``}
			order by c.created_at limit ${limit * 4}`
	);
	const company = await queryRows<{ ids: string[] }>(
		db,
		sql`select array_agg(k.id order by k.created_at) as ids from (
				select l.id, l.created_at, ${companyKeySql(sql`l.company`)} as ck, ${cityKeySql(sql`l.city`)} as cc
				from leads l where l.erased_at is null and l.company is not null and ${inProject('l')}
			) k where k.ck <> '' group by k.ck, k.cc having count(*) > 1
			order by min(k.created_at) limit ${limit * 2}`
	);

	const raw: { kind: DuplicateGroup['kind']; ids: string[]; matched: string[] }[] = [];
	const seen = new Map<string, (typeof raw)[number]>();
	for (const c of contact) {
		const ids = [...new Set(parseTextArray(c.ids))].sort();
		if (ids.length < 2) continue;
		const key = ids.join(',');
		const existing = seen.get(key);
		const matched = [...parseTextArray(c.phones), ...parseTextArray(c.emails)];
		if (existing) existing.matched.push(...matched.filter((m) => !existing.matched.includes(m)));
		else {
			const g = { kind: 'contact' as const, ids, matched };
			seen.set(key, g);
			raw.push(g);
		}
	}
	for (const c of company) {
		const ids = [...new Set(parseTextArray(c.ids))].sort();
		const key = ids.join(',');
		if (seen.has(key)) continue;
		const g = { kind: 'company' as const, ids, matched: [] };
		seen.set(key, g);
		raw.push(g);
	}

	const allIds = [...new Set(raw.flatMap((g) => g.ids))];
	const dismissed = await dismissedPairs(db, allIds);
	const details = await leadDetails(db, allIds);
	const groups: DuplicateGroup[] = [];
	for (const g of raw) {
		const alive = g.ids.filter((id) => details.has(id));
		if (alive.length < 2) continue;
		if (pairsOf(alive).every(([a, b]) => dismissed.has(`${a}|${b}`))) continue;
		groups.push({ key: alive.join(','), kind: g.kind, matched: g.matched, leads: alive.map((id) => details.get(id)!) });
		if (groups.length >= limit) break;
	}
	return groups;
}

/** Side-by-side data of the leads of the groups (erased leads are left out: nothing to merge). */
async function leadDetails(db: DbOrTx, ids: string[]): Promise<Map<string, GroupLead>> {
	const out = new Map<string, GroupLead>();
	if (ids.length === 0) return out;
	const rows = await db.select().from(leads).where(inArray(leads.id, ids));
	const phones = await db.select({ leadId: leadPhones.leadId, e164: leadPhones.e164 }).from(leadPhones).where(inArray(leadPhones.leadId, ids));
	const emails = await db.select({ leadId: leadEmails.leadId, email: leadEmails.email }).from(leadEmails).where(inArray(leadEmails.leadId, ids));
	const counts = await queryRows<{ id: string; projects: number; calls: number }>(
		db,
		sql`select l.id, (select count(*) from project_leads pl where pl.lead_id = l.id)::int as projects,
			(select count(*) from calls c where c.lead_id = l.id)::int as calls
			from leads l where l.id in (${uuidList(ids)})`
	);
	const countOf = new Map(counts.map((c) => [c.id, c]));
	for (const r of rows) {
		if (r.erasedAt) continue;
		out.set(r.id, {
			id: r.id,
			company: r.company,
			contactName: r.contactName,
			position: r.position,
			city: r.city,
			industry: r.industry,
			size: r.size,
			website: r.website,
			timezone: r.timezone,
			blocked: r.blockedAt !== null,
			createdAt: r.createdAt.toISOString(),
			phones: phones.filter((p) => p.leadId === r.id).map((p) => p.e164),
			emails: emails.filter((e) => e.leadId === r.id).map((e) => e.email),
			projects: Number(countOf.get(r.id)?.projects ?? 0),
			calls: Number(countOf.get(r.id)?.calls ?? 0)
		});
	}
	return out;
}

/** Arrays arrive as arrays from both drivers; the text form "{a,b}" is read too, to be safe. */
function parseTextArray(value: string[] | string | null): string[] {
	if (value == null) return [];
	if (Array.isArray(value)) return value;
	const inner = value.replace(/^\{|\}$/g, '');
	return inner ? inner.split(',').map((s) => s.replace(/^"|"$/g, '')) : [];
}
