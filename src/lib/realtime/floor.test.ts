import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentView, FloorPatchMessage, FloorSnapshot } from '$lib/protocol';
import { FloorModel } from './floor-model';
import { FloorStore } from './floor.svelte';
import type { HubSocket } from './socket';

function agent(id: string, state: AgentView['state'] = 'idle', since = 1_000): AgentView {
	return {
		id,
		name: `Agent ${id}`,
		endpoint: `PJSIP/${id}`,
		pbx: 'sim',
		teamIds: ['t1'],
		state,
		since,
		pauseReason: null,
		call: null,
		today: { dials: 0, connects: 0, talkSeconds: 0 },
		handRaised: false,
		queues: []
	};
}

function snapshot(version: number, agents: AgentView[], serverTime = 50_000): FloorSnapshot {
	return {
		version,
		serverTime,
		agents,
		queues: [],
		monitors: [],
		pbx: [{ name: 'sim', connected: true, since: 0, lastEventAt: null }]
	};
}

function patch(version: number, ...agents: AgentView[]): FloorPatchMessage {
	return { version, serverTime: 50_000 + version, patches: agents.map((a) => ({ kind: 'agent', agent: a })) };
}

describe('FloorModel', () => {
	it('applies messages in order, skips those already in the snapshot and stops at a gap', () => {
		const model = new FloorModel();
		model.load(snapshot(5, [agent('a'), agent('b')]));
		const r1 = model.apply([
			patch(4, agent('a', 'paused')),
			patch(5, agent('a', 'paused')),
			patch(6, agent('a', 'talking'))
		]);
		expect(r1).toEqual({ changed: { agents: true, queues: false, monitors: false, pbx: false }, gap: false });
		expect(model.version).toBe(6);
		expect(model.agents().map((a) => a.state)).toEqual(['talking', 'idle']);

		const r2 = model.apply([patch(7, agent('b', 'dialing')), patch(9, agent('b', 'talking'))]);
		expect(r2.gap).toBe(true);
		expect(model.version).toBe(7);
		expect(model.agents().find((a) => a.id === 'b')?.state).toBe('dialing');
	});

	it('treats a message without a usable version as a gap, and anything before a snapshot too', () => {
		const model = new FloorModel();
		expect(model.apply([patch(1)]).gap).toBe(true);
		model.load(snapshot(0, []));
		expect(model.apply([{ ...patch(1), version: Number.NaN }]).gap).toBe(true);
	});

	it('keeps monitors per agent and drops ended ones', () => {
		const model = new FloorModel();
		model.load(snapshot(0, [agent('a')]));
		const monitor = {
			id: 'm1',
			supervisorId: 's',
			supervisorName: 'Sophie',
			agentId: 'a',
			mode: 'listen' as const,
			spyerChannel: 'x',
			since: 1
		};
		model.apply([{ version: 1, serverTime: 1, patches: [{ kind: 'monitor', monitor }] }]);
		expect(model.monitorsByAgent().get('a')).toEqual([monitor]);
		const r = model.apply([
			{ version: 2, serverTime: 2, patches: [{ kind: 'monitorEnded', monitorId: 'm1' }] }
		]);
		expect(r.changed.monitors).toBe(true);
		expect(model.monitorsByAgent().size).toBe(0);
	});
});

/** Just enough of a socket.io client socket to drive the store. */
class FakeSocket {
	connected = false;
	active = false;
	readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
	readonly emitted: { event: string; args: unknown[]; ack: (err: Error | null, value?: unknown) => void }[] =
		[];

