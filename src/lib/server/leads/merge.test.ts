import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, calls, leadEmails, leadPhones, leads, mergeCandidates, notes, projectLeads, projects } from '../db/schema';
import { testDatabases } from '../db/testing';
import { findDuplicateGroups } from './duplicates';
import { addLeadManually, ManualLeadError } from './manual';
import { keepApart, mergeLeads, MergeError } from './merge';

describe.each(testDatabases())('manual add, duplicate groups and merge on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let projectId: string;
	let otherProject: string;
	beforeAll(async () => {
		handle = await open();
		const [p] = await handle.db.insert(projects).values({ name: 'Merge', defaultRegion: 'FR' }).returning();
		const [q] = await handle.db.insert(projects).values({ name: 'Other', defaultRegion: 'FR' }).returning();
		projectId = p!.id;
		otherProject = q!.id;
	});
	afterAll(async () => {
		await handle?.close();
	});
	const actor = { id: null, ip: '127.0.0.1' };
	const add = (input: Record<string, string>, project = projectId) => addLeadManually(handle.db, project, input, actor);

	it('adds a lead with the importer normalisation and refuses bad input field by field', async () => {
		const r = await add({ company: 'Dupont SARL', city: 'Lyon', phones: '04 72 00 00 01', emails: 'Ann <ANN@Dupont.fr>' });
		expect(r.outcome).toBe('created');
		const id = r.outcome === 'created' ? r.leadId : '';
		expect((await handle.db.select().from(leadPhones).where(eq(leadPhones.leadId, id))).map((p) => p.e164)).toEqual(['+33472000001']);
		expect((await handle.db.select().from(leadEmails).where(eq(leadEmails.leadId, id))).map((e) => e.email)).toEqual(['ann@dupont.fr']);
		const err = await add({ company: 'X', phones: '12; 04 72 00 00 09', emails: 'nope' }).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ManualLeadError);
		expect((err as ManualLeadError).fields).toEqual({ phones: 'Not a valid phone number for region FR: 12.', emails: 'Not an e-mail address: nope.' });
		await expect(add({ company: 'X', phones: '' })).rejects.toThrow(/At least one phone number/);
	});

	it('merges a manual entry into the one lead it matches and links it to the project', async () => {
		const r = await add({ contact: 'Ann Dupont', phones: '+33 4 72 00 00 02', emails: 'ann@dupont.fr' }, otherProject);
		expect(r).toMatchObject({ outcome: 'merged', phonesAdded: 1, emailsAdded: 0 });
		const leadId = r.outcome === 'merged' ? r.leadId : '';
		const [lead] = await handle.db.select().from(leads).where(eq(leads.id, leadId));
		expect(lead).toMatchObject({ company: 'Dupont SARL', contactName: 'Ann Dupont' });
		const links = await handle.db.select().from(projectLeads).where(eq(projectLeads.leadId, leadId));
		expect(links.map((l) => l.projectId).sort()).toEqual([projectId, otherProject].sort());
	});

	it('keeps an entry matching two leads for the merge screen, and merges the group with chosen fields', async () => {
		const b = await add({ company: 'Martin & Fils', city: 'Paris', phones: '01 40 00 00 01', emails: 'contact@martin.fr' });
		expect(b.outcome).toBe('created');
		const bId = b.outcome === 'created' ? b.leadId : '';
		const [a] = await handle.db.select({ leadId: leadPhones.leadId }).from(leadPhones).where(eq(leadPhones.e164, '+33472000001'));
		const aId = a!.leadId;
		// a phone of A and the e-mail of B, plus a number neither has
		const r = await add({ company: 'Dupont-Martin', position: 'CEO', phones: '04 72 00 00 01, 06 12 34 56 78', emails: 'contact@martin.fr' });
		expect(r).toEqual({ outcome: 'ambiguous', leadIds: [aId, bId].sort() });
		expect(await handle.db.select().from(leadPhones).where(eq(leadPhones.e164, '+33612345678'))).toEqual([]);

		const groups = await findDuplicateGroups(handle.db, { projectId });
		const group = groups.find((g) => g.kind === 'contact')!;
		expect(group.leads.map((l) => l.id).sort()).toEqual([aId, bId].sort());
		expect(group.matched).toEqual(expect.arrayContaining(['+33472000001', 'contact@martin.fr']));

		await handle.db.insert(calls).values({ pbx: 't', linkedid: `m-${bId}`, direction: 'out', leadId: bId, projectId, startedAt: new Date(), talkSeconds: 10 });
		await handle.db.insert(notes).values({ target: 'lead', targetId: bId, body: 'was nice' });
		await expect(mergeLeads(handle.db, { leadIds: [aId], survivorId: aId }, actor)).rejects.toBeInstanceOf(MergeError);
		const merged = await mergeLeads(handle.db, { leadIds: [aId, bId], survivorId: aId, choose: { company: bId, city: bId } }, actor);
		expect(merged).toEqual({ survivorId: aId, merged: [bId] });

		const [lead] = await handle.db.select().from(leads).where(eq(leads.id, aId));
		// chosen fields from B, the rest kept, and the pending row's empty field (position) filled in
		expect(lead).toMatchObject({ company: 'Martin & Fils', city: 'Paris', contactName: 'Ann Dupont', position: 'CEO' });
		const phones = await handle.db.select().from(leadPhones).where(eq(leadPhones.leadId, aId));
		expect(phones.map((p) => p.e164).sort()).toEqual(['+33140000001', '+33472000001', '+33472000002', '+33612345678']);
		const emails = await handle.db.select().from(leadEmails).where(eq(leadEmails.leadId, aId));
		expect(emails.map((e) => e.email).sort()).toEqual(['ann@dupont.fr', 'contact@martin.fr']);
		expect((await handle.db.select().from(calls).where(eq(calls.leadId, aId))).length).toBe(1);
		expect((await handle.db.select().from(notes).where(eq(notes.targetId, aId))).length).toBe(1);
		expect(await handle.db.select().from(leads).where(eq(leads.id, bId))).toEqual([]);
		const links = await handle.db.select().from(projectLeads).where(eq(projectLeads.leadId, aId));
		expect(links.map((l) => l.projectId).sort()).toEqual([projectId, otherProject].sort());
		const [c] = await handle.db.select().from(mergeCandidates);
		expect(c!.resolvedAt).not.toBeNull();
		const [audit] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'lead.merged'));
		expect(audit).toMatchObject({ target: aId, details: { merged: [bId] } });
		expect((await findDuplicateGroups(handle.db, { projectId })).filter((g) => g.kind === 'contact')).toEqual([]);
	});

	it('groups the same company in the same city despite legal forms, and remembers "keep apart"', async () => {
		const x = await add({ company: 'Boulangerie Petit S.A.R.L.', city: 'Nantes', phones: '02 40 00 00 01' });
		const y = await add({ company: 'boulangerie petit', city: 'NANTES', phones: '02 40 00 00 02' });
		const z = await add({ company: 'Boulangerie Petit', city: 'Rennes', phones: '02 99 00 00 01' });
		const ids = [x, y].map((r) => (r.outcome === 'created' ? r.leadId : ''));
		const groups = await findDuplicateGroups(handle.db, { projectId });
		const group = groups.find((g) => g.kind === 'company' && g.leads.some((l) => l.id === ids[0]));
		expect(group!.leads.map((l) => l.id).sort()).toEqual([...ids].sort());
		expect(groups.some((g) => g.leads.some((l) => z.outcome === 'created' && l.id === z.leadId))).toBe(false);
		// scoped to another project, the group is not shown
		expect((await findDuplicateGroups(handle.db, { projectId: otherProject })).some((g) => g.key === group!.key)).toBe(false);

		await keepApart(handle.db, ids, actor);
		expect((await findDuplicateGroups(handle.db, { projectId })).some((g) => g.key === group!.key)).toBe(false);
		const [audit] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'lead.kept_apart'));
		expect(audit!.details).toEqual({ leads: [...ids].sort() });
		expect((await handle.db.select().from(leads).where(inArray(leads.id, ids))).length).toBe(2);
	});
});
