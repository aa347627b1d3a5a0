/**
 * Fault-suite helpers: a TCP proxy whose link we can cut and restore (Postgres, Redis), a polling
 * wait, and a real Socket.IO client logged in with a real session of a given role.
 */
import net from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import type { PbxModel } from '../../realtime/simulator/model';
import type {
	Ack,
	ClientToServerEvents,
	FloorSnapshot,
	Role,
	ServerToClientEvents
} from '../../src/lib/protocol';
import { createSession, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import type { Db } from '../../src/lib/server/db';
import { listUsers } from '../../src/lib/server/users';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Polls `check` every 25 ms; throws naming `what` after `ms`. Returns the time it took. */
export async function until(
	check: () => boolean | Promise<boolean>,
	ms: number,
	what: string
): Promise<number> {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
	return Date.now() - started;
}

/**
 * A loopback TCP proxy to `target`. cut() destroys every open connection and refuses new ones
 * (the peer sees the service gone, like a restart); restore() accepts again.
 */
export interface TcpProxy {
	port: number;
	readonly open: number;
	/** connections refused while cut */
	readonly refused: number;
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
	const pairs = new Set<[net.Socket, net.Socket]>();
	let refusing = false;
	let refused = 0;
	const server = net.createServer((client) => {
		if (refusing) {
			refused++;
			client.destroy();
			return;
		}
		const upstream = net.connect(target.port, target.host);
		const pair: [net.Socket, net.Socket] = [client, upstream];
		pairs.add(pair);
		const end = () => {
			client.destroy();
			upstream.destroy();
			pairs.delete(pair);
		};
		client.on('error', end).on('close', end);
		upstream.on('error', end).on('close', end);
		client.pipe(upstream);
		upstream.pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;
	const cut = (): void => {
		refusing = true;
		for (const [a, b] of pairs) {
			a.destroy();
			b.destroy();
		}
		pairs.clear();
	};
	return {
		port,
		get open() {
			return pairs.size;
		},
		get refused() {
			return refused;
		},
		cut,
		restore() {
			refusing = false;
		},
		async close() {
			cut();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}

/** `sb_session=<token>` for the first user of `role` (optionally in a team). */
export async function sessionCookie(db: Db, role: Role, teamId?: string): Promise<string> {
	const user = (await listUsers(db, teamId ? { role, teamIds: [teamId] } : { role }))[0];
	if (!user) throw new Error(`no ${role} user seeded${teamId ? ` in team ${teamId}` : ''}`);
	return `${SESSION_COOKIE}=${(await createSession(db, user.id, { days: 1, verified: true })).token}`;
}

export function socketClient(url: string, cookie: string): ClientSocket {
	return connect(url, {
		transports: ['websocket'],
		extraHeaders: { cookie },
		forceNew: true,
		reconnectionDelay: 100,
		reconnectionDelayMax: 500
	});
}

export function floorSnapshot(s: ClientSocket): Promise<Ack<FloorSnapshot>> {
	return new Promise((resolve) =>
		s
			.timeout(5000)
			.emit('floor:snapshot', (err, ack) =>
				resolve(err ? { ok: false, error: { code: 'unavailable', message: String(err) } } : ack)
			)
	);
}

/**
 * The board a client gets equals the PBX's truth: every link up, and every agent shows exactly the
 * call the model has on that agent's phone (or none).
 */
export async function boardMatchesModel(board: ClientSocket, model: PbxModel): Promise<boolean> {
	return (await boardModelDiff(board, model)).length === 0;
}

/** Where the board differs from the model: each agent whose live call is not the PBX's (empty = equal). */
export async function boardModelDiff(board: ClientSocket, model: PbxModel): Promise<string[]> {
	const snap = await floorSnapshot(board);
	if (!snap.ok) return ['no board snapshot'];
	const down = snap.data.pbx.filter((p) => !p.connected).map((p) => `pbx ${p.name} shown down`);
	if (down.length > 0) return down;
	const live = new Map<string, Set<string>>();
	for (const c of model.channels()) {
		if (c.device === null) continue;
		const set = live.get(c.device) ?? new Set<string>();
		set.add(c.linkedid);
		live.set(c.device, set);
	}
	const diff: string[] = [];
	for (const a of snap.data.agents) {
		const truth = live.get(a.endpoint);
		const ok = a.call === null ? truth === undefined : truth?.has(a.call.linkedid) === true;
		if (!ok) diff.push(`${a.endpoint}: board ${a.call?.linkedid ?? 'no call'} (${a.state}), PBX ${truth ? [...truth].join(',') : 'no call'}`);
	}
	return diff;
}
