/**
 * A project's lead base as a filtered list (status, attempts, city, import, last disposition), and the
 * filters a manager saves by name to reuse. A filter is a small flat record, the same as the page's
 * query string, so a saved filter is just a link.
 */
import { and, asc, count, eq, gte, ilike, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db';
import { dispositions, leads, projectLeads, savedFilters } from '../db/schema';
import { audit } from '../audit';
import type { Actor } from '../projects';

export const LEAD_STATUSES = ['new', 'callback', 'in_progress', 'done', 'exhausted', 'dnc'] as const;

const uuidOrEmpty = z.union([z.literal(''), z.string().uuid()]);
const attempts = z.union([z.literal(''), z.coerce.number().int().min(0).max(1000)]);

export const leadFilterSchema = z.object({
	status: z.union([z.literal(''), z.enum(LEAD_STATUSES)]).default(''),
	attemptsMin: attempts.default(''),
	attemptsMax: attempts.default(''),
	city: z.string().trim().max(120).default(''),
	import: uuidOrEmpty.default(''),
	/** a disposition id, or "none" for leads never dispositioned */
	disposition: z.union([z.literal(''), z.literal('none'), z.string().uuid()]).default('')
});
export type LeadFilter = z.output<typeof leadFilterSchema>;
export const FILTER_KEYS = Object.keys(leadFilterSchema.shape) as (keyof LeadFilter)[];

/** A query string (or a saved record) → a filter; unknown or malformed values are dropped, not guessed. */
export function parseLeadFilter(source: URLSearchParams | Record<string, string>): LeadFilter {
	const get = (k: string) => (source instanceof URLSearchParams ? source.get(k) : source[k]) ?? '';
	const out: Record<string, unknown> = {};
	for (const key of FILTER_KEYS) {
		const one = leadFilterSchema.shape[key].safeParse(get(key));
		out[key] = one.success ? one.data : '';
	}
	return leadFilterSchema.parse(out);
}

/** The non-empty values of a filter as strings: what is saved and what goes in a link. */
export function filterRecord(filter: LeadFilter): Record<string, string> {
	return Object.fromEntries(FILTER_KEYS.filter((k) => filter[k] !== '').map((k) => [k, String(filter[k])]));
}

function conditions(projectId: string, f: LeadFilter): SQL[] {
	const where: SQL[] = [eq(projectLeads.projectId, projectId)];
	if (f.status) where.push(eq(projectLeads.status, f.status));
	if (f.attemptsMin !== '') where.push(gte(projectLeads.attempts, f.attemptsMin));
	if (f.attemptsMax !== '') where.push(lte(projectLeads.attempts, f.attemptsMax));
	if (f.city) where.push(ilike(leads.city, f.city.replace(/[\\%_]/g, (c) => `\\${c}`)));
	if (f.import) where.push(eq(leads.importId, f.import));
	if (f.disposition === 'none') where.push(isNull(projectLeads.lastDispositionId));
	else if (f.disposition) where.push(eq(projectLeads.lastDispositionId, f.disposition));
	return where;
}

export async function listProjectLeads(db: DbOrTx, projectId: string, filter: LeadFilter, page: { limit?: number; offset?: number } = {}) {
	const where = and(...conditions(projectId, filter));
	const rows = await db
		.select({
			id: leads.id,
			company: leads.company,
			contactName: leads.contactName,
			city: leads.city,
			blocked: sql<boolean>`${leads.blockedAt} is not null`,
			erased: sql<boolean>`${leads.erasedAt} is not null`,
			phone: sql<string | null>`(select min(ph.e164) from lead_phones ph where ph.lead_id = ${leads.id})`,
			status: projectLeads.status,
			attempts: projectLeads.attempts,
			nextCallAt: projectLeads.nextCallAt,
			disposition: dispositions.label
		})
		.from(projectLeads)
		.innerJoin(leads, eq(leads.id, projectLeads.leadId))
		.leftJoin(dispositions, eq(dispositions.id, projectLeads.lastDispositionId))
		.where(where)
		.orderBy(sql`${leads.company} nulls last`, asc(leads.id))
		.limit(page.limit ?? 100)
		.offset(page.offset ?? 0);
	const [total] = await db
		.select({ n: count() })
		.from(projectLeads)
		.innerJoin(leads, eq(leads.id, projectLeads.leadId))
		.where(where);
	return { rows, total: total?.n ?? 0 };
}

export const filterNameSchema = z.string().trim().min(1, 'Give the filter a name.').max(80, 'at most 80 characters');

export async function listSavedFilters(db: DbOrTx, projectId: string) {
	return db.select().from(savedFilters).where(eq(savedFilters.projectId, projectId)).orderBy(asc(savedFilters.name));
}

/** Saves (or replaces, by name) a project's filter. */
export async function saveFilter(db: Db, projectId: string, name: string, filter: LeadFilter, actor: Actor): Promise<string> {
	const clean = filterNameSchema.parse(name);
	const record = filterRecord(filter);
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(savedFilters)
			.values({ projectId, name: clean, filter: record, createdBy: actor.id })
			.onConflictDoUpdate({ target: [savedFilters.projectId, savedFilters.name], set: { filter: record } })
			.returning({ id: savedFilters.id });
		await audit(tx, { actorId: actor.id, action: 'filter.saved', target: row!.id, details: { projectId, name: clean, filter: record }, ip: actor.ip });
		return row!.id;
	});
}

export async function deleteFilter(db: Db, projectId: string, filterId: string, actor: Actor): Promise<boolean> {
	if (!z.string().uuid().safeParse(filterId).success) return false;
	return db.transaction(async (tx) => {
		const rows = await tx
			.delete(savedFilters)
			.where(and(eq(savedFilters.id, filterId), eq(savedFilters.projectId, projectId)))
			.returning({ name: savedFilters.name });
		if (rows.length) await audit(tx, { actorId: actor.id, action: 'filter.deleted', target: filterId, details: { projectId, name: rows[0]!.name }, ip: actor.ip });
		return rows.length > 0;
	});
}
