import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
	AmiActionError,
	AmiAuthError,
	AmiClient,
	AmiNotConnectedError,
	AmiTimeoutError,
	backoffDelay,
	type AmiClientEvents,
	type AmiClientOptions
} from './client';
import { AmiInjectionError, type AmiFields } from './format';
import { all, first } from './parser';
import { FakeAmi } from './testkit';

let server: FakeAmi;
const clients: AmiClient[] = [];

async function startServer(): Promise<FakeAmi> {
	server = new FakeAmi();
	await server.listen();
	return server;
}

function makeClient(opts: Partial<AmiClientOptions> = {}): AmiClient {
	const c = new AmiClient({
		name: 'pbx1',
		host: '127.0.0.1',
		port: server.port,
		username: 'cockpit',
		secret: 'pw',
		// short enough for quick tests, long enough not to fire spuriously on a busy 2-core CI box
		pingIntervalMs: 100,
		pingTimeoutMs: 1000,
		actionTimeoutMs: 2000,
		reconnectMinMs: 5,
		reconnectMaxMs: 40,
		...opts
	});
	clients.push(c);
	return c;
}

/** Resolve with the args of the next `event` for which `pred` holds. */
function next<K extends keyof AmiClientEvents>(
	client: AmiClient,
	event: K,
	pred: (...args: AmiClientEvents[K]) => boolean = () => true
): Promise<AmiClientEvents[K]> {
	return new Promise((resolve) => {
		const fn = (...args: AmiClientEvents[K]): void => {
			if (!pred(...args)) return;
			client.off(event, fn as never);
			resolve(args);
		};
		client.on(event, fn as never);
	});
}

async function ready(client: AmiClient): Promise<void> {
	const p = next(client, 'ready');
	client.start();
	await p;
}

afterEach(async () => {
	for (const c of clients.splice(0)) await c.close();
	await server?.close();
});

