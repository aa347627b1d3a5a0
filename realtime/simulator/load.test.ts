import { describe, expect, it } from 'vitest';
import { makeAgents } from './cli';
import { FakeClock } from './clock';
import type { SimFields } from './fields';
import { CALL_EVENTS, startLoad } from './load';
import { PbxModel } from './model';

describe('load mode', () => {
	it('emits exactly rate × elapsed events, as complete synthetic calls on the agents, with a real call’s mix', () => {
		const clock = new FakeClock();
		const m = new PbxModel({ agents: makeAgents(5), clock, seed: 1 });
		const events: SimFields[] = [];
		m.onEvent((f) => events.push(f));
		const rate = 10 * CALL_EVENTS;
		const load = startLoad(m, rate);
		clock.advance(3000);
		expect(events.length).toBe(3 * rate);
		expect(load.emitted).toBe(3 * rate);
		const names = new Map<string, number>();
		for (const f of events) names.set(String(f.Event), (names.get(String(f.Event)) ?? 0) + 1);
		// 30 calls of ~140 events, as the transcripts' volume: VarSet and Newexten most of it
		expect(Object.fromEntries(names)).toEqual({
			Newchannel: 30,
			NewCallerid: 30,
			VarSet: 30 * 81,
			Newexten: 30 * 45,
			DeviceStateChange: 30 * 3,
			Newstate: 30 * 2,
			NewConnectedLine: 30 * 2,
			HangupHandlerPush: 30,
			HangupRequest: 30,
			SoftHangupRequest: 30 * 2,
			HangupHandlerRun: 30,
			Hangup: 30
		});
		const withChannel = events.filter((f) => f.Event !== 'DeviceStateChange');
		expect(
			withChannel.every(
				(f) => typeof f.Channel === 'string' && /^PJSIP\/100[1-5]-[0-9a-f]{8}$/.test(f.Channel)
			)
		).toBe(true);
		expect(
			events
				.filter((f) => f.Event === 'DeviceStateChange')
				.every((f) => typeof f.Device === 'string' && /^PJSIP\/100[1-5]$/.test(f.Device))
		).toBe(true);
		load.stop();
		clock.advance(1000);
		expect(events.length).toBe(3 * rate);
	});

	it('lists the synthetic call in flight among the live channels, as CoreShowChannels would, until its Hangup', () => {
		const clock = new FakeClock();
		const m = new PbxModel({ agents: makeAgents(2), clock, seed: 1 });
		/** after each event: the synthetic channels the model lists */
		const listed: Array<{ event: string; channels: string[] }> = [];
		m.onEvent((f) => listed.push({ event: String(f.Event), channels: m.channels().map((c) => c.name) }));
		// half a call per 10 ms tick: the call is up across ticks
		const load = startLoad(m, CALL_EVENTS * 50);
		clock.advance(10);
		const first = listed[0]!;
		expect(first.event).toBe('Newchannel');
		expect(m.channels()).toHaveLength(1);
		const up = m.channels()[0]!;
		expect(up.name).toMatch(/^PJSIP\/1001-/);
		expect(up.device).toBe('PJSIP/1001');
		clock.advance(10);
		// Newchannel is listed once emitted, the Hangup's channel no more, and never two at a time
		const hangup = listed.findIndex((l) => l.event === 'Hangup');
		expect(listed.slice(0, hangup).every((l) => l.channels.length === 1)).toBe(true);
		expect(m.channels().map((c) => c.name)).not.toContain(up.name);
		load.stop({ finish: true });
		expect(m.channels()).toEqual([]);
	});

	it('counts the bots’ own events and tops up to the rate', () => {
		const clock = new FakeClock();
		const m = new PbxModel({ agents: makeAgents(20), clock, seed: 1, bots: true });
		let n = 0;
		m.onEvent(() => n++);
		startLoad(m, 500);
		clock.advance(60_000);
		expect(n).toBe(30_000);
	});

	it('drops a backlog of more than one second instead of bursting it', () => {
		const clock = new FakeClock();
		const m = new PbxModel({ agents: makeAgents(1), clock, seed: 1 });
		let n = 0;
		m.onEvent(() => n++);
		startLoad(m, 100, { tickMs: 5000 });
		clock.advance(5000);
		expect(n).toBe(100);
	});
});