	on(event: string, fn: (...args: unknown[]) => void) {
		this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
		return this;
	}
	off(event: string, fn: (...args: unknown[]) => void) {
		this.handlers.set(
			event,
			(this.handlers.get(event) ?? []).filter((h) => h !== fn)
		);
		return this;
	}
	connect() {
		this.active = true;
		return this;
	}
	disconnect() {
		this.active = false;
		this.connected = false;
		return this;
	}
	timeout() {
		return {
			emit: (event: string, ...rest: unknown[]) => {
				const ack = rest.pop() as (err: Error | null, value?: unknown) => void;
				this.emitted.push({ event, args: rest, ack });
			}
		};
	}
	fire(event: string, ...args: unknown[]) {
		for (const h of this.handlers.get(event) ?? []) h(...args);
	}
	serverConnects() {
		this.connected = true;
		this.fire('connect');
	}
	listenerCount() {
		return [...this.handlers.values()].reduce((n, l) => n + l.length, 0);
	}
}

describe('FloorStore', () => {
	let socket: FakeSocket;
	let frames: (() => void)[];
	let store: FloorStore;

	beforeEach(() => {
		vi.useFakeTimers();
		socket = new FakeSocket();
		frames = [];
		store = new FloorStore({
			socket: () => socket as unknown as HubSocket,
			schedule: (run) => {
				frames.push(run);
				return () => frames.splice(frames.indexOf(run), 1);
			}
		});
	});
	afterEach(() => {
		store.destroy();
		vi.useRealTimers();
	});

	function frame() {
		const run = frames.splice(0);
		for (const f of run) f();
	}

	it('subscribes on connect, loads the snapshot and measures the clock offset', () => {
		vi.setSystemTime(40_000);
		store.connect();
		expect(store.status).toBe('connecting');
		socket.serverConnects();
		expect(socket.emitted.map((e) => e.event)).toEqual(['floor:subscribe']);
		socket.emitted[0]!.ack(null, { ok: true, data: snapshot(3, [agent('a')], 50_000) });
		expect(store.status).toBe('live');
		expect(store.version).toBe(3);
		expect(store.agents.map((a) => a.id)).toEqual(['a']);
		expect(store.clock.offset).toBe(10_000);
		expect(store.clock.now).toBe(50_000);
		vi.advanceTimersByTime(2_000);
		expect(store.clock.now).toBe(52_000);
	});

	it('applies all patches of a frame at once, and asks for a snapshot on a gap', () => {
		store.connect();
		socket.serverConnects();
		socket.emitted[0]!.ack(null, { ok: true, data: snapshot(0, [agent('a'), agent('b')]) });
		const before = store.agents;
		socket.fire('floor:patch', patch(1, agent('a', 'dialing')));
		socket.fire('floor:patch', patch(2, agent('a', 'talking')));
		expect(store.agents).toBe(before); // nothing until the frame
		expect(frames).toHaveLength(1);
		frame();
		expect(store.agents.map((a) => a.state)).toEqual(['talking', 'idle']);
		expect(store.agents[1]).toBe(before[1]); // untouched agents keep their object: no re-render
		expect(store.version).toBe(2);

		socket.fire('floor:patch', patch(4, agent('b', 'paused')));
		frame();
		expect(socket.emitted.at(-1)?.event).toBe('floor:snapshot');
		// patches wait while the snapshot is on its way, then the snapshot replaces them
		socket.fire('floor:patch', patch(5, agent('b', 'paused')));
		frame();
		expect(store.version).toBe(2);
		socket.emitted
			.at(-1)!
			.ack(null, { ok: true, data: snapshot(5, [agent('a', 'talking'), agent('b', 'paused')]) });
		expect(store.version).toBe(5);
		socket.fire('floor:patch', patch(6, agent('b', 'idle')));
		frame();
		expect(store.agents.map((a) => a.state)).toEqual(['talking', 'idle']);
	});

	it('takes a snapshot pushed by the hub and drops what was buffered before it', () => {
		store.connect();
		socket.serverConnects();
		socket.emitted[0]!.ack(null, { ok: true, data: snapshot(10, [agent('a')]) });
		socket.fire('floor:patch', patch(11, agent('a', 'dialing')));
		socket.fire('floor:snapshot', snapshot(20, [agent('a', 'talking')]));
		frame();
		expect(store.version).toBe(20);
		expect(store.agents[0]?.state).toBe('talking');
	});

	it('shows the disconnection, keeps the last floor and resubscribes on reconnect', () => {
		store.connect();
		socket.serverConnects();
		socket.emitted[0]!.ack(null, { ok: true, data: snapshot(1, [agent('a')]) });
		socket.connected = false;
		socket.fire('disconnect', 'transport close');
		expect(store.status).toBe('disconnected');
		expect(store.agents).toHaveLength(1);
		socket.serverConnects();
		expect(socket.emitted.filter((e) => e.event === 'floor:subscribe')).toHaveLength(2);
		// a late ack of the first connection is ignored
		socket.emitted[0]!.ack(null, { ok: true, data: snapshot(99, []) });
		expect(store.version).toBe(null);
		socket.emitted[1]!.ack(null, { ok: true, data: snapshot(0, [agent('a'), agent('b')]) });
		expect(store.status).toBe('live');
		expect(store.agents).toHaveLength(2);
	});

	it('retries a failed subscribe, and stops on a refused session', () => {
		store.connect();
		socket.serverConnects();
		socket.emitted[0]!.ack(new Error('operation has timed out'));
		vi.advanceTimersByTime(2_000);
		expect(socket.emitted).toHaveLength(2);
		socket.emitted[1]!.ack(null, { ok: false, error: { code: 'forbidden', message: 'no' } });
		expect(store.denied).toBe(true);
		vi.advanceTimersByTime(10_000);
		expect(socket.emitted).toHaveLength(2);
	});

	it('sends a command and resolves with its Ack, or unavailable without a connection or an answer', async () => {
		await expect(store.command('monitor:stop', { monitorId: 'm1' })).resolves.toEqual({
			ok: false,
			error: { code: 'unavailable', message: '' }
		});
		store.connect();
		socket.serverConnects();
		const started = store.command('monitor:start', {
			agentId: 'a',
			mode: 'listen',
			ringTo: { number: '0611' }
		});
		const sent = socket.emitted.at(-1)!;
		expect(sent.event).toBe('monitor:start');
		expect(sent.args).toEqual([{ agentId: 'a', mode: 'listen', ringTo: { number: '0611' } }]);
		sent.ack(null, { ok: true, data: { monitorId: 'm1' } });
		await expect(started).resolves.toEqual({ ok: true, data: { monitorId: 'm1' } });

		const refused = store.command('monitor:switch', { monitorId: 'm1', mode: 'barge' });
		socket.emitted.at(-1)!.ack(null, { ok: false, error: { code: 'not_found', message: 'gone' } });
		await expect(refused).resolves.toEqual({ ok: false, error: { code: 'not_found', message: 'gone' } });

		const lost = store.command('monitor:stop', { monitorId: 'm1' });
		socket.emitted.at(-1)!.ack(new Error('operation has timed out'));
		await expect(lost).resolves.toEqual({ ok: false, error: { code: 'unavailable', message: '' } });
	});

	it('keeps the hub health the server sends (the degraded notice) until the next one', () => {
		store.connect();
		socket.serverConnects();
		expect(store.degraded).toBeNull();
		const degraded = { cause: 'redis_unreachable' as const, since: 40_000, leading: true };
		socket.fire('hub:health', { degraded });
		expect(store.degraded).toEqual(degraded);
		socket.fire('hub:health', { degraded: null });
		expect(store.degraded).toBeNull();
	});

	it('destroy removes every listener and timer', () => {
		store.connect();
		socket.serverConnects();
		socket.emitted[0]!.ack(null, { ok: true, data: snapshot(0, []) });
		socket.fire('floor:patch', patch(1, agent('a')));
		store.destroy();
		expect(socket.listenerCount()).toBe(0);
		expect(frames).toHaveLength(0);
		expect(vi.getTimerCount()).toBe(0);
		expect(socket.active).toBe(false);
	});
});
