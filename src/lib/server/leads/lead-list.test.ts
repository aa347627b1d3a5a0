import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, leads, projectLeads } from '../db/schema';
import { testDatabases } from '../db/testing';
import { createFixture } from './fixtures';
import { deleteFilter, filterRecord, listProjectLeads, listSavedFilters, parseLeadFilter, saveFilter } from './lead-list';

describe('lead filter parsing', () => {
	it('keeps valid values and drops malformed ones instead of guessing', () => {
		const f = parseLeadFilter(new URLSearchParams('status=callback&attemptsMin=2&attemptsMax=x&city=Lyon&import=nope&disposition=none'));
		expect(f).toEqual({ status: 'callback', attemptsMin: 2, attemptsMax: '', city: 'Lyon', import: '', disposition: 'none' });
		expect(filterRecord(f)).toEqual({ status: 'callback', attemptsMin: '2', city: 'Lyon', disposition: 'none' });
		expect(parseLeadFilter({ status: 'bogus' }).status).toBe('');
	});
});

describe.each(testDatabases())('project lead list and saved filters on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});
	const actor = { id: null, ip: null };

	it('filters by status, attempts, city and last disposition', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 4 });
		await db.update(leads).set({ city: 'Lyon' }).where(eq(leads.id, f.leads[0]!));
		await db.update(leads).set({ city: 'lyon' }).where(eq(leads.id, f.leads[1]!));
		await db.update(projectLeads).set({ status: 'callback', attempts: 3, lastDispositionId: f.dispositions.callback }).where(eq(projectLeads.id, f.projectLeads[1]!));
		await db.update(projectLeads).set({ attempts: 1, lastDispositionId: f.dispositions.no_answer }).where(eq(projectLeads.id, f.projectLeads[2]!));
		const ids = async (q: string) => (await listProjectLeads(db, f.projectId, parseLeadFilter(new URLSearchParams(q)))).rows.map((r) => r.id);
		expect(await ids('')).toEqual(f.leads);
		expect(await ids('city=LYON')).toEqual(f.leads.slice(0, 2));
		expect(await ids('status=callback')).toEqual([f.leads[1]]);
		expect(await ids('attemptsMin=1&attemptsMax=2')).toEqual([f.leads[2]]);
		expect(await ids('disposition=none')).toEqual([f.leads[0], f.leads[3]]);
		expect(await ids(`disposition=${f.dispositions.no_answer}`)).toEqual([f.leads[2]]);
		expect((await listProjectLeads(db, f.projectId, parseLeadFilter({}), { limit: 2 })).total).toBe(4);
	});

	it('saves a filter by name (replacing one of the same name), lists and deletes it, audited', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		const id = await saveFilter(db, f.projectId, ' Lyon callbacks ', parseLeadFilter({ status: 'callback', city: 'Lyon' }), actor);
		const again = await saveFilter(db, f.projectId, 'Lyon callbacks', parseLeadFilter({ status: 'callback', city: 'Lyon', attemptsMax: '3' }), actor);
		expect(again).toBe(id);
		const list = await listSavedFilters(db, f.projectId);
		expect(list.map((s) => [s.name, s.filter])).toEqual([['Lyon callbacks', { status: 'callback', city: 'Lyon', attemptsMax: '3' }]]);
		await expect(saveFilter(db, f.projectId, '  ', parseLeadFilter({}), actor)).rejects.toThrow(/Give the filter a name/);
		expect(await deleteFilter(db, f.projectId, id, actor)).toBe(true);
		expect(await listSavedFilters(db, f.projectId)).toEqual([]);
		const audits = await db.select().from(auditLog).where(eq(auditLog.target, id));
		expect(audits.map((a) => a.action)).toEqual(['filter.saved', 'filter.saved', 'filter.deleted']);
	});
});
