/**
 * Cockpit events through the live spine: real Socket.IO clients (a supervisor of each team, the
 * manager, agents) against the hub, the simulator over AMI TCP, PGlite behind. Team scope is
 * checked on every event; alerts come from the leader's evaluator over the live floor.
 */
import { sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
	Ack,
	AgentView,
	AlertView,
	ClientToServerEvents,
	CoachNotice,
	FloorPatch,
	FloorSnapshot,
	MessageView,
	PresenceEntry,
	ServerToClientEvents
} from '../src/lib/protocol';
import { createSession } from '../src/lib/server/auth/session';
import { saveTeamSettings } from '../src/lib/server/cockpit/settings';
import { queryRows } from '../src/lib/server/db/rows';
import { listUsers, type UserRow } from '../src/lib/server/users';
import { startLiveSpine, type LiveSpine } from './testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Client {
	socket: ClientSocket;
	patches: FloorPatch[];
	events: { name: string; payload: unknown }[];
	snapshot: FloorSnapshot;
}

describe('cockpit over the live spine', () => {
	let spine: LiveSpine;
	let sam: UserRow; // supervisor of the team whose agents are in the support queue
	let sophie: UserRow; // supervisor of the other team
	let manager: UserRow;
	let agents: UserRow[];
	let teamOfSam: string;
	const clients: ClientSocket[] = [];

	async function open(user: UserRow): Promise<Client> {
		const { token } = await createSession(spine.services.database.db, user.id, { days: 1, verified: true });
		const socket: ClientSocket = connect(spine.url, {
			transports: ['websocket'],
			extraHeaders: { cookie: `sb_session=${token}` },
			reconnection: false,
			forceNew: true
		});
		clients.push(socket);
		const client: Client = { socket, patches: [], events: [], snapshot: null as unknown as FloorSnapshot };
		socket.on('floor:patch', (m) => client.patches.push(...m.patches));
		socket.onAny((name: string, payload: unknown) => {
			if (name !== 'floor:patch' && name !== 'floor:snapshot') client.events.push({ name, payload });
		});
		const ack = await emit<FloorSnapshot>((a) => socket.emit('floor:subscribe', {}, a));
		if (!ack.ok) throw new Error(ack.error.message);
		client.snapshot = ack.data;
		return client;
	}

	function emit<T>(send: (ack: (a: Ack<T>) => void) => void): Promise<Ack<T>> {
		return new Promise((resolve) => send(resolve));
	}

	/** Resolves with the first item `match` accepts, flushing the engine meanwhile. */
	function waitFor<T>(match: () => T | undefined, ms = 20_000): Promise<T> {
		return new Promise((resolve, reject) => {
			const started = Date.now();
			const tick = () => {
				const hit = match();
				if (hit !== undefined) return resolve(hit);
				spine.runtime.leader!.engine.flush();
				if (Date.now() - started > ms) return reject(new Error('timed out waiting'));
				setTimeout(tick, 50);
			};
			tick();
		});
	}
	const eventOf =
		<T>(c: Client, name: string, pred: (p: T) => boolean = () => true) =>
		() =>
			c.events.find((e) => e.name === name && pred(e.payload as T))?.payload as T | undefined;
	const agentPatch = (c: Client, id: string, pred: (a: AgentView) => boolean) => () => {
		for (const p of c.patches) if (p.kind === 'agent' && p.agent.id === id && pred(p.agent)) return p.agent;
		return undefined;
	};

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 6, leads: 10, seed: 21 });
		const db = spine.services.database.db;
		const sups = await listUsers(db, { role: 'supervisor' });
		sam = sups.find((u) => u.name.startsWith('Sam'))!;
		sophie = sups.find((u) => u.name.startsWith('Sophie'))!;
		manager = (await listUsers(db, { role: 'manager' }))[0]!;
		teamOfSam = sam.teamIds[0]!;
		agents = (await listUsers(db, { role: 'agent' })).filter((a) => a.teamIds.includes(teamOfSam));
	}, 60_000);

	afterAll(async () => {
		for (const s of clients) s.close();
		await spine?.close();
	});

	it('an agent raises a hand; their supervisor sees it and lowers it; the other team cannot', async () => {
		const agent = agents[0]!;
		const [me, boss, other] = await Promise.all([open(agent), open(sam), open(sophie)]);
		expect(await emit((a) => me.socket.emit('hand:raise', {}, a))).toEqual({ ok: true, data: null });
		await waitFor(agentPatch(boss, agent.id, (a) => a.handRaised));
		expect(other.snapshot.agents.some((a) => a.id === agent.id)).toBe(false);
		const refused = await emit((a) => other.socket.emit('hand:lower', { agentId: agent.id }, a));
		expect(!refused.ok && refused.error.code).toBe('forbidden');
		const notAgent = await emit((a) => boss.socket.emit('hand:raise', {}, a));
		expect(!notAgent.ok && notAgent.error.code).toBe('forbidden');
		expect(await emit((a) => boss.socket.emit('hand:lower', { agentId: agent.id }, a))).toEqual({
			ok: true,
			data: null
		});
		await waitFor(agentPatch(boss, agent.id, (a) => !a.handRaised));
	});

	it('messages and broadcasts reach agents live; scope and input are checked', async () => {
		const [a1, a2, boss, other] = await Promise.all([
			open(agents[0]!),
			open(agents[1]!),
			open(sam),
			open(sophie)
		]);
		const sent = await emit<{ id: string }>((a) =>
			boss.socket.emit('message:send', { agentId: agents[0]!.id, body: 'Break at 11, please' }, a)
		);
		expect(sent.ok).toBe(true);
		const got = await waitFor(eventOf<MessageView>(a1, 'message:received'));
		expect(got).toMatchObject({ body: 'Break at 11, please', fromName: sam.name, readAt: null });

		const foreign = await emit((a) =>
			other.socket.emit('message:send', { agentId: agents[0]!.id, body: 'hi' }, a)
		);
		expect(!foreign.ok && foreign.error.code).toBe('forbidden');
		const fromAgent = await emit((a) =>
			a2.socket.emit('message:send', { agentId: agents[0]!.id, body: 'hi' }, a)
		);
		expect(!fromAgent.ok && fromAgent.error.code).toBe('forbidden');
		const empty = await emit((a) =>
			boss.socket.emit('message:send', { agentId: agents[0]!.id, body: '   ' }, a)
		);
		expect(!empty.ok && empty.error).toEqual({ code: 'bad_request', message: 'body: required' });

		const cast = await emit<{ sent: number }>((a) =>
			boss.socket.emit('message:broadcast', { teamId: teamOfSam, body: 'New script at noon' }, a)
		);
		expect(cast).toEqual({ ok: true, data: { sent: agents.length } });
		await waitFor(eventOf<MessageView>(a2, 'message:received', (m) => m.body === 'New script at noon'));
		const foreignCast = await emit((a) =>
			other.socket.emit('message:broadcast', { teamId: teamOfSam, body: 'x' }, a)
		);
		expect(!foreignCast.ok && foreignCast.error.code).toBe('forbidden');

		const list = await emit<MessageView[]>((a) => a1.socket.emit('message:list', {}, a));
		expect(list.ok && list.data.map((m) => m.body)).toEqual(['New script at noon', 'Break at 11, please']);
		expect(await emit((a) => a1.socket.emit('message:read', { messageId: got.id }, a))).toEqual({
			ok: true,
			data: null
		});
		const again = await emit((a) => a2.socket.emit('message:read', { messageId: got.id }, a));
		expect(!again.ok && again.error.code).toBe('not_found');
	});

	it(
		'a pause over the team threshold raises an alert on the leader; one supervisor claims, the manager sees who',
		{ timeout: 60_000 },
		async () => {
			const db = spine.services.database.db;
			await saveTeamSettings(db, sam.id, teamOfSam, {
				rules: [
					{ kind: 'paused_too_long', enabled: true, threshold: 0.01 },
					{ kind: 'no_connect', enabled: false, threshold: 30 }
				],
				coachNotice: null
			});
			await spine.runtime.cockpit.refresh();
			const agent = agents[1]!;
			const [boss, boss2, other] = await Promise.all([open(sam), open(manager), open(sophie)]);
			const paused = await emit((a) =>
				boss.socket.emit('agent:pause', { agentId: agent.id, reason: 'Coaching' }, a)
			);
			expect(paused).toEqual({ ok: true, data: null });
			await waitFor(agentPatch(boss, agent.id, (a) => a.state === 'paused'));
			// the threshold is 0.6 s: evaluate until the rule trips (the timer would do the same every 5 s)
			const alert = await waitFor(() => {
				void spine.runtime.cockpit.evaluate();
				return eventOf<AlertView>(
					boss,
					'alert:raised',
					(a) => a.subject === agent.id && a.kind === 'paused_too_long'
				)();
			});
			expect(alert).toMatchObject({
				teamId: teamOfSam,
				subjectName: agent.name,
				claimedBy: null,
				details: { reason: 'Coaching' }
			});
			await waitFor(eventOf<AlertView>(boss2, 'alert:raised', (a) => a.id === alert.id));
			// the other team's supervisor neither receives nor lists nor claims it
			const otherList = await emit<AlertView[]>((a) => other.socket.emit('alert:list', {}, a));
			expect(otherList.ok && otherList.data.some((a) => a.id === alert.id)).toBe(false);
			expect(
				other.events.some((e) => e.name === 'alert:raised' && (e.payload as AlertView).id === alert.id)
			).toBe(false);
			const stolen = await emit((a) => other.socket.emit('alert:claim', { alertId: alert.id }, a));
			expect(!stolen.ok && stolen.error.code).toBe('forbidden');

			const claimed = await emit<AlertView>((a) => boss.socket.emit('alert:claim', { alertId: alert.id }, a));
			expect(claimed.ok && claimed.data.claimedByName).toBe(sam.name);
			const seen = await waitFor(eventOf<AlertView>(boss2, 'alert:updated', (a) => a.id === alert.id));
			expect(seen).toMatchObject({ claimedBy: sam.id, claimedByName: sam.name, resolvedAt: null });
			// still paused: evaluating again raises no second alert for the same rule and agent
			expect((await spine.runtime.cockpit.evaluate()).filter((a) => a.subject === agent.id)).toEqual([]);
			const resolved = await emit<AlertView>((a) =>
				boss2.socket.emit('alert:resolve', { alertId: alert.id }, a)
			);
			expect(resolved.ok && resolved.data.resolvedAt).toBeGreaterThan(0);
			const audit = await queryRows<{ action: string }>(
				db,
				sql`select action from audit_log where target = ${alert.id} order by id`
			);
			expect(audit.map((r) => r.action)).toEqual(['alert.claimed', 'alert.resolved']);
			await emit((a) => boss.socket.emit('agent:unpause', { agentId: agent.id }, a));
		}
	);

	it(
		"a project whose list runs out within the hour at the current pace raises an alert from the leader's lead counts",
		{ timeout: 60_000 },
		async () => {
			const db = spine.services.database.db;
			const charts = spine.runtime.leader!.charts;
			const [project] = await queryRows<{ id: string; name: string }>(
				db,
				sql`select p.id, p.name from projects p
				    where p.team_id = ${teamOfSam} and p.status = 'active'
				      and exists (select 1 from project_leads pl where pl.project_id = p.id and pl.status in ('new', 'callback'))
				    limit 1`
			);
			expect(project).toBeDefined();
			const boss = await open(sam);
			await charts.refreshProjects();
			// the next sample must be taken at a later server ms for the pace to exist
			const sampled = Date.now();
			await waitFor(() => (Date.now() > sampled ? true : undefined));
			// half the callable leads are used up between two samples: at that pace the rest is gone in moments
			await db.execute(sql`
				update project_leads set status = 'done'
				where id in (
					select id from project_leads
					where project_id = ${project!.id} and status in ('new', 'callback')
					limit (select greatest(1, count(*) / 2) from project_leads where project_id = ${project!.id} and status in ('new', 'callback'))
				)`);
			await charts.refreshProjects();
			const alert = await waitFor(() => {
				void spine.runtime.cockpit.evaluate();
				return eventOf<AlertView>(boss, 'alert:raised', (a) => a.kind === 'list_exhausting' && a.subject === `project:${project!.id}`)();
			});
			expect(alert).toMatchObject({ teamId: teamOfSam, subjectName: project!.name, details: { minutes: 0 } });
			expect(Number(alert.details.remaining)).toBeGreaterThan(0);
		}
	);

	it('logs an agent off every queue through the PBX, audited', async () => {
		const agent = agents[0]!;
		const boss = await open(sam);
		const first = await emit<{ queues: number }>((a) =>
			boss.socket.emit('agent:logoff', { agentId: agent.id }, a)
		);
		expect(first.ok && first.data.queues).toBeGreaterThan(0);
		const second = await emit<{ queues: number }>((a) =>
			boss.socket.emit('agent:logoff', { agentId: agent.id }, a)
		);
		expect(second).toEqual({ ok: true, data: { queues: 0 } });
		const other = await open(sophie);
		const refused = await emit((a) => other.socket.emit('agent:logoff', { agentId: agent.id }, a));
		expect(!refused.ok && refused.error.code).toBe('forbidden');
		const rows = await queryRows<{ n: number }>(
			spine.services.database.db,
			sql`select count(*)::int as n from audit_log where action = 'agent.logoff' and target = ${agent.id}`
		);
		expect(rows[0]!.n).toBe(2);
	});

	it('presence: who watches which teams, shown to every supervisor; teams outside scope are dropped', async () => {
		const [boss, other] = await Promise.all([open(sam), open(sophie)]);
		await emit((a) => boss.socket.emit('presence:watch', { teams: [teamOfSam] }, a));
		const list = await emit<PresenceEntry[]>((a) =>
			other.socket.emit('presence:watch', { teams: [teamOfSam, ...sophie.teamIds] }, a)
		);
		expect(list.ok && list.data.find((e) => e.userId === sophie.id)!.teams).toEqual(sophie.teamIds);
		const seen = await waitFor(
			eventOf<PresenceEntry[]>(boss, 'presence:update', (l) => l.some((e) => e.userId === sophie.id))
		);
		expect(seen.find((e) => e.userId === sam.id)).toMatchObject({ name: sam.name, teams: [teamOfSam] });
		other.socket.close();
		await waitFor(
			eventOf<PresenceEntry[]>(
				boss,
				'presence:update',
				(l) => !l.some((e) => e.userId === sophie.id) && l.some((e) => e.userId === sam.id)
			)
		);
	});

	it('notes pinned on an agent reach the supervisors in scope only', async () => {
		const agent = agents[2] ?? agents[0]!;
		const [boss, chief, other] = await Promise.all([open(sam), open(manager), open(sophie)]);
		const added = await emit<{ id: string }>((a) =>
			boss.socket.emit('note:add', { agentId: agent.id, body: 'Strong on objections' }, a)
		);
		expect(added.ok).toBe(true);
		await waitFor(eventOf<{ body: string }>(chief, 'note:added', (n) => n.body === 'Strong on objections'));
		const otherList = await emit<{ id: string }[]>((a) => other.socket.emit('note:list', {}, a));
		expect(otherList.ok && otherList.data).toEqual([]);
		const refused = await emit((a) => other.socket.emit('note:add', { agentId: agent.id, body: 'x' }, a));
		expect(!refused.ok && refused.error.code).toBe('forbidden');
		const removed = await emit((a) =>
			chief.socket.emit('note:remove', { noteId: added.ok ? added.data.id : '' }, a)
		);
		expect(removed).toEqual({ ok: true, data: null });
		await waitFor(eventOf(boss, 'note:removed'));
	});

	it(
		'the agent sees the coaching notice while whispered to, not while listened to; the other team cannot monitor',
		{ timeout: 90_000 },
		async () => {
			await saveTeamSettings(spine.services.database.db, sam.id, teamOfSam, {
				rules: [],
				coachNotice: 'Sam is coaching you'
			});
			await spine.runtime.cockpit.refresh();
			const boss = await open(sam);
			const mine = new Set(agents.map((a) => a.id));
			const talking = await waitFor(() => {
				for (const p of [
					...boss.snapshot.agents.map((agent) => ({ kind: 'agent' as const, agent })),
					...boss.patches
				]) {
					if (p.kind === 'agent' && p.agent.state === 'talking' && mine.has(p.agent.id)) return p.agent;
				}
				return undefined;
			}, 60_000);
			spine.runtime.leader!.simulator!.model.setBot(talking.endpoint, false);
			const me = await open(agents.find((a) => a.id === talking.id)!);

			const other = await open(sophie);
			const refused = await emit((a) =>
				other.socket.emit('monitor:start', { agentId: talking.id, mode: 'listen', ringTo: 'endpoint' }, a)
			);
			expect(!refused.ok && refused.error.code).toBe('forbidden');

			const started = await emit<{ monitorId: string }>((a) =>
				boss.socket.emit('monitor:start', { agentId: talking.id, mode: 'listen', ringTo: 'endpoint' }, a)
			);
			expect(started.ok).toBe(true);
			const monitorId = started.ok ? started.data.monitorId : '';
			await waitFor(() => boss.patches.find((p) => p.kind === 'monitor' && p.monitor.agentId === talking.id));
			expect(me.events.filter((e) => e.name === 'coach:notice')).toEqual([]);

			await emit((a) => boss.socket.emit('monitor:switch', { monitorId, mode: 'whisper' }, a));
			const notice = await waitFor(eventOf<CoachNotice>(me, 'coach:notice', (n) => n.active));
			expect(notice).toEqual({ active: true, mode: 'whisper', text: 'Sam is coaching you' });

			await emit((a) => boss.socket.emit('monitor:stop', { monitorId }, a));
			await waitFor(eventOf<CoachNotice>(me, 'coach:notice', (n) => !n.active));
		}
	);
});
