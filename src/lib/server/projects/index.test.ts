import { eq } from 'drizzle-orm';
import { ZodError } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, dispositions, users } from '../db/schema';
import { testDatabases } from '../db/testing';
import { DEFAULT_DISPOSITIONS } from './default-dispositions';
import {
	createProject,
	DispositionTableError,
	dispositionRowsFromForm,
	getProject,
	listDispositions,
	listPerformers,
	listProjects,
	saveDispositions,
	setPerformers,
	setProjectStatus,
	TransitionError,
	updateProjectSettings,
	updateScript,
	workingHoursFromForm
} from './index';

const actor = { id: null, ip: '127.0.0.1' };

function formRows(list: Record<string, string>[]) {
	const form: Record<string, string> = {};
	list.forEach((row, i) => {
		for (const [k, v] of Object.entries(row)) form[`${k}_${i}`] = v;
	});
	return dispositionRowsFromForm(form);
}

describe.each(testDatabases())('projects repository on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('creates a project with the default call intensity and an audit row', async () => {
		const id = await createProject(handle.db, { name: '  Spring campaign ', defaultRegion: 'fr', timezone: 'Europe/Paris' }, actor);
		const p = await getProject(handle.db, id);
		expect(p).toMatchObject({ name: 'Spring campaign', status: 'draft', defaultRegion: 'FR', timezone: 'Europe/Paris' });
		const ds = await listDispositions(handle.db, id);
		expect(ds.map((d) => d.code)).toEqual(DEFAULT_DISPOSITIONS.map((d) => d.code));
		expect(ds.find((d) => d.code === 'no_answer')).toMatchObject({ retryAfter: 7200, maxAttempts: 5, hotkey: 1 });
		const logs = await handle.db.select().from(auditLog).where(eq(auditLog.target, id));
		expect(logs.map((l) => l.action)).toEqual(['project.created']);
		expect((await listProjects(handle.db)).map((r) => r.name)).toContain('Spring campaign');
	});

	it('refuses invalid settings field by field', async () => {
		const id = await createProject(handle.db, { name: 'Checks' }, actor);
		const attempt = updateProjectSettings(
			handle.db,
			id,
			{ name: '', timezone: 'Mars/Olympus', defaultRegion: 'ZZ', targetCalls: '-1', workingHours: { 1: ['18:00', '09:00'] } },
			actor
		);
		await expect(attempt).rejects.toThrow(ZodError);
		const error = (await attempt.catch((e: unknown) => e)) as ZodError;
		const fields = new Set(error.issues.map((i) => String(i.path[0])));
		expect([...fields].sort()).toEqual(['defaultRegion', 'name', 'targetCalls', 'timezone', 'workingHours']);
	});

	it('saves settings, working hours and the script', async () => {
		const id = await createProject(handle.db, { name: 'Hours' }, actor);
		const workingHours = workingHoursFromForm({ wh_1_on: 'on', wh_1_from: '09:00', wh_1_to: '18:00', wh_2_from: '10:00' });
		await updateProjectSettings(
			handle.db,
			id,
			{ name: 'Hours', timezone: 'Europe/Paris', defaultRegion: 'FR', callerId: '+33 1 23 45 67 89', targetCalls: '80', targetTalkMinutes: '90', targetMeetings: '3', workingHours },
			actor
		);
		await updateScript(handle.db, id, { script: '# Hello {{lead.contact}}' }, actor);
		expect(await getProject(handle.db, id)).toMatchObject({
			workingHours: { days: { 1: ['09:00', '18:00'] } },
			targetCalls: 80,
			callerId: '+33 1 23 45 67 89',
			script: '# Hello {{lead.contact}}'
		});
	});

	it('moves through statuses and archives', async () => {
		const id = await createProject(handle.db, { name: 'Lifecycle' }, actor);
		await setProjectStatus(handle.db, id, 'active', actor);
		await setProjectStatus(handle.db, id, 'paused', actor);
		await setProjectStatus(handle.db, id, 'done', actor);
		const p = await getProject(handle.db, id);
		expect(p?.status).toBe('done');
		expect(p?.archivedAt).toBeInstanceOf(Date);
		expect((await listProjects(handle.db)).map((r) => r.id)).not.toContain(id);
		expect((await listProjects(handle.db, { archived: true })).map((r) => r.id)).toContain(id);
		await expect(setProjectStatus(handle.db, id, 'active', actor)).rejects.toThrow(TransitionError);
	});

	it('edits the dispositions table, keeping ids and refusing duplicate hotkeys', async () => {
		const id = await createProject(handle.db, { name: 'Intensity' }, actor);
		const before = await listDispositions(handle.db, id);
		const noAnswer = before.find((d) => d.code === 'no_answer')!;
		const busy = before.find((d) => d.code === 'busy')!;
		// swap the hotkeys of two rows, change a retry, drop the rest, add one
		await saveDispositions(
			handle.db,
			id,
			formRows([
				{ id: noAnswer.id, code: 'no_answer', label: 'No answer', hotkey: '2', kind: 'failure', retryMinutes: '60', maxAttempts: '4' },
				{ id: busy.id, code: 'busy', label: 'Busy', hotkey: '1', kind: 'failure', retryMinutes: '15', maxAttempts: '5' },
				{ code: 'meeting', label: 'Meeting', hotkey: '9', kind: 'success', retryMinutes: '', maxAttempts: '', isContact: 'on', isMeeting: 'on' }
			]),
			actor
		);
		const after = await listDispositions(handle.db, id);
		expect(after.map((d) => [d.code, d.hotkey, d.retryAfter])).toEqual([
			['no_answer', 2, 3600],
			['busy', 1, 900],
			['meeting', 9, null]
		]);
		expect(after[0]!.id).toBe(noAnswer.id);
		expect(after[2]).toMatchObject({ isContact: true, isMeeting: true, marksPhoneBad: false });

		const bad = saveDispositions(
			handle.db,
			id,
			formRows([
				{ code: 'a', label: 'A', hotkey: '3', kind: 'final' },
				{ code: 'b', label: 'B', hotkey: '3', kind: 'final' },
				{ code: 'Bad code!', label: '', hotkey: '12', kind: 'nope' }
			]),
			actor
		);
		await expect(bad).rejects.toThrow(DispositionTableError);
		const { errors } = (await bad.catch((e: unknown) => e)) as DispositionTableError;
		expect(Object.keys(errors).sort()).toEqual(['code_2', 'hotkey_1', 'hotkey_2', 'kind_2', 'label_2']);
		expect((await handle.db.select().from(dispositions).where(eq(dispositions.projectId, id))).length).toBe(3);
	});

	it('sets performers (agents only) with an audit row', async () => {
		const id = await createProject(handle.db, { name: 'Team' }, actor);
		const [agent] = await handle.db.insert(users).values({ email: `a${Date.now()}@x.test`, name: 'A', passwordHash: 'x', role: 'agent' }).returning();
		const [boss] = await handle.db.insert(users).values({ email: `m${Date.now()}@x.test`, name: 'M', passwordHash: 'x', role: 'manager' }).returning();
		await setPerformers(handle.db, id, [agent!.id], actor);
		expect(await listPerformers(handle.db, id)).toEqual([agent!.id]);
		await expect(setPerformers(handle.db, id, [boss!.id], actor)).rejects.toThrow(/only agents/);
		await setPerformers(handle.db, id, [], actor);
		expect(await listPerformers(handle.db, id)).toEqual([]);
		const logs = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'project.performers_changed'));
		expect(logs.length).toBe(2);
	});
});
