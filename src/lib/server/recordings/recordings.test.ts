import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../auth/types';
import type { DatabaseHandle } from '../db';
import { calls, projectAgents, teamMembers, teams, users } from '../db/schema';
import { testDatabases } from '../db/testing';
import { createFixture } from '../leads/fixtures';
import { recordingFor } from './access';
import { resolveRecording } from './files';
import { audioType, parseRange } from './range';

describe('byte ranges', () => {
	it('serves one range, a suffix, an open end, and refuses what the file cannot satisfy', () => {
		expect(parseRange(null, 100)).toEqual({ kind: 'full' });
		expect(parseRange('bytes=0-', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
		expect(parseRange('bytes=10-19', 100)).toEqual({ kind: 'partial', start: 10, end: 19 });
		expect(parseRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
		expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
		expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=20-10', 100)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=0-1,5-9', 100)).toEqual({ kind: 'full' });
		expect(parseRange('items=0-1', 100)).toEqual({ kind: 'full' });
		expect(audioType('a/b.WAV')).toBe('audio/wav');
		expect(audioType('noext')).toBe('application/octet-stream');
	});
});

describe('recording files', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'sb-rec-'));
		await mkdir(path.join(dir, 'recordings', 'day'), { recursive: true });
		await writeFile(path.join(dir, 'recordings', 'day', 'a.wav'), 'RIFF');
		await writeFile(path.join(dir, 'secret.txt'), 'secret');
		await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'recordings', 'link.wav'));
	});
	afterAll(() => rm(dir, { recursive: true, force: true }));

	it('resolves only files inside the recordings root', async () => {
		const root = path.join(dir, 'recordings');
		expect(await resolveRecording(root, 'day/a.wav')).toEqual({ file: path.join(root, 'day', 'a.wav'), size: 4 });
		expect(await resolveRecording(root, '../secret.txt')).toBeNull();
		expect(await resolveRecording(root, 'day/../../secret.txt')).toBeNull();
		expect(await resolveRecording(root, path.join(dir, 'secret.txt'))).toBeNull();
		expect(await resolveRecording(root, 'link.wav')).toBeNull(); // a symlink pointing out
		expect(await resolveRecording(root, 'day')).toBeNull(); // a directory
		expect(await resolveRecording(root, 'missing.wav')).toBeNull();
		expect(await resolveRecording(root, 'a\0.wav')).toBeNull();
	});
});

describe.each(testDatabases())('who may hear a recording on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('lets the agent, their project colleagues, their team supervisor and managers in — nobody else', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 1 });
		const other = await createFixture(db, { agents: 1, leads: 1 });
		const [agent, colleague] = f.agents as [string, string];
		const outsider = other.agents[0]!;
		const [team] = await db.insert(teams).values({ name: `T ${f.projectId}` }).returning({ id: teams.id });
		const [otherTeam] = await db.insert(teams).values({ name: `U ${f.projectId}` }).returning({ id: teams.id });
		await db.insert(teamMembers).values({ teamId: team!.id, userId: agent });
		const [sup] = await db.insert(users).values({ email: `sup.${f.projectId}@example.test`, name: 'Sup', passwordHash: 'x', role: 'supervisor' }).returning({ id: users.id });
		await db.insert(projectAgents).values({ projectId: other.projectId, userId: colleague }).onConflictDoNothing();
		const [call] = await db
			.insert(calls)
			.values({ pbx: 'sim', linkedid: `rec-${f.projectId}`, direction: 'out', projectId: f.projectId, leadId: f.leads[0]!, agentId: agent, startedAt: new Date(), recordingPath: 'x.wav' })
			.returning({ id: calls.id });
		const who = (id: string, role: SessionUser['role'], teamIds: string[] = []): SessionUser => ({ id, email: '', name: '', role, locale: null, teamIds, hasTotp: false });
		expect(await recordingFor(db, who(agent, 'agent'), call!.id)).toBe('x.wav');
		expect(await recordingFor(db, who(colleague, 'agent'), call!.id)).toBe('x.wav');
		expect(await recordingFor(db, who(outsider, 'agent'), call!.id)).toBeNull();
		expect(await recordingFor(db, who(sup!.id, 'supervisor', [team!.id]), call!.id)).toBe('x.wav');
		expect(await recordingFor(db, who(sup!.id, 'supervisor', [otherTeam!.id]), call!.id)).toBeNull();
		expect(await recordingFor(db, who(sup!.id, 'supervisor', []), call!.id)).toBeNull();
		expect(await recordingFor(db, who(outsider, 'manager'), call!.id)).toBe('x.wav');
	});
});
