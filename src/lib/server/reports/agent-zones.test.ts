/**
 * Whose zone makes an agent's day (agent-zones.ts), and `npm run rollups:rebuild` as an operator
 * runs it: a child process on an embedded DATA_DIR puts a call at 23:30 UTC of an agent working a
 * Paris project on the next (Paris) day, and a second run changes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript, type ScriptRun } from '../../../../tests/run-script';
import { openDatabase } from '../db';
import { agentDayStats, calls, projectAgents, projects, users } from '../db/schema';
import { createFixture } from '../leads/fixtures';
import { loadAgentZones } from './agent-zones';

const CLI = path.resolve(process.cwd(), 'src/lib/server/reports/rebuild-cli.ts');

function rebuild(args: string[], dataDir: string): Promise<ScriptRun> {
	return runScript(CLI, args, { DATA_DIR: dataDir, DATABASE_URL: '' });
}

describe('agent time zones and the rollups rebuild command', () => {
	const dirs: string[] = [];
	afterAll(async () => {
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it("an agent's day is their active project's zone, else their newest project's, else UTC", async () => {
		const handle = await openDatabase({ dataDir: 'memory://' });
		try {
			const db = handle.db;
			const paris = await createFixture(db, { agents: 2, leads: 1, timezone: 'Europe/Paris' });
			const tokyo = await createFixture(db, { agents: 1, leads: 1, timezone: 'Asia/Tokyo' });
			await db.update(projects).set({ status: 'done' }).where(eq(projects.id, tokyo.projectId));
			// Paris agent #0 also worked the (finished) Tokyo project: the active one wins
			await db.insert(projectAgents).values({ projectId: tokyo.projectId, userId: paris.agents[0]! });
			const [loner] = await db.insert(users).values({ email: 'loner@example.test', name: 'Loner', passwordHash: 'x', role: 'agent' }).returning({ id: users.id });
			const zones = await loadAgentZones(db);
			expect(zones.get(paris.agents[0]!)).toBe('Europe/Paris');
			expect(zones.get(paris.agents[1]!)).toBe('Europe/Paris');
			expect(zones.get(tokyo.agents[0]!)).toBe('Asia/Tokyo');
			expect(zones.get(loner!.id)).toBe('UTC');
			// only the agents asked for
			expect([...(await loadAgentZones(db, [tokyo.agents[0]!])).entries()]).toEqual([[tokyo.agents[0]!, 'Asia/Tokyo']]);
			expect((await loadAgentZones(db, [])).size).toBe(0);
		} finally {
			await handle.close();
		}
	});

	it('npm run rollups:rebuild counts a call at 23:30 UTC on the Paris agent’s next day, and a second run changes nothing', { timeout: 120_000 }, async () => {
		const dataDir = await mkdtemp(path.join(tmpdir(), 'sb-rebuild-'));
		dirs.push(dataDir);
		let agentId: string;
		let projectId: string;
		{
			const handle = await openDatabase({ dataDir });
			const f = await createFixture(handle.db, { agents: 1, leads: 1, timezone: 'Europe/Paris' });
			agentId = f.agents[0]!;
			projectId = f.projectId;
			// 2026-03-02 23:30 UTC = 2026-03-03 00:30 in Paris (UTC+1 in March)
			const at = new Date('2026-03-02T23:30:00Z');
			await handle.db.insert(calls).values({ pbx: 'sim', linkedid: 'late-1', direction: 'out', agentId, projectId, leadId: f.leads[0]!, startedAt: at, answeredAt: at, endedAt: new Date(at.getTime() + 90_000), talkSeconds: 90, dialStatus: 'ANSWER' });
			await handle.close();
		}
		const bad = await rebuild(['--from', '2026-13-01'], dataDir);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('--from "2026-13-01" is not a date');

		const first = await rebuild(['--from', '2026-03-01', '--to', '2026-03-05'], dataDir);
		expect(first.stderr).toBe('');
		expect(first.code).toBe(0);
		expect(JSON.parse(first.stdout)).toMatchObject({ from: '2026-03-01', to: '2026-03-05', rollup_rows_changed: 1 });
		const again = await rebuild(['--from', '2026-03-01', '--to', '2026-03-05'], dataDir);
		expect(JSON.parse(again.stdout)).toMatchObject({ rollup_rows_changed: 0, meeting_rows_changed: 0 });

		const handle = await openDatabase({ dataDir });
		try {
			const rows = await handle.db
				.select({ day: agentDayStats.day, dials: agentDayStats.dials, talk: agentDayStats.talkSeconds })
				.from(agentDayStats)
				.where(and(eq(agentDayStats.agentId, agentId), eq(agentDayStats.projectId, projectId)));
			expect(rows).toEqual([{ day: '2026-03-03', dials: 1, talk: 90 }]);
		} finally {
			await handle.close();
		}
	});
});
