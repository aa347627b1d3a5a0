import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, calls, meetings, teams, users } from '../db/schema';
import { createFixture } from '../leads/fixtures';
import { testDatabases } from '../db/testing';
import { createTeam } from '../users';
import { activeProjectCounts, allTeamThresholds, canEditTeam, editableTeams, projectsToday, readThresholdsForm, saveTeamThresholds } from './index';

function form(values: Record<string, string>): FormData {
	const f = new FormData();
	for (const [k, v] of Object.entries(values)) f.set(k, v);
	return f;
}

describe('reading the colours form', () => {
	it('keeps filled rows, leaves empty rows to the default and names the first problem', () => {
		expect(readThresholdsForm(form({ 'idle.yellow': '5', 'idle.orange': '10', 'idle.red': '20' }))).toEqual({
			ok: true,
			thresholds: { idle: [5, 10, 20] }
		});
		expect(readThresholdsForm(form({ 'idle.yellow': '5', 'idle.orange': '', 'idle.red': '20' }))).toEqual({
			ok: false,
			state: 'idle',
			problem: 'incomplete'
		});
		expect(readThresholdsForm(form({ 'paused.yellow': '50', 'paused.orange': '10', 'paused.red': '20' }))).toMatchObject({
			problem: 'not_ascending',
			state: 'paused'
		});
		expect(readThresholdsForm(form({ 'talking.yellow': '1.5', 'talking.orange': '10', 'talking.red': '20' }))).toMatchObject({
			problem: 'not_numbers'
		});
		expect(readThresholdsForm(form({ 'talking.yellow': '-1', 'talking.orange': '10', 'talking.red': '20' }))).toMatchObject({
			problem: 'negative'
		});
	});
});

describe.each(testDatabases())('team colour thresholds on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let teamA: string;
	let teamB: string;
	let managerId: string;
	beforeAll(async () => {
		handle = await open();
		const [u] = await handle.db
			.insert(users)
			.values({ email: 'm@floorcharts.test', name: 'M', role: 'manager', passwordHash: 'not-a-login' })
			.returning({ id: users.id });
		managerId = u!.id;
		teamA = await createTeam(handle.db, 'Team A', { id: null });
		teamB = await createTeam(handle.db, 'Team B', { id: null });
		// migrating a fresh PGlite takes long on a busy 2-core machine
	}, 240_000);
	afterAll(async () => {
		await handle?.close();
	});

	it('lets a supervisor edit only their teams, managers every team', async () => {
		const sup = { id: '', role: 'supervisor' as const, teamIds: [teamA] };
		expect(canEditTeam(sup, teamA)).toBe(true);
		expect(canEditTeam(sup, teamB)).toBe(false);
		expect(canEditTeam({ role: 'agent', teamIds: [teamA] }, teamA)).toBe(false);
		expect((await editableTeams(handle.db, sup)).map((t) => t.id)).toEqual([teamA]);
		expect((await editableTeams(handle.db, { role: 'manager', teamIds: [] })).length).toBe(2);
		expect(await saveTeamThresholds(handle.db, { id: '', role: 'supervisor', teamIds: [teamA] }, teamB, { idle: [1, 2, 3] })).toBe('forbidden');
	});

	it('stores, publishes and audits a change; an empty table goes back to the defaults', async () => {
		const manager = { id: managerId, role: 'manager' as const, teamIds: [] };
		expect(await saveTeamThresholds(handle.db, manager, teamA, { talking: [20, 120, 600] }, '127.0.0.1')).toBe('ok');
		expect(await allTeamThresholds(handle.db)).toEqual({ [teamA]: { talking: [20, 120, 600] } });
		const rows = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'team.thresholds_changed'));
		expect(rows.at(-1)).toMatchObject({ actorId: managerId, target: `team:${teamA}`, details: { before: null, after: { talking: [20, 120, 600] } } });
		expect(await saveTeamThresholds(handle.db, manager, teamA, {})).toBe('ok');
		const [row] = await handle.db.select({ t: teams.thresholds }).from(teams).where(eq(teams.id, teamA));
		expect(row!.t).toBeNull();
		expect(await allTeamThresholds(handle.db)).toEqual({});
		expect(await saveTeamThresholds(handle.db, manager, '00000000-0000-4000-8000-000000000000', {})).toBe('not_found');
	});

	it('counts no projects when none is active', async () => {
		expect(await activeProjectCounts(handle.db)).toEqual([]);
	});

	it("a project's day: dials, connects and meetings since the day began, targets × performers (engine-neutral parameters)", async () => {
		const f = await createFixture(handle.db, { agents: 3, leads: 2 });
		const since = new Date('2026-05-04T00:00:00Z');
		const at = (iso: string) => new Date(iso);
		const call = (linkedid: string, startedAt: Date, answered: boolean, direction: 'in' | 'out' = 'out') => ({
			pbx: 'pbx', linkedid, direction, projectId: f.projectId, leadId: f.leads[0]!, startedAt, answeredAt: answered ? startedAt : null
		});
		await handle.db.insert(calls).values([
			call('a', at('2026-05-04T08:00:00Z'), true),
			call('b', at('2026-05-04T09:00:00Z'), false),
			call('c', at('2026-05-04T09:30:00Z'), true, 'in'), // inbound: not a dial
			call('d', at('2026-05-03T23:59:59Z'), true) // the day before
		]);
		const meeting = (createdAt: Date) => ({ leadId: f.leads[0]!, projectId: f.projectId, startsAt: createdAt, endsAt: createdAt, createdAt });
		await handle.db.insert(meetings).values([meeting(at('2026-05-04T10:00:00Z')), meeting(at('2026-05-03T10:00:00Z'))]);
		const today = await projectsToday(handle.db, [f.projectId], since);
		// default targets: 100 calls and 2 meetings per agent a day, 3 performers
		expect(today.get(f.projectId)).toEqual({ dials: 2, connects: 1, meetings: 1, dialTarget: 300, meetingTarget: 6 });
		expect((await projectsToday(handle.db, [], since)).size).toBe(0);
	});
});
