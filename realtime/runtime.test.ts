import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
	Ack,
	ClientToServerEvents,
	FloorPatchMessage,
	FloorSnapshot,
	ServerToClientEvents
} from '../src/lib/protocol';
import type { Services } from '../src/lib/server/app';
import { createSession } from '../src/lib/server/auth/session';
import { listUsers } from '../src/lib/server/users';
import { queryRows } from '../src/lib/server/db/rows';
import { sql } from 'drizzle-orm';
import type { RealtimeRuntime } from './runtime';
import { floorUsers, startLiveSpine, type LiveSpine } from './testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('live spine: simulator → AMI over TCP → reducer → hub → Socket.IO clients', () => {
	let services: Services;
	let spine: LiveSpine;
	let runtime: RealtimeRuntime;
	let url: string;
	const sockets: ClientSocket[] = [];

	async function cookieFor(role: 'manager' | 'supervisor' | 'agent', index = 0): Promise<string> {
		const user = (await floorUsers(services.database.db, role))[index]!;
		const { token } = await createSession(services.database.db, user.id, { days: 1, verified: true });
		return `sb_session=${token}`;
	}

	function client(cookie: string | null): ClientSocket {
		const s: ClientSocket = connect(url, {
			transports: ['websocket'],
			extraHeaders: cookie ? { cookie } : {},
			reconnection: false,
			forceNew: true
		});
		sockets.push(s);
		return s;
	}

	function subscribe(s: ClientSocket): Promise<Ack<FloorSnapshot>> {
		return new Promise((resolve) => s.emit('floor:subscribe', {}, resolve));
	}

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 6, leads: 10, seed: 7 });
		({ services, runtime, url } = spine);
	});

	afterAll(async () => {
		for (const s of sockets) s.close();
		await spine?.close();
	});

	it('reports the AMI link for /readyz', () => {
		const status = services.realtime!.status();
		expect(status.ami).toEqual([expect.objectContaining({ name: 'sim', connected: true })]);
	});

	it('refuses a socket without a session', async () => {
		const s = client(null);
		const err = await new Promise<Error>((resolve) => s.on('connect_error', resolve));
		expect(err.message).toBe('unauthorized');
	});

	it('gives a manager the whole floor and a supervisor only their teams', async () => {
		const manager = await subscribe(client(await cookieFor('manager')));
		const supervisor = await subscribe(client(await cookieFor('supervisor')));
		expect(manager.ok && manager.data.agents.length).toBe(6);
		expect(supervisor.ok && supervisor.data.agents.length).toBe(3);
		expect(manager.ok && manager.data.pbx).toEqual([
			expect.objectContaining({ name: 'sim', connected: true })
		]);
	});

	it('streams versioned patches as bot agents change state', async () => {
		const s = client(await cookieFor('manager'));
		const snap = await subscribe(s);
		expect(snap.ok).toBe(true);
		let version = snap.ok ? snap.data.version : 0;
		const states = new Set<string>();
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`no state change in 30 s (${[...states].join(',')})`)),
				30_000
			);
			s.on('floor:patch', (msg: FloorPatchMessage) => {
				expect(msg.version).toBe(version + 1);
				version = msg.version;
				for (const p of msg.patches) if (p.kind === 'agent') states.add(p.agent.state);
				if ([...states].some((st) => st === 'dialing' || st === 'talking' || st === 'ringing')) {
					clearTimeout(timer);
					resolve();
				}
			});
		});
		expect(states.size).toBeGreaterThan(0);
	});

	it('persists the calls bots make, one row per (pbx, linkedid)', async () => {
		const deadline = Date.now() + 20_000;
		let rows: { n: number; keys: number }[] = [];
		while (Date.now() < deadline) {
			await runtime.leader!.persister.flush();
			rows = await queryRows<{ n: number; keys: number }>(
				services.database.db,
				sql`select count(*)::int as n, count(distinct (pbx, linkedid))::int as keys from calls where pbx = 'sim'`
			);
			if ((rows[0]?.n ?? 0) > 0) break;
			await new Promise((r) => setTimeout(r, 250));
		}
		expect(rows[0]!.n).toBeGreaterThan(0);
		expect(rows[0]!.keys).toBe(rows[0]!.n);
	});

	it('lets an agent see only themselves and refuses them floor commands', async () => {
		const s = client(await cookieFor('agent'));
		const snap = await subscribe(s);
		expect(snap.ok && snap.data.agents.length).toBe(1);
		const other = (await listUsers(services.database.db, { role: 'agent' }))[1]!;
		const ack = await new Promise<Ack<{ monitorId: string }>>((resolve) =>
			s.emit('monitor:start', { agentId: other.id, mode: 'listen', ringTo: 'endpoint' }, resolve)
		);
		expect(ack).toEqual({ ok: false, error: { code: 'forbidden', message: 'supervisors only' } });
	});

	it('refuses a supervisor acting on an agent of another team', async () => {
		const s = client(await cookieFor('supervisor', 0));
		const snap = await subscribe(s);
		const mine = new Set(snap.ok ? snap.data.agents.map((a) => a.id) : []);
		const foreign = (await listUsers(services.database.db, { role: 'agent' })).find((a) => !mine.has(a.id))!;
		const ack = await new Promise<Ack>((resolve) =>
			s.emit('agent:pause', { agentId: foreign.id, reason: 'break' }, resolve)
		);
		expect(ack.ok).toBe(false);
		expect(!ack.ok && ack.error.code).toBe('forbidden');
	});

	it('pauses an agent through QueuePause and the floor shows the reason', async () => {
		const s = client(await cookieFor('supervisor', 0));
		const snap = await subscribe(s);
		const target = snap.ok ? snap.data.agents[0]! : null;
		expect(target).not.toBeNull();
		// a human now: the bot stops dialing, and whatever call it had is hung up
		runtime.leader!.simulator!.model.setBot(target!.endpoint, false);
		const paused = new Promise<string | null>((resolve) => {
			s.on('floor:patch', (msg) => {
				for (const p of msg.patches)
					if (p.kind === 'agent' && p.agent.id === target!.id && p.agent.state === 'paused')
						resolve(p.agent.pauseReason);
			});
		});
		const ack = await new Promise<Ack>((resolve) =>
			s.emit('agent:pause', { agentId: target!.id, reason: 'coaching' }, resolve)
		);
		expect(ack).toEqual({ ok: true, data: null });
		await runtime
			.leader!.links.get('sim')!
			.action({ Action: 'Hangup', Channel: `/^${target!.endpoint.replace('/', '\\/')}-/` });
		await new Promise((r) => setTimeout(r, 300));
		runtime.leader!.engine.input({ type: 'wrapupDone', agentId: target!.id });
		await expect(paused).resolves.toBe('coaching');
	});
});
