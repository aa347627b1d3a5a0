import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, dnc, leadPhones } from '../db/schema';
import { testDatabases } from '../db/testing';
import { addToDnc, dncSet, DncInputError, importDnc, isOnDnc, removeFromDnc, searchDnc } from './dnc';
import { dialTarget } from './dial';
import { claimNextLead } from './hopper';
import { createFixture } from './fixtures';

const NOW = new Date('2026-11-25T10:00:00Z');

describe.each(testDatabases())('do-not-call list on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});
	const actor = { id: null, ip: '127.0.0.1' };

	it('adds a number written the national way as E.164, once, and audits it', async () => {
		const db = handle.db;
		expect(await addToDnc(db, { phone: '01 45 67 89 10', region: 'FR', reason: 'asked' }, actor)).toEqual({ e164: '+33145678910', added: true });
		expect(await addToDnc(db, { phone: '+33 1 45 67 89 10', region: 'US' }, actor)).toEqual({ e164: '+33145678910', added: false });
		expect(await isOnDnc(db, '+33145678910')).toBe(true);
		const audits = await db.select().from(auditLog).where(eq(auditLog.target, '+33145678910'));
		expect(audits.map((a) => a.action)).toEqual(['dnc.added']);
	});

	it('refuses a bad number or region with a specific message', async () => {
		await expect(addToDnc(handle.db, { phone: '12', region: 'FR' }, actor)).rejects.toThrow(/not a valid phone number for region FR/);
		await expect(addToDnc(handle.db, { phone: '0145678910', region: 'XX' }, actor)).rejects.toBeInstanceOf(DncInputError);
	});

	it('imports a file of numbers: any layout, duplicates and bad lines counted, in one audited step', async () => {
		const file = '\uFEFFnumber;comment\n01 45 00 00 01;asked\n+33145000002\n\n01 45 00 00 01\nnot a number\n0033 1 45 67 89 10\n';
		const r = await importDnc(handle.db, { bytes: Buffer.from(file), region: 'FR', fileName: 'optout.csv' }, actor);
		expect(r).toMatchObject({ lines: 6, added: 2, already: 2, invalid: 2 });
		expect(r.rejected.map((x) => x.line)).toEqual([1, 6]);
		expect(await dncSet(handle.db, ['+33145000001', '+33145000002', '+33145000003'])).toEqual(new Set(['+33145000001', '+33145000002']));
		const [a] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'dnc.imported'));
		expect(a!.details).toMatchObject({ added: 2, invalid: 2 });
	});

	it('searches by any part of the number or by the national form, and removes', async () => {
		const db = handle.db;
		expect((await searchDnc(db, '45 00 00')).rows.map((r) => r.e164).sort()).toEqual(['+33145000001', '+33145000002']);
		expect((await searchDnc(db, '01 45 00 00 02', { region: 'FR' })).rows.map((r) => r.e164)).toEqual(['+33145000002']);
		expect((await searchDnc(db, '')).total).toBe(3);
		expect(await removeFromDnc(db, '+33145000002', actor)).toBe(true);
		expect(await removeFromDnc(db, '+33145000002', actor)).toBe(false);
		expect(await isOnDnc(db, '+33145000002')).toBe(false);
	});

	it('keeps a listed number from the hopper and from click-to-call', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 1, leads: 1 });
		const agent = f.agents[0]!;
		const claim = await claimNextLead(db, { agentId: agent, projectId: f.projectId, now: NOW });
		expect(claim.ok).toBe(true);
		const [phone] = await db.select().from(leadPhones).where(eq(leadPhones.id, f.phones[0]!));
		// listed while the agent holds the lead: the dial is refused
		await addToDnc(db, { phone: phone!.e164, region: 'FR' }, actor);
		expect(await dialTarget(db, agent, f.leads[0]!, f.phones[0]!, NOW)).toEqual({ ok: false, reason: 'dnc' });
		await db.delete(dnc).where(eq(dnc.e164, phone!.e164));
		expect((await dialTarget(db, agent, f.leads[0]!, f.phones[0]!, NOW)).ok).toBe(true);
	});
});