describe('AmiClient against a loopback fake AMI', () => {
	it('logs in with Username/Secret/Events, runs onLogin before ready, reports status', async () => {
		await startServer();
		const order: string[] = [];
		const client = makeClient({
			events: 'call,agent',
			onLogin: async (c) => {
				order.push('onLogin');
				const list = await c.actionList({ Action: 'CoreShowChannels' });
				order.push(`resync:${list.items.length}`);
			}
		});
		const statuses: boolean[] = [];
		client.on('status', (s) => statuses.push(s.connected));
		client.on('ready', () => order.push('ready'));
		expect(client.connected).toBe(false);
		await ready(client);
		expect(order).toEqual(['onLogin', 'resync:2', 'ready']);
		expect(client.connected).toBe(true);
		expect(statuses).toEqual([true]);
		expect(client.banner).toBe('Asterisk Call Manager/11.0.0');
		const [login] = server.actionsNamed('Login');
		expect(login).toMatchObject({
			Action: 'Login',
			Username: 'cockpit',
			Secret: 'pw',
			Events: 'call,agent',
			ActionID: 'pbx1-1-1'
		});
		expect(first(server.actions[1] ?? {}, 'ActionID')).toBe('pbx1-1-2');
	});

	it('resolves actions by ActionID when responses come out of order', async () => {
		await startServer();
		const held: { id: string; tag: string; conn: { send(f: AmiFields): void } }[] = [];
		server.handler = (a, conn) => {
			if (first(a, 'Action') !== 'Getvar') return undefined;
			held.push({ id: first(a, 'ActionID') ?? '', tag: first(a, 'Variable') ?? '', conn });
			if (held.length === 3) {
				for (const h of held.reverse())
					h.conn.send({ Response: 'Success', ActionID: h.id, Variable: h.tag, Value: `v-${h.tag}` });
			}
			return null;
		};
		const client = makeClient();
		await ready(client);
		const results = await Promise.all(
			['A', 'B', 'C'].map((v) => client.action({ Action: 'Getvar', Variable: v }))
		);
		expect(results.map((r) => first(r, 'Value'))).toEqual(['v-A', 'v-B', 'v-C']);
		const ids = server.actionsNamed('Getvar').map((a) => first(a, 'ActionID'));
		expect(new Set(ids).size).toBe(3);
	});

	it('actionList collects items by ActionID; other events still reach listeners', async () => {
		await startServer();
		const client = makeClient();
		await ready(client);
		const events: string[] = [];
		client.on('event', (m) => events.push(first(m, 'Event') ?? '?'));
		const list = await client.actionList({ Action: 'CoreShowChannels' });
		expect(first(list.response, 'EventList')).toBe('start');
		expect(list.items.map((i) => first(i, 'Channel'))).toEqual([
			'Local/agent1@agents-00000001;1',
			'Local/agent1@agents-00000001;2'
		]);
		expect(first(list.complete, 'ListItems')).toBe('2');
		expect(events.filter((e) => e !== 'FullyBooted')).toEqual(['Newexten']);
	});

	it('actionList rejects on Response: Error', async () => {
		await startServer();
		const client = makeClient();
		await ready(client);
		const err: unknown = await client.actionList({ Action: 'QueueStatus' }).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(AmiActionError);
		expect((err as Error).message).toContain('Permission denied');
		expect(first((err as AmiActionError).response, 'Response')).toBe('Error');
	});

	it('events that carry the ActionID of a plain action (OriginateResponse) go to event listeners', async () => {
		await startServer();
		server.handler = (a) => {
			if (first(a, 'Action') !== 'Originate') return undefined;
			const id = first(a, 'ActionID');
			return [
				{ Response: 'Success', ActionID: id, Message: 'Originate successfully queued' },
				{
					Event: 'OriginateResponse',
					ActionID: id,
					Response: 'Failure',
					Channel: 'Local/agent2@agents/n',
					Uniqueid: '<unknown>',
					Reason: '0'
				}
			];
		};
		const client = makeClient();
		await ready(client);
		const ev = next(client, 'event', (m) => first(m, 'Event') === 'OriginateResponse');
		const res = await client.action({
			Action: 'Originate',
			Channel: 'Local/agent2@agents/n',
			Async: true,
			Variable: ['SB_CALL=1', 'SB_LEAD=2']
		});
		expect(first(res, 'Message')).toBe('Originate successfully queued');
		const [msg, receivedAt] = await ev;
		expect(first(msg, 'ActionID')).toBe(first(res, 'ActionID'));
		expect(typeof receivedAt).toBe('number');
		expect(all(server.actionsNamed('Originate')[0] ?? {}, 'Variable')).toEqual(['SB_CALL=1', 'SB_LEAD=2']);
	});

	it('returns Command output whole, every Output line kept', async () => {
		await startServer();
		const client = makeClient();
		await ready(client);
		const res = await client.action({ Action: 'Command', Command: 'queue show sales' });
		expect(first(res, 'Message')).toBe('Command output follows');
		expect(all(res, 'Output')).toEqual([
			'sales has 0 calls (max unlimited)',
			'   Members: ',
			'      Agent One (Local/agent1@agents/n)'
		]);
		// the lone CRLF after it did not confuse the stream
		const pong = await client.action({ Action: 'Ping' });
		expect(first(pong, 'Ping')).toBe('Pong');
	});

	it('drops filtered events early, and still delivers filtered list items to their list', async () => {
		await startServer();
		const client = makeClient({
			eventFilter: (name) => !['VarSet', 'CoreShowChannel', 'Newexten', 'FullyBooted'].includes(name)
		});
		await ready(client);
		const got: string[] = [];
		client.on('event', (m) => got.push(first(m, 'Event') ?? '?'));
		const list = await client.actionList({ Action: 'CoreShowChannels' });
		expect(list.items).toHaveLength(2);
		const done = next(client, 'event', (m) => first(m, 'Event') === 'Hangup');
		server.broadcast({ Event: 'VarSet', Variable: 'X', Value: '1' });
		server.broadcast({ Event: 'Hangup', Channel: 'PJSIP/1', Cause: '16' });
		await done;
		expect(got).toEqual(['Hangup']);
	});

	it('refuses header injection before anything is written', async () => {
		await startServer();
		const client = makeClient();
		await ready(client);
		const before = server.actions.length;
		const err: unknown = await client
			.action({
				Action: 'Originate',
				Channel: 'PJSIP/1001',
				CallerID: 'Evil\r\nAction: Hangup\r\nChannel: PJSIP/2'
			})
			.catch((e: unknown) => e);
		expect(err).toBeInstanceOf(AmiInjectionError);
		expect((err as AmiInjectionError).key).toBe('CallerID');
		await expect(client.action({ Action: 'Ping', ActionID: 'mine' })).rejects.toBeInstanceOf(TypeError);
		await client.action({ Action: 'CoreSettings' }); // round trip: the server saw only this since
		const since = server.actions.slice(before).map((a) => first(a, 'Action'));
		expect(since.filter((a) => a !== 'Ping')).toEqual(['CoreSettings']);
	});

	it('times out an unanswered action, removes it, and ignores a late response', async () => {
		await startServer();
		let lateId = '';
		server.handler = (a) => {
			if (first(a, 'Action') !== 'Slow') return undefined;
			lateId = first(a, 'ActionID') ?? '';
			return null;
		};
		const client = makeClient();
		await ready(client);
		await expect(client.action({ Action: 'Slow' }, { timeoutMs: 30 })).rejects.toBeInstanceOf(
			AmiTimeoutError
		);
		server.conns.at(-1)?.send({ Response: 'Success', ActionID: lateId });
		const pong = await client.action({ Action: 'Ping' });
		expect(first(pong, 'Ping')).toBe('Pong');
		expect(client.connected).toBe(true);
	});

	it('rejects actions when not logged in', async () => {
		await startServer();
		const client = makeClient();
		await expect(client.action({ Action: 'Ping' })).rejects.toBeInstanceOf(AmiNotConnectedError);
		await expect(client.actionList({ Action: 'Status' })).rejects.toBeInstanceOf(AmiNotConnectedError);
	});

	it('detects a half-open link by ping timeout and reconnects', async () => {
		await startServer();
		const client = makeClient();
		await ready(client);
		const disconnected = next(client, 'disconnect');
		const statusDown = next(client, 'status', (s) => !s.connected);
		server.stalled = true; // socket stays open, nothing is read or answered
		const [reason] = await disconnected;
		expect(reason).toMatch(/ping timeout|no data for/);
		expect((await statusDown)[0].connected).toBe(false);
		expect(client.connected).toBe(false);
		server.stalled = false;
		await next(client, 'ready');
		expect(server.conns.length).toBeGreaterThanOrEqual(2);
		expect(first(server.actionsNamed('Login').at(-1) ?? {}, 'ActionID')).toMatch(/^pbx1-\d+-1$/);
	});

	it('declares a silent link dead after pingTimeoutMs without waiting for the next Ping', async () => {
		await startServer();
		// The last Ping's deadline would come at interval + timeout; the watchdog fires at timeout.
		const client = makeClient({ pingIntervalMs: 600, pingTimeoutMs: 800 });
		await ready(client);
		const before = Date.now();
		const disconnected = next(client, 'disconnect');
		server.stalled = true;
		const [reason] = await disconnected;
		expect(reason).toMatch(/no data for \d+ ms/);
		expect(Date.now() - before).toBeGreaterThanOrEqual(700);
		server.stalled = false;
		await next(client, 'ready');
		expect(client.connected).toBe(true);
	});

	it('keeps a healthy link when our own process stalls past the silence deadline (answers wait unread)', async () => {
		await startServer();
		// pings every 100 ms, dead after 300 ms of silence: a 600 ms stall of this process outlasts it
		const client = makeClient({ pingIntervalMs: 100, pingTimeoutMs: 300 });
		await ready(client);
		let dropped = false;
		client.on('disconnect', () => (dropped = true));
		await new Promise((r) => setTimeout(r, 150));
		// a Ping goes out and the PBX (here, in this same process) answers before we stall; the
		// answer and an event then wait in the socket while this process is busy
		const pong = client.action({ Action: 'Ping' });
		await new Promise((r) => setImmediate(r));
		server.broadcast({ Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' });
		const until = Date.now() + 600;
		while (Date.now() < until) {
			// busy: timers and sockets wait
		}
		await expect(pong).resolves.toBeDefined();
		await new Promise((r) => setTimeout(r, 400));
		expect(dropped).toBe(false);
		expect(client.connected).toBe(true);
	});

	it('reconnects after the server drops the socket, failing pending actions; resync runs again', async () => {
		await startServer();
		let logins = 0;
		server.handler = (a) => (first(a, 'Action') === 'Slow' ? null : undefined);
		const client = makeClient({
			onLogin: async () => {
				logins++;
			}
		});
		await ready(client);
		const pending = client.action({ Action: 'Slow' });
		const again = next(client, 'ready');
		server.dropAll();
		await expect(pending).rejects.toBeInstanceOf(AmiNotConnectedError);
		await again;
		expect(logins).toBe(2);
		expect(client.connected).toBe(true);
	});

	it('keeps retrying after Authentication failed, and logs in once the secret is fixed', async () => {
		await startServer();
		server.secret = 'other';
		const client = makeClient();
		const errors: Error[] = [];
		client.on('error', (e) => errors.push(e));
		const failures = new Promise<void>((resolve) => {
			let n = 0;
			client.on('disconnect', (r) => {
				if (/Authentication failed/.test(r) && ++n === 3) resolve();
			});
		});
		const readyP = next(client, 'ready');
		client.start();
		await failures;
		expect(errors.length).toBeGreaterThanOrEqual(3);
		expect(errors[0]).toBeInstanceOf(AmiAuthError);
		server.secret = 'pw';
		await readyP;
		expect(client.connected).toBe(true);
	});

	it('a failing onLogin (resync) reconnects instead of going ready', async () => {
		await startServer();
		let n = 0;
		const client = makeClient({
			onLogin: async () => {
				if (++n < 3) throw new Error('resync boom');
			}
		});
		const errors: string[] = [];
		client.on('error', (e) => errors.push(e.message));
		await ready(client);
		expect(n).toBe(3);
		expect(errors.filter((m) => m.includes('resync boom'))).toHaveLength(2);
	});

	it('backs off exponentially up to reconnectMaxMs while the PBX is down', async () => {
		await startServer();
		const port = server.port;
		await server.close(); // nothing listens there any more
		const client = makeClient({ port, reconnectMinMs: 2, reconnectMaxMs: 16 });
		const delays: number[] = [];
		const attempts: number[] = [];
		const reasons: string[] = [];
		let disconnects = 0;
		client.on('disconnect', () => disconnects++);
		const enough = new Promise<void>((resolve) => {
			client.on('reconnect', ({ attempt, delayMs, reason }) => {
				delays.push(delayMs);
				attempts.push(attempt);
				reasons.push(reason);
				if (delays.length === 9) resolve();
			});
		});
		client.start();
		await enough;
		expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(reasons[0]).toMatch(/ECONNREFUSED/);
		expect(disconnects).toBe(0); // never connected, so never "disconnected"
		expect(Math.max(...delays)).toBeLessThanOrEqual(16);
		expect(delays.slice(4).every((d) => d >= 8)).toBe(true); // the step reached the cap
		await client.close();
		expect(client.activeTimers).toBe(0);
		server = new FakeAmi();
		await server.listen();
	});

	it('close() logs off, ends the socket, clears every timer; start() afterwards throws', async () => {
		await startServer();
		const handles = (): string[] =>
			process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap');
		const baseline = handles().sort();
		const client = makeClient();
		await ready(client);
		expect(client.activeTimers).toBeGreaterThan(0); // ping timer
		expect(handles().length).toBeGreaterThan(baseline.length);
		const serverSideClosed = once(server.conns[0]?.socket ?? new net.Socket(), 'close');
		const disconnect = next(client, 'disconnect');
		await client.close();
		expect(server.actionsNamed('Logoff')).toHaveLength(1);
		expect((await disconnect)[0]).toBe('closed');
		await serverSideClosed;
		await new Promise<void>((resolve) => setImmediate(resolve));
		expect(client.activeTimers).toBe(0);
		// no socket or timer of the client left in the process (other tests' leftovers may only go away)
		const count = (list: string[], kind: string): number => list.filter((r) => r === kind).length;
		const after = handles();
		expect(count(after, 'Timeout')).toBeLessThanOrEqual(count(baseline, 'Timeout'));
		expect(count(after, 'TCPSocketWrap')).toBeLessThanOrEqual(count(baseline, 'TCPSocketWrap'));
		expect(client.connected).toBe(false);
		expect(client.listenerCount('disconnect')).toBe(0);
		expect(() => client.start()).toThrow(/after close/);
		await client.close(); // idempotent
		await expect(client.action({ Action: 'Ping' })).rejects.toBeInstanceOf(AmiNotConnectedError);
	});

	it('close() while reconnecting cancels the reconnect timer', async () => {
		await startServer();
		const client = makeClient({ reconnectMinMs: 10_000, reconnectMaxMs: 10_000 });
		await ready(client);
		const scheduled = next(client, 'reconnect');
		server.dropAll();
		await scheduled;
		expect(client.activeTimers).toBe(1);
		await client.close();
		expect(client.activeTimers).toBe(0);
	});

	it('a throwing event listener does not kill the link', async () => {
		await startServer();
		const client = makeClient();
		await ready(client);
		const errors: string[] = [];
		client.on('error', (e) => errors.push(e.message));
		client.once('event', () => {
			throw new Error('listener bug');
		});
		const second = next(client, 'event', (m) => first(m, 'Event') === 'B');
		server.broadcast({ Event: 'A' });
		server.broadcast({ Event: 'B' });
		await second;
		expect(errors.some((m) => m.includes('listener bug'))).toBe(true);
		expect(client.connected).toBe(true);
	});
});

describe('backoffDelay', () => {
	it('doubles from min and caps at max; jitter keeps it within [step/2, step]', () => {
		const lo = [1, 2, 3, 4, 5, 6, 7, 30, 1000].map((a) => backoffDelay(a, 250, 5000, () => 0));
		const hi = [1, 2, 3, 4, 5, 6, 7, 30, 1000].map((a) => backoffDelay(a, 250, 5000, () => 1));
		expect(hi).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
		expect(lo).toEqual([125, 250, 500, 1000, 2000, 2500, 2500, 2500, 2500]);
	});
});
