/**
 * Skill-based queue membership through the live spine: the managed queues of the demo are applied
 * to the simulator over AMI at login, a skill change becomes QueueAdd / QueuePenalty / QueueRemove
 * at once, and a supervisor's change from the board is scoped, stored, audited and applied.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, FloorSnapshot, QueueMemberRequest, ServerToClientEvents } from '../src/lib/protocol';
import { createSession } from '../src/lib/server/auth/session';
import { auditLog, skills } from '../src/lib/server/db/schema';
import { setAgentLevel } from '../src/lib/server/inbound/repo';
import { listUsers, type UserRow } from '../src/lib/server/users';
import type { SimulatorHandle } from './simulator/server';
import { floorUsers, startLiveSpine, type LiveSpine } from './testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('managed queues follow skills and supervisors', () => {
	let spine: LiveSpine;
	let sim: SimulatorHandle;
	let agents: UserRow[];
	let supervisors: UserRow[];
	const sockets: ClientSocket[] = [];

	const members = (queue: string) =>
		new Map((sim.model.queues().find((q) => q.name === queue)?.members ?? []).map((m) => [m.iface, m.penalty]));

	async function until<T>(probe: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
		const deadline = Date.now() + ms;
		for (;;) {
			const v = probe();
			if (v !== undefined && v !== false) return v;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	async function socketOf(user: UserRow): Promise<ClientSocket> {
		const { token } = await createSession(spine.services.database.db, user.id, { days: 1, verified: true });
		const socket: ClientSocket = connect(spine.url, {
			transports: ['websocket'],
			extraHeaders: { cookie: `sb_session=${token}` },
			reconnection: false,
			forceNew: true
		});
		sockets.push(socket);
		await new Promise<Ack<FloorSnapshot>>((resolve) => socket.emit('floor:subscribe', {}, resolve));
		return socket;
	}

	const send = (socket: ClientSocket, request: QueueMemberRequest) =>
		new Promise<Ack>((resolve) => socket.emit('queue:member', request, resolve));

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 6, leads: 10, seed: 5 });
		sim = spine.runtime.leader!.simulator!;
		const db = spine.services.database.db;
		agents = (await listUsers(db, { role: 'agent' })).sort((a, b) => a.endpoint!.localeCompare(b.endpoint!));
		supervisors = await floorUsers(db, 'supervisor');
	});

	afterAll(async () => {
		for (const s of sockets) s.close();
		await spine?.close();
	});

	it('at login the PBX gets exactly the demo skills: sales = everyone, support = agents with Support', async () => {
		const db = spine.services.database.db;
		const [support] = await db.select().from(skills).where(eq(skills.name, 'Support'));
		const withSupport = await db.query.agentSkills.findMany({ where: (t) => eq(t.skillId, support!.id) });
		const expected = agents.filter((a) => withSupport.some((s) => s.userId === a.id)).map((a) => a.endpoint!);
		await until(() => [...members('support').keys()].sort().join() === expected.sort().join(), 'support = Support holders');
		expect([...members('sales').keys()].sort()).toEqual(agents.map((a) => a.endpoint!).sort());
		// penalty = 10 − level
		for (const s of withSupport) {
			const a = agents.find((x) => x.id === s.userId)!;
			expect(members('support').get(a.endpoint!)).toBe(10 - s.level);
		}
	});

	it('giving an agent a skill puts them in the queue on the PBX at once; removing it takes them out', async () => {
		const db = spine.services.database.db;
		const [support] = await db.select().from(skills).where(eq(skills.name, 'Support'));
		const outsider = agents.find((a) => !members('support').has(a.endpoint!))!;
		await setAgentLevel(db, outsider.id, support!.id, 7, { id: supervisors[0]!.id });
		expect(await until(() => members('support').get(outsider.endpoint!), 'QueueAdd')).toBe(3);
		await setAgentLevel(db, outsider.id, support!.id, 9, { id: supervisors[0]!.id });
		await until(() => members('support').get(outsider.endpoint!) === 1, 'QueuePenalty');
		await setAgentLevel(db, outsider.id, support!.id, null, { id: supervisors[0]!.id });
		await until(() => !members('support').has(outsider.endpoint!), 'QueueRemove');
		expect(members('support').has(outsider.endpoint!)).toBe(false);
	});

	it('a supervisor removes an agent of their team from sales from the board; it is audited and applied', async () => {
		const sup = supervisors[0]!;
		const mine = agents.find((a) => a.teamIds.some((t) => sup.teamIds.includes(t)))!;
		const socket = await socketOf(sup);
		const ack = await send(socket, { agentId: mine.id, queue: 'sales', change: { kind: 'remove' } });
		expect(ack).toEqual({ ok: true, data: null });
		await until(() => !members('sales').has(mine.endpoint!), 'removal from sales');
		const rows = await spine.services.database.db
			.select()
			.from(auditLog)
			.where(and(eq(auditLog.action, 'queue.member_changed'), eq(auditLog.target, mine.id)));
		expect(rows[0]).toMatchObject({ actorId: sup.id, details: { queue: 'sales', kind: 'remove' } });
		// back to the skills rule
		expect(await send(socket, { agentId: mine.id, queue: 'sales', change: { kind: 'reset' } })).toMatchObject({ ok: true });
		await until(() => members('sales').has(mine.endpoint!), 're-added after reset');
		expect(members('sales').get(mine.endpoint!)).toBe(0);
	});

	it('after an AMI reconnect, membership changed by hand on the PBX is put back', async () => {
		const victim = agents[0]!.endpoint!;
		expect(sim.model.queueRemove({ queue: 'sales', iface: victim })).toBe('ok');
		expect(members('sales').has(victim)).toBe(false);
		sim.faults.drop();
		await until(() => members('sales').get(victim) === 0, 're-added after the reconnect', 15_000);
		expect(members('sales').has(victim)).toBe(true);
	});

	it('an agent logged off from the board stays out of the managed queues after a reconnect, until back to skills', async () => {
		const sup = supervisors[0]!;
		const mine = agents.filter((a) => a.teamIds.some((t) => sup.teamIds.includes(t)))[1]!;
		const socket = await socketOf(sup);
		await until(() => members('sales').has(mine.endpoint!), 'a member of sales first');
		const ack = await new Promise<Ack<{ queues: number }>>((resolve) => socket.emit('agent:logoff', { agentId: mine.id }, resolve));
		expect(ack.ok).toBe(true);
		expect(members('sales').has(mine.endpoint!)).toBe(false);
		sim.faults.drop();
		// the reconnect's reconcile has run once the link is back and has had a moment
		await until(() => spine.runtime.leader!.links.get('sim')?.connected, 'the link back');
		await new Promise((r) => setTimeout(r, 1500));
		expect(members('sales').has(mine.endpoint!)).toBe(false);
		expect(await send(socket, { agentId: mine.id, queue: 'sales', change: { kind: 'reset' } })).toMatchObject({ ok: true });
		await until(() => members('sales').has(mine.endpoint!), 'back in sales');
		expect(members('sales').get(mine.endpoint!)).toBe(0);
	});

	it('refuses agents, agents of other teams, unmanaged queues and bad penalties', async () => {
		const sup = supervisors[0]!;
		const other = agents.find((a) => !a.teamIds.some((t) => sup.teamIds.includes(t)))!;
		const mine = agents.find((a) => a.teamIds.some((t) => sup.teamIds.includes(t)))!;
		const supSocket = await socketOf(sup);
		const agentSocket = await socketOf(mine);
		expect(await send(agentSocket, { agentId: mine.id, queue: 'sales', change: { kind: 'remove' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(await send(supSocket, { agentId: other.id, queue: 'sales', change: { kind: 'remove' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(await send(supSocket, { agentId: mine.id, queue: 'nope', change: { kind: 'add' } })).toMatchObject({
			ok: false,
			error: { code: 'bad_request', message: expect.stringContaining('not managed') }
		});
		expect(await send(supSocket, { agentId: mine.id, queue: 'sales', change: { kind: 'penalty', penalty: 99 } })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
		expect(members('sales').has(other.endpoint!)).toBe(true);
	});
});
