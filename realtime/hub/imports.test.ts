import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, ImportProgressEvent, ServerToClientEvents } from '../../src/lib/protocol';
import { createSession } from '../../src/lib/server/auth/session';
import { imports, leads, projects } from '../../src/lib/server/db/schema';
import { createImport } from '../../src/lib/server/leads/import';
import { cancelImport } from '../../src/lib/server/leads/imports';
import { cancelRun, startRun, waitForRun } from '../../src/lib/server/leads/runs';
import { listUsers } from '../../src/lib/server/users';
import { expectedCounts, writeLeadCsv } from '../../tests/bench/lib/lead-files';
import { startLiveSpine, type LiveSpine } from '../testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('import progress over the hub', () => {
	let spine: LiveSpine;
	let dir: string;
	let csv: string;
	const ROWS = 3000;
	const sockets: ClientSocket[] = [];

	async function client(role: 'manager' | 'agent'): Promise<ClientSocket> {
		const db = spine.services.database.db;
		const user = (await listUsers(db, { role }))[0]!;
		const { token } = await createSession(db, user.id, { days: 1, verified: true });
		const s: ClientSocket = connect(spine.url, { transports: ['websocket'], extraHeaders: { cookie: `sb_session=${token}` }, reconnection: false, forceNew: true });
		sockets.push(s);
		await new Promise<void>((resolve, reject) => {
			s.on('connect', () => resolve());
			s.on('connect_error', reject);
		});
		return s;
	}

	const watch = (s: ClientSocket, projectId: string) => new Promise<Ack>((resolve) => s.emit('import:watch', { projectId }, resolve));

	async function newProject(name: string): Promise<string> {
		const [p] = await spine.services.database.db.insert(projects).values({ name, defaultRegion: 'FR' }).returning();
		return p!.id;
	}

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 2, leads: 0, seed: 3 });
		dir = await mkdtemp(path.join(tmpdir(), 'sb-import-hub-'));
		csv = path.join(dir, 'leads.csv');
		await writeLeadCsv(csv, ROWS);
	});
	afterAll(async () => {
		for (const s of sockets) s.close();
		await spine?.close();
		await rm(dir, { recursive: true, force: true });
	});

	it('refuses agents and bad project ids', async () => {
		const agent = await client('agent');
		expect(await watch(agent, '00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		const manager = await client('manager');
		expect(await watch(manager, 'nope')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
	});

	it('sends every committed batch and the end to the managers watching that project only', async () => {
		const db = spine.services.database.db;
		const projectId = await newProject('Live');
		const otherId = await newProject('Other');
		const watcher = await client('manager');
		const elsewhere = await client('manager');
		expect(await watch(watcher, projectId)).toEqual({ ok: true, data: null });
		expect(await watch(elsewhere, otherId)).toEqual({ ok: true, data: null });
		const seen: ImportProgressEvent[] = [];
		const strays: ImportProgressEvent[] = [];
		elsewhere.on('import:progress', (e) => strays.push(e));
		const finished = new Promise<void>((resolve) =>
			watcher.on('import:progress', (e) => {
				seen.push(e);
				if (e.status !== 'running') resolve();
			})
		);
		const importId = await createImport(db, { projectId, fileName: 'leads.csv', filePath: csv });
		await db.update(imports).set({ status: 'running' }).where(eq(imports.id, importId));
		startRun(db, csv, { importId, fileName: 'leads.csv', projectId, region: 'FR', dataDir: dir, batchSize: 500 });
		await finished;
		const want = expectedCounts(ROWS);
		expect(seen.map((e) => e.status)).toEqual([...Array(ROWS / 500).fill('running'), 'done']);
		expect(seen.map((e) => e.processed)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3000]);
		expect(seen.at(-1)).toMatchObject({ importId, projectId, created: want.created, merged: want.merged, invalid: want.invalid, bytesTotal: expect.any(Number) });
		expect(seen.at(-2)!.bytesRead).toBe(seen.at(-2)!.bytesTotal);
		expect(strays).toEqual([]);
	});

	it('cancels at a batch boundary: committed batches stay, the batch in flight is rolled back', async () => {
		const db = spine.services.database.db;
		const projectId = await newProject('Cancel');
		const watcher = await client('manager');
		await watch(watcher, projectId);
		const importId = await createImport(db, { projectId, fileName: 'leads.csv', filePath: csv });
		await db.update(imports).set({ status: 'running' }).where(eq(imports.id, importId));
		const seen: ImportProgressEvent[] = [];
		const finished = new Promise<void>((resolve) =>
			watcher.on('import:progress', (e) => {
				seen.push(e);
				// the manager presses cancel as soon as the first batch shows up
				if (e.status === 'running' && seen.length === 1) void cancelImport(db, importId).then(() => cancelRun(importId));
				if (e.status !== 'running') resolve();
			})
		);
		startRun(db, csv, { importId, fileName: 'leads.csv', projectId, region: 'FR', dataDir: dir, batchSize: 500 });
		await finished;
		await waitForRun(importId);
		const [row] = await db.select().from(imports).where(eq(imports.id, importId));
		expect(row!.status).toBe('cancelled');
		expect(row!.total % 500).toBe(0);
		expect(row!.total).toBeLessThan(ROWS);
		expect(seen.at(-1)!.status).toBe('cancelled');
		// the rows counted are exactly the rows written: nothing of a half batch
		const created = await db.select({ id: leads.id }).from(leads).where(eq(leads.importId, importId));
		expect(created.length).toBe(row!.created);
	});
});
