import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, calls } from '../db/schema';
import { testDatabases } from '../db/testing';
import { createTeam, createUser } from '../users';
import {
	changeMember,
	createSkill,
	deleteSkill,
	InboundConflictError,
	listQueues,
	loadDesiredMembership,
	onInboundChanged,
	saveQueue,
	serviceLevelTable,
	setAgentLevel
} from './repo';

const actor = { id: null, ip: '127.0.0.1' };
const DAY = new Date('2026-03-02T00:00:00Z');
const at = (s: number) => new Date(DAY.getTime() + 9 * 3600_000 + s * 1000);

describe.each(testDatabases())('inbound repository on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let teamA: string;
	let anna: string;
	let bob: string;

	beforeAll(async () => {
		handle = await open();
		teamA = await createTeam(handle.db, 'A', actor);
		const user = (email: string, name: string, endpoint: string, teamIds: string[]) =>
			createUser(handle.db, { email, name, role: 'agent', password: 'correct horse battery', endpoint, teamIds }, actor);
		anna = await user('anna@x.test', 'Anna', 'PJSIP/1001', [teamA]);
		bob = await user('bob@x.test', 'Bob', 'PJSIP/1002', []);
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('skills, levels and queues make the desired membership; every change is announced and audited', async () => {
		const db = handle.db;
		let announced = 0;
		const off = onInboundChanged(() => announced++);
		const fr = await createSkill(db, ' French ', actor);
		await expect(createSkill(db, 'French', actor)).rejects.toThrow(InboundConflictError);
		await setAgentLevel(db, anna, fr, 8, actor);
		await setAgentLevel(db, bob, fr, 2, actor);
		await expect(setAgentLevel(db, bob, fr, 11, actor)).rejects.toThrow(/a level from 1 to 10/);
		await saveQueue(db, { name: 'fr', teamId: '', projectId: '', skills: [{ skillId: fr, minLevel: 3 }], serviceLevelSeconds: 15 }, actor);
		await saveQueue(db, { name: 'team-a', teamId: teamA, projectId: '', skills: [], serviceLevelSeconds: 20 }, actor);
		const desired = await loadDesiredMembership(db);
		expect([...desired.get('fr')!.entries()]).toEqual([['PJSIP/1001', { agentId: anna, name: 'Anna', penalty: 2, source: 'skills' }]]);
		expect([...desired.get('team-a')!.keys()]).toEqual(['PJSIP/1001']);

		await changeMember(db, 'fr', bob, { kind: 'add', penalty: 4 }, actor);
		expect((await loadDesiredMembership(db)).get('fr')!.get('PJSIP/1002')).toMatchObject({ penalty: 4, source: 'override' });
		await changeMember(db, 'fr', bob, { kind: 'reset' }, actor);
		expect((await loadDesiredMembership(db)).get('fr')!.has('PJSIP/1002')).toBe(false);

		// a deleted skill is no longer required by any queue
		await deleteSkill(db, fr, actor);
		expect((await listQueues(db)).find((q) => q.name === 'fr')!.skills).toEqual([]);
		off();
		expect(announced).toBe(8);
		const rows = await db.select({ action: auditLog.action }).from(auditLog);
		expect(rows.filter((r) => r.action === 'skill.changed')).toHaveLength(4);
		expect(rows.filter((r) => r.action === 'queue.changed')).toHaveLength(2);
		expect(rows.filter((r) => r.action === 'queue.member_changed')).toHaveLength(2);
	});

	it('refuses bad queue input with the field that is wrong', async () => {
		const db = handle.db;
		await expect(saveQueue(db, { name: 'bad name\r\nAction: Originate', skills: [], serviceLevelSeconds: 20 }, actor)).rejects.toThrow(/queues\.conf/);
		await expect(saveQueue(db, { name: 'ok', skills: [], serviceLevelSeconds: 0 }, actor)).rejects.toThrow(/1 to 3600/);
		await expect(saveQueue(db, { name: 'fr', skills: [], serviceLevelSeconds: 20 }, actor)).rejects.toThrow(/already managed/);
		await expect(changeMember(db, 'nope', bob, { kind: 'remove' }, actor)).rejects.toThrow(/not managed/);
	});

	it('computes the daily service level from inbound calls: offered, answered within the threshold, abandoned, waits', async () => {
		const db = handle.db;
		const base = { pbx: 'sim', direction: 'in' as const, queue: 'fr' };
		await db.insert(calls).values([
			// answered after 10 s and 15 s (within 15), after 40 s (not), one abandon, one still waiting
			// (offered, not abandoned), one outbound and one of the next day ignored
			{ ...base, linkedid: 'a1', agentId: anna, startedAt: at(0), answeredAt: at(10) },
			{ ...base, linkedid: 'a2', agentId: anna, startedAt: at(100), answeredAt: at(115) },
			{ ...base, linkedid: 'a3', agentId: bob, startedAt: at(200), answeredAt: at(240) },
			{ ...base, linkedid: 'a4', startedAt: at(300), endedAt: at(330) },
			{ ...base, linkedid: 'w1', startedAt: at(350) },
			{ ...base, linkedid: 'o1', direction: 'out', agentId: anna, startedAt: at(400), answeredAt: at(405) },
			{ ...base, linkedid: 'n1', agentId: anna, startedAt: new Date(DAY.getTime() + 86_400_000), answeredAt: new Date(DAY.getTime() + 86_401_000) }
		]);
		const rows = await serviceLevelTable(db, DAY, new Date(DAY.getTime() + 86_400_000));
		expect(rows).toEqual([
			{ queue: 'fr', offered: 5, answered: 3, answeredInSl: 2, abandoned: 1, avgWaitSeconds: 65 / 3, longestWaitSeconds: 40, serviceLevelSeconds: 15 }
		]);
		expect(await db.select().from(calls).where(eq(calls.linkedid, 'a4'))).toHaveLength(1);
	});
});
