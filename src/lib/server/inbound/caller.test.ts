import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { calls, leads, projectAgents, projects } from '../db/schema';
import { testDatabases } from '../db/testing';
import { addLeadManually } from '../leads/manual';
import { createProject } from '../projects';
import { createUser } from '../users';
import { agentRegion, lookupCaller } from './caller';

const actor = { id: null, ip: '127.0.0.1' };

describe.each(testDatabases())('inbound caller lookup on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let agent: string;
	let projectId: string;

	beforeAll(async () => {
		handle = await open();
		const db = handle.db;
		agent = await createUser(db, { email: 'ines@x.test', name: 'Inès', role: 'agent', password: 'correct horse battery', endpoint: 'PJSIP/1001', teamIds: [] }, actor);
		projectId = await createProject(db, { name: 'Paris', defaultRegion: 'FR', timezone: 'Europe/Paris' }, actor);
		await db.update(projects).set({ status: 'active' }).where(eq(projects.id, projectId));
		await db.insert(projectAgents).values({ projectId, userId: agent });
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('reads the caller number with the agent project region and finds the lead with its history', async () => {
		const db = handle.db;
		expect(await agentRegion(db, agent)).toBe('FR');
		const added = await addLeadManually(db, projectId, { company: 'Atelier Nova', contact: 'Léa Martin', phones: '01 42 00 00 01' }, actor);
		expect(added.outcome).toBe('created');
		const leadId = added.outcome === 'created' ? added.leadId : '';
		await db.insert(calls).values({ pbx: 'sim', linkedid: 'c1', direction: 'out', leadId, projectId, agentId: agent, startedAt: new Date('2026-11-20T10:00:00Z'), talkSeconds: 42 });

		// a national number as the trunk delivers it
		const found = await lookupCaller(db, '0142000001', 'FR');
		expect(found).toMatchObject({ e164: '+33142000001', lead: { id: leadId, company: 'Atelier Nova', contactName: 'Léa Martin', phones: ['+33142000001'], blocked: false } });
		expect(found.lead?.projects).toEqual([{ project: 'Paris', status: 'new', disposition: null }]);
		expect(found.lead?.lastCalls).toHaveLength(1);
		expect(found.lead?.lastCalls[0]).toMatchObject({ talkSeconds: 42, agent: 'Inès' });
	});

	it('an unknown or unreadable number has no card; an erased lead is never shown', async () => {
		const db = handle.db;
		expect(await lookupCaller(db, '+33 1 42 00 00 99', 'FR')).toEqual({ number: '+33 1 42 00 00 99', e164: '+33142000099', lead: null });
		expect(await lookupCaller(db, 'anonymous', 'FR')).toEqual({ number: 'anonymous', e164: null, lead: null });
		const added = await addLeadManually(db, projectId, { company: 'Gone', phones: '01 42 00 00 02' }, actor);
		const leadId = added.outcome === 'created' ? added.leadId : '';
		await db.update(leads).set({ erasedAt: new Date() }).where(eq(leads.id, leadId));
		expect((await lookupCaller(db, '0142000002', 'FR')).lead).toBeNull();
	});
});
