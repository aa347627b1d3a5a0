/** Cockpit persistence on PGlite and Postgres: alert dedupe/claim/resolve, rules, messages, notes, moves. */
import { ALERT_KINDS } from '$lib/cockpit/alert-rules';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, projectAgents, projects } from '../db/schema';
import { testDatabases } from '../db/testing';
import { seedDemo } from '../demo/seed';
import { listUsers } from '../users';
import { alertHistory, openAlerts, raiseAlerts, updateAlert } from './alerts';
import { agentMessages, broadcastMessage, markRead, sendMessage } from './messages';
import { moveAgent, projectChoices } from './moves';
import { addAgentNote, agentNotes, removeAgentNote } from './notes';
import { saveTeamSettings, teamSettings } from './settings';

describe.each(testDatabases())('cockpit persistence on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let teamA: string;
	let teamB: string;
	let sophie: string; // supervisor of A
	let sam: string; // supervisor of B
	let agentA: string;
	let agentA2: string;

	beforeAll(async () => {
		handle = await open();
		await seedDemo(handle.db, { agents: 4, leads: 5, seed: 3 });
		const sups = await listUsers(handle.db, { role: 'supervisor' });
		sophie = sups.find((u) => u.name.startsWith('Sophie'))!.id;
		sam = sups.find((u) => u.name.startsWith('Sam'))!.id;
		teamA = sups.find((u) => u.id === sophie)!.teamIds[0]!;
		teamB = sups.find((u) => u.id === sam)!.teamIds[0]!;
		const agents = (await listUsers(handle.db, { role: 'agent' })).filter((a) => a.teamIds.includes(teamA));
		agentA = agents[0]!.id;
		agentA2 = agents[1]!.id;
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('raises one open alert per kind + subject + team; claim is first come; resolve closes it and allows a new one', async () => {
		const wanted = {
			kind: 'paused_too_long' as const,
			subject: agentA,
			subjectName: 'Agent',
			teamId: teamA,
			details: { minutes: 16 }
		};
		const [first] = await raiseAlerts(handle.db, [wanted]);
		expect(first).toMatchObject({
			kind: 'paused_too_long',
			subject: agentA,
			subjectName: 'Agent',
			teamId: teamA,
			details: { minutes: 16 },
			claimedBy: null
		});
		expect(await raiseAlerts(handle.db, [wanted])).toEqual([]);

		expect(await updateAlert(handle.db, { id: sam, teams: [teamB] }, first!.id, 'claim')).toEqual({
			ok: false,
			reason: 'forbidden'
		});
		const claimed = await updateAlert(handle.db, { id: sophie, teams: [teamA] }, first!.id, 'claim');
		expect(claimed).toMatchObject({
			ok: true,
			alert: { claimedBy: sophie, claimedByName: 'Sophie Supervisor' }
		});
		// a manager (every team) cannot take over someone else's claim
		expect(await updateAlert(handle.db, { id: sam, teams: null }, first!.id, 'claim')).toEqual({
			ok: false,
			reason: 'claimed'
		});

		expect((await openAlerts(handle.db, [teamA])).map((a) => a.id)).toContain(first!.id);
		expect(await openAlerts(handle.db, [teamB])).toEqual([]);

		const resolved = await updateAlert(handle.db, { id: sophie, teams: [teamA] }, first!.id, 'resolve');
		expect(resolved.ok && resolved.alert.resolvedAt).toBeGreaterThan(0);
		expect(await updateAlert(handle.db, { id: sophie, teams: [teamA] }, first!.id, 'resolve')).toEqual({
			ok: false,
			reason: 'resolved'
		});
		expect(await raiseAlerts(handle.db, [wanted])).toHaveLength(1);

		expect((await alertHistory(handle.db, null, { status: 'resolved' })).map((a) => a.id)).toEqual([
			first!.id
		]);
		expect(await alertHistory(handle.db, [teamB], {})).toEqual([]);
		const audits = await handle.db.select().from(auditLog).where(eq(auditLog.target, first!.id));
		expect(audits.map((a) => a.action).sort()).toEqual(['alert.claimed', 'alert.resolved']);
	});

	it('rules are completed with defaults and saved per team', async () => {
		const before = (await teamSettings(handle.db, [teamA]))[0]!;
		expect(before.rules.find((r) => r.kind === 'paused_too_long')).toEqual({
			kind: 'paused_too_long',
			enabled: true,
			threshold: 15
		});
		expect(before.coachNotice).toBeNull();
		await saveTeamSettings(handle.db, sophie, teamA, {
			rules: [{ kind: 'paused_too_long', enabled: true, threshold: 0.5 }],
			coachNotice: 'Coach on the line'
		});
		await saveTeamSettings(handle.db, sophie, teamA, {
			rules: [{ kind: 'paused_too_long', enabled: true, threshold: 2 }],
			coachNotice: 'Your coach is on the line'
		});
		const after = (await teamSettings(handle.db, [teamA]))[0]!;
		// every kind, the ones not sent completed with defaults
		expect(after.rules.map((r) => r.kind).sort()).toEqual([...ALERT_KINDS].sort());
		expect(after.rules.find((r) => r.kind === 'paused_too_long')!.threshold).toBe(2);
		expect(after.coachNotice).toBe('Your coach is on the line');
		expect((await teamSettings(handle.db, [teamB]))[0]!.coachNotice).toBeNull();
	});

	it('a message and a team broadcast reach each agent, who marks only their own copy read', async () => {
		const direct = await sendMessage(handle.db, sophie, agentA, 'Please take a break at 11');
		expect(direct).toMatchObject({ fromName: 'Sophie Supervisor', teamId: null, readAt: null });
		const copies = await broadcastMessage(handle.db, sophie, teamA, 'New script from noon');
		expect([...copies.keys()].sort()).toEqual([agentA, agentA2].sort());
		expect((await agentMessages(handle.db, agentA)).map((m) => m.body)).toEqual([
			'New script from noon',
			'Please take a break at 11'
		]);
		expect(await markRead(handle.db, agentA2, [direct.id])).toBe(false);
		expect(await markRead(handle.db, agentA, [direct.id])).toBe(true);
		expect((await agentMessages(handle.db, agentA)).find((m) => m.id === direct.id)!.readAt).not.toBeNull();
		expect((await agentMessages(handle.db, agentA2)).every((m) => m.readAt === null)).toBe(true);
		const audits = await handle.db
			.select({ action: auditLog.action })
			.from(auditLog)
			.where(eq(auditLog.actorId, sophie));
		expect(audits.map((a) => a.action)).toEqual(
			expect.arrayContaining(['message.sent', 'message.broadcast'])
		);
	});

	it('notes pinned on an agent are listed for that agent and removed', async () => {
		const note = await addAgentNote(handle.db, sophie, agentA, 'Coach on objections');
		expect((await agentNotes(handle.db, [agentA])).map((n) => n.body)).toEqual(['Coach on objections']);
		expect(await agentNotes(handle.db, [agentA2])).toEqual([]);
		await removeAgentNote(handle.db, sophie, note.id);
		expect(await agentNotes(handle.db, [agentA])).toEqual([]);
	});

	it("moves an agent onto a project of the actor's teams only", async () => {
		const all = await handle.db.select({ id: projects.id, teamId: projects.teamId }).from(projects);
		const projA = all.find((p) => p.teamId === teamA)!.id;
		const projB = all.find((p) => p.teamId === teamB)!.id;
		const choices = await projectChoices(handle.db, agentA, [teamA]);
		expect(choices.available.every((p) => p.id !== projB)).toBe(true);
		expect(await moveAgent(handle.db, { id: sophie, teams: [teamA] }, agentA, null, projB)).toEqual({
			ok: false,
			reason: 'forbidden'
		});
		const from = choices.current[0]?.id ?? null;
		await handle.db
			.delete(projectAgents)
			.where(and(eq(projectAgents.userId, agentA), eq(projectAgents.projectId, projA)));
		const moved = await moveAgent(handle.db, { id: sam, teams: null }, agentA, from, projA);
		expect(moved).toMatchObject({ ok: true, project: { id: projA } });
		const rows = await handle.db.select().from(projectAgents).where(eq(projectAgents.userId, agentA));
		expect(rows.map((r) => r.projectId)).toEqual([projA]);
	});
});
