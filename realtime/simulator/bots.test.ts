import { describe, expect, it } from 'vitest';
import { makeAgents } from './cli';
import { FakeClock } from './clock';
import type { SimFields } from './fields';
import { PbxModel } from './model';
import type { AgentActivity, PbxModelOptions } from './model';

function floor(opts: Partial<PbxModelOptions> = {}): { m: PbxModel; clock: FakeClock; events: SimFields[] } {
	const clock = new FakeClock();
	const m = new PbxModel({ agents: makeAgents(10), clock, seed: 5, bots: true, ...opts });
	const events: SimFields[] = [];
	m.onEvent((f) => events.push(f));
	return { m, clock, events };
}

const s = (f: SimFields, k: string): string | undefined => {
	const v = f[k];
	return typeof v === 'string' ? v : v?.[0];
};

describe('bot agents', () => {
	it('with a fake clock advanced, every bot goes through dialing, talking, wrap-up and idle', () => {
		const { m, clock } = floor();
		const seen = new Map<string, AgentActivity[]>();
		for (let t = 0; t < 15 * 60; t++) {
			clock.advance(1000);
			for (const a of m.agents()) {
				const list = seen.get(a.endpoint) ?? [];
				const act = m.agentActivity(a.endpoint);
				if (list.at(-1) !== act) list.push(act);
				seen.set(a.endpoint, list);
			}
		}
		for (const [ep, acts] of seen) {
			for (const want of ['dialing', 'talking', 'wrapup', 'idle'] as const)
				expect(acts, `${ep} ${want}`).toContain(want);
			// a call is dialled before it is talked
			expect(acts.indexOf('dialing'), ep).toBeLessThan(acts.lastIndexOf('talking'));
		}
	});

	it('bots produce every outcome, pause with reasons through QueuePause, and answer inbound queue calls', () => {
		const { clock, events } = floor({ botProfile: { inboundEveryMs: 10_000, pauseChance: 0.2 } });
		clock.advance(30 * 60 * 1000);
		const dialEnds = new Set(
			events
				.filter(
					(f) => s(f, 'Event') === 'DialEnd' && s(f, 'DestChannel')?.startsWith('PJSIP/trunk-') === true
				)
				.map((f) => s(f, 'DialStatus'))
		);
		expect([...dialEnds].sort()).toEqual(['ANSWER', 'BUSY', 'CONGESTION', 'NOANSWER']);
		const pauses = events.filter((f) => s(f, 'Event') === 'QueueMemberPause' && s(f, 'Paused') === '1');
		expect(pauses.length).toBeGreaterThan(0);
		for (const p of pauses)
			expect(['break', 'lunch', 'training', 'coaching']).toContain(s(p, 'PausedReason'));
		expect(
			events.filter((f) => s(f, 'Event') === 'QueueMemberPause' && s(f, 'Paused') === '0').length
		).toBeGreaterThan(0);
		expect(events.filter((f) => s(f, 'Event') === 'AgentConnect').length).toBeGreaterThan(10);
		expect(events.filter((f) => s(f, 'Event') === 'AgentComplete').map((f) => s(f, 'Reason'))).toEqual(
			expect.arrayContaining(['caller', 'agent'])
		);
	});

	it('setBot(endpoint, false): a human only gets calls it is given; setBot(…, true) resumes', () => {
		const { m, clock, events } = floor({ queues: [] });
		m.setBot('PJSIP/1001', false);
		expect(m.isBot('PJSIP/1001')).toBe(false);
		expect(m.isBot('PJSIP/1002')).toBe(true);
		clock.advance(10 * 60 * 1000);
		const onHuman = (f: SimFields): boolean =>
			s(f, 'Event') === 'Newchannel' && s(f, 'Channel')?.startsWith('PJSIP/1001-') === true;
		expect(events.filter(onHuman).length).toBe(0);
		expect(
			events.filter(
				(f) => s(f, 'Event') === 'Newchannel' && s(f, 'Channel')?.startsWith('PJSIP/1002-') === true
			).length
		).toBeGreaterThan(3);
		// the app dials for the human: the model answers its phone
		m.originate({ channel: 'PJSIP/1001', context: 'outbound', exten: '0612345678' });
		clock.advance(3000);
		expect(m.agentActivity('PJSIP/1001')).toBe('talking');
		// back to bot while still on that call: the bot resumes once the call ends
		m.setBot('PJSIP/1001', true);
		clock.advance(60_000);
		expect(m.agentActivity('PJSIP/1001')).toBe('talking');
		expect(m.hangupMatching(/^PJSIP\/1001-/).length).toBe(1);
		const n = events.filter(onHuman).length;
		clock.advance(10 * 60 * 1000);
		expect(events.filter(onHuman).length).toBeGreaterThan(n);
	});

	it('a phone a person just took over gets no queue call for a moment: their own Originate goes first', () => {
		// one agent, no bot traffic of its own (no inbound timer), a caller waiting in sales
		const clock = new FakeClock();
		const m = new PbxModel({
			agents: makeAgents(1),
			clock,
			seed: 5,
			bots: true,
			botProfile: { inboundEveryMs: 0, idleMs: [3_600_000, 3_600_000] }
		});
		const events: SimFields[] = [];
		m.onEvent((f) => events.push(f));
		m.queuePause({ iface: 'PJSIP/1001', paused: true });
		m.inboundCall({ queue: 'sales', callerNum: '5550101', talkMs: 3000 });
		clock.advance(1000);
		// the person takes over and the pause ends; the waiting caller is not put through at once
		m.setBot('PJSIP/1001', false);
		m.queuePause({ iface: 'PJSIP/1001', paused: false });
		const rung = () => events.filter((f) => s(f, 'Event') === 'AgentCalled').length;
		clock.advance(4000);
		expect(rung()).toBe(0);
		expect(m.agentActivity('PJSIP/1001')).toBe('idle');
		clock.advance(1500);
		expect(rung()).toBe(1);
	});

	it('a share of inbound callers are existing leads calling back, with their E.164 number', () => {
		const leads = ['+33140000001', '+33140000002', '+33140000003'];
		const { m, clock, events } = floor({ botProfile: { inboundEveryMs: 5000, inboundLeadShare: 0.5 } });
		m.bots.setInboundLeadNumbers(leads);
		clock.advance(30 * 60 * 1000);
		const callers = events.filter((f) => s(f, 'Event') === 'QueueCallerJoin').map((f) => s(f, 'CallerIDNum') ?? '');
		expect(callers.length).toBeGreaterThan(100);
		const fromLeads = callers.filter((n) => leads.includes(n)).length;
		// about half (seeded RNG): neither none nor all
		expect(fromLeads).toBeGreaterThan(callers.length * 0.3);
		expect(fromLeads).toBeLessThan(callers.length * 0.7);
	});

	it('a person taking over from a bot on its break is not left paused', () => {
		const { m, clock } = floor({ botProfile: { pauseChance: 1 } });
		clock.advance(15_000);
		expect(m.agentActivity('PJSIP/1001')).toBe('paused');
		m.setBot('PJSIP/1001', false);
		expect(m.agentPaused('PJSIP/1001')).toBe(false);
	});

	it('bots off: nothing happens by itself', () => {
		const { clock, events } = floor({ bots: false });
		clock.advance(60 * 60 * 1000);
		expect(events).toEqual([]);
	});
});
