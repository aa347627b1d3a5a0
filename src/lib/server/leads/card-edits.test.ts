import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, leads, notes } from '../db/schema';
import { testDatabases } from '../db/testing';
import { addLeadNote, updatePortrait } from './card-edits';
import { createFixture } from './fixtures';
import { claimNextLead } from './hopper';

describe.each(testDatabases())('lead card edits on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('lets the claim holder edit the portrait (audited by key) and add notes; nobody else', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 1 });
		const [me, other] = f.agents as [string, string];
		const lead = f.leads[0]!;
		await expect(updatePortrait(db, me, lead, { fleet: '12' })).rejects.toMatchObject({ code: 'not_yours' });
		expect((await claimNextLead(db, { agentId: me, projectId: f.projectId })).ok).toBe(true);
		expect(await updatePortrait(db, me, lead, { fleet: '12 vans', renewal: 'March' })).toEqual(['fleet', 'renewal']);
		expect(await updatePortrait(db, me, lead, { fleet: '14 vans', renewal: '' })).toEqual(['fleet', 'renewal']);
		expect(await updatePortrait(db, me, lead, { fleet: '14 vans' })).toEqual([]);
		await expect(updatePortrait(db, other, lead, { fleet: '1' })).rejects.toMatchObject({ code: 'not_yours' });
		await expect(updatePortrait(db, me, lead, { ['x'.repeat(61)]: 'v' })).rejects.toMatchObject({ code: 'bad_request' });
		const [row] = await db.select({ portrait: leads.portrait }).from(leads).where(eq(leads.id, lead));
		expect(row?.portrait).toEqual({ fleet: '14 vans' });
		const trail = await db.select({ details: auditLog.details }).from(auditLog).where(and(eq(auditLog.action, 'lead.updated'), eq(auditLog.target, lead)));
		expect(trail.map((t) => t.details)).toEqual([{ portrait: ['fleet', 'renewal'] }, { portrait: ['fleet', 'renewal'] }]);

		await addLeadNote(db, me, lead, '  prefers mornings ');
		await expect(addLeadNote(db, me, lead, '   ')).rejects.toMatchObject({ code: 'bad_request' });
		await expect(addLeadNote(db, other, lead, 'hi')).rejects.toMatchObject({ code: 'not_yours' });
		const ns = await db.select({ body: notes.body, author: notes.authorId }).from(notes).where(and(eq(notes.target, 'lead'), eq(notes.targetId, lead)));
		expect(ns).toEqual([{ body: 'prefers mornings', author: me }]);
	});
});
