import { describe, expect, it } from 'vitest';
import { makeAgents } from './cli';
import { FakeClock } from './clock';
import type { SimFields } from './fields';
import { startLoad } from './load';
import { PbxModel } from './model';

describe('load mode', () => {
	it('emits exactly rate × elapsed events, as complete synthetic calls on the agents', () => {
		const clock = new FakeClock();
		const m = new PbxModel({ agents: makeAgents(5), clock, seed: 1 });
		const events: SimFields[] = [];
		m.onEvent((f) => events.push(f));
		const load = startLoad(m, 2000);
		clock.advance(3000);
		expect(events.length).toBe(6000);
		expect(load.emitted).toBe(6000);
		const names = new Map<string, number>();
		for (const f of events) names.set(String(f.Event), (names.get(String(f.Event)) ?? 0) + 1);
		expect(Object.fromEntries(names)).toEqual({
			Newchannel: 1200,
			VarSet: 1200,
			Newstate: 2400,
			Hangup: 1200
		});
		expect(
			events.every((f) => typeof f.Channel === 'string' && /^PJSIP\/100[1-5]-[0-9a-f]{8}$/.test(f.Channel))
		).toBe(true);
		load.stop();
		clock.advance(1000);
		expect(events.length).toBe(6000);
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
