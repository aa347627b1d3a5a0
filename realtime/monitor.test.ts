/**
 * Listen / whisper / barge through the live spine: a supervisor's socket asks for a monitor, the
 * simulator answers the Originate and runs ChanSpy, and the floor's MonitorView follows
 * ChanSpyStart / the recorded mode / ChanSpyStop. Every step is audited.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
	Ack,
	AgentView,
	ClientToServerEvents,
	FloorPatch,
	FloorSnapshot,
	MonitorView,
	ServerToClientEvents
} from '../src/lib/protocol';
import type { Services } from '../src/lib/server/app';
import { createSession } from '../src/lib/server/auth/session';
import { queryRows } from '../src/lib/server/db/rows';
import type { RealtimeRuntime } from './runtime';
import { floorUsers, startLiveSpine, type LiveSpine } from './testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('monitoring an agent: Originate → ChanSpy → the floor follows the PBX', () => {
	let services: Services;
	let spine: LiveSpine;
	let runtime: RealtimeRuntime;
	let url: string;
	let socket: ClientSocket;
	let supervisorId: string;
	let snapshot: FloorSnapshot;
	const patches: FloorPatch[] = [];

	function emit<T>(send: (ack: (a: Ack<T>) => void) => void): Promise<Ack<T>> {
		return new Promise((resolve) => send(resolve));
	}

	/** Resolves with the first patch (already received or to come) that `match` accepts. */
	function waitPatch<T>(match: (p: FloorPatch) => T | undefined, ms = 15_000): Promise<T> {
		return new Promise((resolve, reject) => {
			const started = Date.now();
			const seen = patches.length;
			const tick = () => {
				for (const p of patches.slice(seen)) {
					const hit = match(p);
					if (hit !== undefined) return resolve(hit);
				}
				runtime.leader!.engine.flush();
				if (Date.now() - started > ms) return reject(new Error('no matching patch'));
				setTimeout(tick, 50);
			};
			tick();
		});
	}

	const monitorOf = (agentId: string, mode: string) => (p: FloorPatch) =>
		p.kind === 'monitor' && p.monitor.agentId === agentId && p.monitor.mode === mode ? p.monitor : undefined;

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 6, leads: 10, seed: 11 });
		({ services, runtime, url } = spine);

		const supervisor = (await floorUsers(services.database.db, 'supervisor'))[0]!;
		supervisorId = supervisor.id;
		const { token } = await createSession(services.database.db, supervisor.id, { days: 1, verified: true });
		socket = connect(url, {
			transports: ['websocket'],
			extraHeaders: { cookie: `sb_session=${token}` },
			reconnection: false,
			forceNew: true
		});
		socket.on('floor:patch', (msg) => patches.push(...msg.patches));
		const ack = await emit<FloorSnapshot>((a) => socket.emit('floor:subscribe', {}, a));
		if (!ack.ok) throw new Error(ack.error.message);
		snapshot = ack.data;
	});

	afterAll(async () => {
		socket?.close();
		await spine?.close();
	});

	it('starts listening, switches to whisper, stops, and audits each step', { timeout: 90_000 }, async () => {
		const mine = new Set(snapshot.agents.map((a) => a.id));
		// an agent of the supervisor's team on a call (the bots dial all the time)
		let talking: AgentView | undefined = snapshot.agents.find((a) => a.state === 'talking');
		talking ??= await waitPatch(
			(p) =>
				p.kind === 'agent' && p.agent.state === 'talking' && mine.has(p.agent.id) ? p.agent : undefined,
			60_000
		);
		const agent = talking;
		// keep the call up while we spy on it: the agent is a person now, not a bot
		runtime.leader!.simulator!.model.setBot(agent.endpoint, false);

		const started = await emit<{ monitorId: string }>((a) =>
			socket.emit('monitor:start', { agentId: agent.id, mode: 'listen', ringTo: 'endpoint' }, a)
		);
		expect(started.ok).toBe(true);
		const listening: MonitorView = await waitPatch(monitorOf(agent.id, 'listen'));
		expect(listening.supervisorId).toBe(supervisorId);
		expect(listening.spyerChannel).toMatch(/^PJSIP\/20\d\d-/);

		const switched = await emit<null>((a) =>
			socket.emit('monitor:switch', { monitorId: listening.id, mode: 'whisper' }, a)
		);
		expect(switched).toEqual({ ok: true, data: null });
		const whispering = await waitPatch(monitorOf(agent.id, 'whisper'));
		expect(whispering.id).toBe(listening.id);
		expect(whispering.supervisorId).toBe(supervisorId);

		const stopped = await emit<null>((a) => socket.emit('monitor:stop', { monitorId: listening.id }, a));
		expect(stopped).toEqual({ ok: true, data: null });
		await expect(
			waitPatch((p) => (p.kind === 'monitorEnded' && p.monitorId === listening.id ? true : undefined))
		).resolves.toBe(true);

		const rows = await queryRows<{ action: string; target: string; actor: string; mode: string | null }>(
			services.database.db,
			sql`select action, target, actor_id::text as actor, coalesce(details->>'mode', details->>'to') as mode
			    from audit_log where action like 'monitor.%' order by id`
		);
		expect(rows).toEqual([
			{ action: 'monitor.start', target: agent.id, actor: supervisorId, mode: 'listen' },
			{ action: 'monitor.switch', target: agent.id, actor: supervisorId, mode: 'whisper' },
			{ action: 'monitor.stop', target: agent.id, actor: supervisorId, mode: null }
		]);
	});

	it('answers an error Ack for a monitor that does not exist', async () => {
		const ack = await emit<null>((a) => socket.emit('monitor:stop', { monitorId: 'nope' }, a));
		expect(ack.ok).toBe(false);
		expect(!ack.ok && ack.error.code).toBe('not_found');
	});
});
