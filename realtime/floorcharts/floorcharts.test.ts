/**
 * The charts and colour thresholds data path through the whole live spine: leader source (real
 * PGlite, demo seed) → hub relay → real Socket.IO clients on a random port, scoped per user.
 */
import { eq, sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
	Ack,
	ClientToServerEvents,
	FloorchartsDelta,
	FloorchartsState,
	ServerToClientEvents
} from '../../src/lib/protocol';
import { createSession } from '../../src/lib/server/auth/session';
import { queryRows } from '../../src/lib/server/db/rows';
import { auditLog, calls, meetings, projectAgents, projectLeads, projects, teams } from '../../src/lib/server/db/schema';
import { saveTeamThresholds } from '../../src/lib/server/floorcharts';
import { listUsers } from '../../src/lib/server/users';
import { floorUsers, startLiveSpine, type LiveSpine } from '../testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('live charts and colour thresholds: leader → hub → Socket.IO clients', () => {
	let spine: LiveSpine;
	const sockets: ClientSocket[] = [];

	async function login(role: 'manager' | 'supervisor' | 'agent', index = 0) {
		const user = (await floorUsers(spine.services.database.db, role))[index]!;
		const { token } = await createSession(spine.services.database.db, user.id, { days: 1, verified: true });
		const s: ClientSocket = connect(spine.url, {
			transports: ['websocket'],
			extraHeaders: { cookie: `sb_session=${token}` },
			reconnection: false,
			forceNew: true
		});
		sockets.push(s);
		return { user, socket: s };
	}

	function subscribe(s: ClientSocket): Promise<Ack<FloorchartsState>> {
		return new Promise((resolve) => s.emit('floorcharts:subscribe', resolve));
	}

	function nextDelta(s: ClientSocket, match: (d: FloorchartsDelta) => boolean): Promise<FloorchartsDelta> {
		return new Promise((resolve) => {
			const on = (d: FloorchartsDelta) => {
				if (!match(d)) return;
				s.off('floorcharts:delta', on);
				resolve(d);
			};
			s.on('floorcharts:delta', on);
		});
	}

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 6, leads: 40, seed: 3 });
		// the source's first read runs beside the AMI start-up: wait for its reset to land in the hub
		const deadline = Date.now() + 10_000;
		while (spine.runtime.hub.floorcharts.state().day === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
	});

	afterAll(async () => {
		for (const s of sockets) s.close();
		await spine?.close();
	});

	it('refuses the charts to an agent', async () => {
		const { socket } = await login('agent');
		const ack = await subscribe(socket);
		expect(ack.ok).toBe(false);
		expect(!ack.ok && ack.error.code).toBe('forbidden');
	});

	it('gives a manager every active project with its leads by status, and a supervisor only their team’s', async () => {
		const manager = await subscribe((await login('manager')).socket);
		const sup = await login('supervisor');
		const supervisor = await subscribe(sup.socket);
		expect(manager.ok && supervisor.ok).toBe(true);
		if (!manager.ok || !supervisor.ok) return;
		expect(manager.data.projects).toHaveLength(2);
		const [total] = await queryRows<{ n: number }>(spine.services.database.db, sql`select count(*)::int as n from ${projectLeads}`);
		const counted = manager.data.projects.reduce((n, p) => n + Object.values(p.points.at(-1)!.counts).reduce((a, b) => a + b, 0), 0);
		expect(counted).toBe(total!.n);
		expect(supervisor.data.projects.length).toBe(1);
		expect(sup.user.teamIds).toContain(supervisor.data.projects[0]!.teamId);
	});

	it("sends a team's new colours to its supervisors within one refresh, and not to other teams' supervisors", async () => {
		const db = spine.services.database.db;
		const own = await login('supervisor', 0);
		const other = await login('supervisor', 1);
		await subscribe(own.socket);
		const otherState = await subscribe(other.socket);
		const teamId = own.user.teamIds[0]!;
		expect(other.user.teamIds).not.toContain(teamId);
		const arrived = nextDelta(own.socket, (d) => !!d.thresholds?.[teamId]);
		const otherDeltas: FloorchartsDelta[] = [];
		other.socket.on('floorcharts:delta', (d) => otherDeltas.push(d));

		expect(await saveTeamThresholds(db, own.user, teamId, { idle: [5, 10, 15] })).toBe('ok');
		await spine.runtime.leader!.charts.refreshThresholds();
		const delta = await arrived;
		expect(delta.thresholds![teamId]).toEqual({ idle: [5, 10, 15] });
		expect(otherDeltas.every((d) => !d.thresholds?.[teamId])).toBe(true);
		expect(otherState.ok && otherState.data.thresholds[teamId]).toBeFalsy();

		const [row] = await db.select().from(auditLog).where(eq(auditLog.action, 'team.thresholds_changed'));
		expect(row).toMatchObject({ actorId: own.user.id, target: `team:${teamId}` });
		const [stored] = await db.select({ t: teams.thresholds }).from(teams).where(eq(teams.id, teamId));
		expect(stored!.t).toEqual({ idle: [5, 10, 15] });
		// a supervisor cannot change another team's colours
		expect(await saveTeamThresholds(db, own.user, other.user.teamIds[0]!, { idle: [1, 2, 3] })).toBe('forbidden');
	});

	it("counts an agent's outbound call in its 15-minute slot and streams it to viewers who see that agent", async () => {
		const { socket } = await login('manager');
		await subscribe(socket);
		const agent = (await listUsers(spine.services.database.db, { role: 'agent' }))[0]!;
		const arrived = nextDelta(socket, (d) => !!d.intensity?.[agent.id]);
		const charts = spine.runtime.leader!.charts;
		const before = charts.state().intensity[agent.id]?.slots.reduce((n, [, c]) => n + c, 0) ?? 0;
		const fact = {
			pbx: 'sim',
			linkedid: 'test-intensity-1',
			uniqueid: 'test-intensity-1',
			direction: 'out' as const,
			agentId: agent.id,
			number: '+33100000000',
			queue: null,
			callId: null,
			leadId: null,
			projectId: null,
			recording: null,
			startedAt: Date.now(),
			answeredAt: null,
			endedAt: null,
			dialStatus: null,
			hangupCause: null
		};
		charts.onCall(fact);
		charts.onCall({ ...fact, answeredAt: Date.now() }); // the same call again: counted once
		charts.flushIntensity();
		const delta = await arrived;
		const total = delta.intensity![agent.id]!.slots.reduce((n, [, c]) => n + c, 0);
		expect(total).toBe(before + 1);
		// the agent is in an active project: the target line comes with the counts
		const [p] = await spine.services.database.db.select({ target: projects.targetCalls }).from(projects).limit(1);
		expect(delta.intensity![agent.id]!.target).toBe(p!.target / 32);
	});

	it("streams each project's day against its targets: a dial, a connect and a meeting booked today each count once; yesterday's do not", async () => {
		const db = spine.services.database.db;
		const { socket } = await login('manager');
		const state = await subscribe(socket);
		expect(state.ok).toBe(true);
		const charts = spine.runtime.leader!.charts;
		await charts.refreshProjects();
		const project = charts.state().projects[0]!;
		const before = project.today!;
		const [p] = await db.select().from(projects).where(eq(projects.id, project.projectId));
		const performers = await db.select().from(projectAgents).where(eq(projectAgents.projectId, project.projectId));
		expect(before.dialTarget).toBe(p!.targetCalls * performers.length);
		expect(before.meetingTarget).toBe(p!.targetMeetings * performers.length);

		const [lead] = await db.select({ leadId: projectLeads.leadId }).from(projectLeads).where(eq(projectLeads.projectId, project.projectId)).limit(1);
		const now = new Date();
		const yesterday = new Date(charts.state().dayStart - 3_600_000);
		const call = (linkedid: string, startedAt: Date, answered: boolean) => ({
			pbx: 'test', linkedid, direction: 'out' as const, projectId: project.projectId, leadId: lead!.leadId,
			startedAt, answeredAt: answered ? startedAt : null
		});
		await db.insert(calls).values([call('today-1', now, true), call('today-2', now, false), call('yesterday-1', yesterday, true)]);
		const meeting = (createdAt: Date) => ({ leadId: lead!.leadId, projectId: project.projectId, startsAt: now, endsAt: now, createdAt });
		await db.insert(meetings).values([meeting(now), meeting(yesterday)]);

		const arrived = nextDelta(socket, (d) => !!d.projects?.some((x) => x.projectId === project.projectId && x.today?.dials === before.dials + 2));
		await charts.refreshProjects();
		const today = (await arrived).projects!.find((x) => x.projectId === project.projectId)!.today!;
		expect(today).toEqual({ ...before, dials: before.dials + 2, connects: before.connects + 1, meetings: before.meetings + 1 });
	});
});
