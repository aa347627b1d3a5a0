/**
 * Golden tests: the real Asterisk transcripts replayed through parser → normalize → reduce,
 * with a tick every second of transcript time (like the hub). Expected values are checked by hand
 * against the recordings (see ../shared/ami-transcripts/README.md).
 */
import { describe, expect, it } from 'vitest';
import type { FloorPatch, FloorSnapshot, MonitorMode } from '../../src/lib/protocol';
import { first } from '../ami/parser';
import { initialFloorState, reduce, snapshot } from './index';
import type { CallFact, FloorConfig, FloorInput, FloorState } from './index';
import {
	PBX,
	directoryOf,
	hasTranscript,
	lastFacts,
	loadTranscript,
	replay,
	stateTrail
} from './test-support';
import type { Recorded, Replay, ReplayOptions } from './test-support';

const THREE = ['agent1', 'agent2', 'agent3'];
const FIFTY = Array.from({ length: 50 }, (_, i) => `agent${String(i + 1).padStart(2, '0')}`);

function start(
	recs: readonly Recorded[],
	agents: readonly string[],
	config: Partial<FloorConfig> = {}
): FloorState {
	const t0 = recs[0]?.now ?? 0;
	return reduce(initialFloorState(config, t0), { type: 'directory', agents: directoryOf(agents) }, t0).state;
}

/** the hub's ActionID → callId map */
const callIdOf = (actionId: string): string => `call:${actionId}`;

function run(
	name: string,
	agents: readonly string[],
	opts: ReplayOptions = {},
	config: Partial<FloorConfig> = {}
): Replay & { t0: number } {
	const recs = loadTranscript(name);
	return { ...replay(start(recs, agents, config), recs, { callIdOf, ...opts }), t0: recs[0]?.now ?? 0 };
}

const TIME_KEYS = new Set([
	'since',
	'serverTime',
	'startedAt',
	'answeredAt',
	'endedAt',
	'lastEventAt',
	'longestSince',
	'from',
	'to'
]);

/** Times as ms since the transcript start, so snapshots read well. */
function rel<T>(value: T, t0: number): T {
	return JSON.parse(
		JSON.stringify(value, (k, v: unknown) => (TIME_KEYS.has(k) && typeof v === 'number' ? v - t0 : v))
	) as T;
}

function finalSnapshot(r: Replay & { t0: number }): FloorSnapshot {
	return rel(snapshot(r.state, 1, r.state.now), r.t0);
}

function factsBy(r: Replay, pick: (f: CallFact) => string | null): Map<string, CallFact> {
	const m = new Map<string, CallFact>();
	for (const f of lastFacts(r.effects).values()) {
		const k = pick(f);
		if (k !== null) m.set(k, f);
	}
	return m;
}

function intervals(r: Replay, agentId: string): Array<[string, number]> {
	return r.effects
		.filter((e) => e.kind === 'agentState' && e.agentId === agentId)
		.map((e) =>
			e.kind === 'agentState'
				? [e.reason === null ? e.state : `${e.state}:${e.reason}`, e.to - e.from]
				: ['', 0]
		);
}

describe.skipIf(!hasTranscript('b_click2call_answered'))('golden b: click-to-call answered', () => {
	const r = run('b_click2call_answered', THREE);

	it('agent1 goes dialing → talking → wrapup with 1 dial, 1 connect, 3 s talk', () => {
		expect(stateTrail(r.steps, 'agent1')).toEqual(['dialing', 'talking', 'wrapup']);
		const a = snapshot(r.state, 1, r.state.now).agents.find((x) => x.id === 'agent1');
		expect(a?.today).toEqual({ dials: 1, connects: 1, talkSeconds: 3 });
		const talking = intervals(r, 'agent1').find(([s]) => s === 'talking');
		expect(talking?.[1]).toBeGreaterThan(2900);
		expect(talking?.[1]).toBeLessThan(3200);
		// the number is known as soon as the OriginateResponse arrives (its Exten)
		const dialing = r.patches.filter(
			(p): p is Extract<FloorPatch, { kind: 'agent' }> => p.kind === 'agent' && p.agent.state === 'dialing'
		);
		// (other patches while dialing, e.g. the agent's queue memberships arriving, repeat a number)
		const numbers = dialing.map((p) => p.agent.call?.number).filter((n, i, all) => i === 0 || n !== all[i - 1]);
		expect(numbers).toEqual(['', '5551234']);
	});

	it('one call fact, answered and ended', () => {
		const facts = lastFacts(r.effects);
		expect([...facts.keys()]).toEqual(['pbx1/1795609452.26']);
		const f = facts.get('pbx1/1795609452.26');
		expect(f).toMatchObject({
			direction: 'out',
			agentId: 'agent1',
			number: '5551234',
			callId: 'call:c2c-answered-1',
			dialStatus: 'ANSWER',
			hangupCause: 16
		});
		expect(f?.answeredAt).not.toBeNull();
		expect(f?.endedAt).toBeGreaterThan(f?.answeredAt ?? Infinity);
	});

	it('wrap-up ends after 30 s', () => {
		const later = reduce(r.state, { type: 'tick' }, r.state.now + 30_000).state;
		expect(snapshot(later, 2, later.now).agents.find((a) => a.id === 'agent1')?.state).toBe('idle');
	});

	it('final snapshot', () => {
		expect(finalSnapshot(r)).toMatchSnapshot();
	});
});

describe.skipIf(!hasTranscript('b2_click2call_timestampevents_chanvars'))(
	'golden b2: Timestamp + ChanVariable',
	() => {
		const r = run('b2_click2call_timestampevents_chanvars', THREE);

		it('agent2 dialing → talking → wrapup, talk ≈ 3 s', () => {
			expect(stateTrail(r.steps, 'agent2')).toEqual(['dialing', 'talking', 'wrapup']);
			const a = snapshot(r.state, 1, r.state.now).agents.find((x) => x.id === 'agent2');
			expect(a?.today).toEqual({ dials: 1, connects: 1, talkSeconds: 3 });
			const [f, ...rest] = lastFacts(r.effects).values();
			expect(rest).toEqual([]);
			expect(f).toMatchObject({
				agentId: 'agent2',
				number: '5551236',
				dialStatus: 'ANSWER',
				direction: 'out'
			});
		});
	}
);

describe.skipIf(!hasTranscript('c_click2call_failures'))('golden c: failure outcomes', () => {
	const r = run('c_click2call_failures', THREE);
	const byCallId = factsBy(r, (f) => f.callId);

	it('maps every attempt to its outcome (Hangup cause before DialEnd)', () => {
		const outcome = (actionId: string) => {
			const f = byCallId.get(callIdOf(actionId));
			return f === undefined
				? undefined
				: [f.agentId, f.number, f.dialStatus, f.hangupCause, f.answeredAt === null];
		};
		expect(outcome('c2c-5550486')).toEqual(['agent1', '5550486', 'BUSY', 17, true]);
		expect(outcome('c2c-5550487')).toEqual(['agent1', '5550487', 'NOANSWER', 16, true]);
		expect(outcome('c2c-5550488')).toEqual(['agent1', '5550488', 'CONGESTION', 34, true]);
		// DialEnd said NOANSWER, the callee hung up with cause 1 (DIALSTATUS CHANUNAVAIL)
		expect(outcome('c2c-5550489')).toEqual(['agent1', '5550489', 'CHANUNAVAIL', 1, true]);
		// the agent never answered his own leg: OriginateResponse Failure (no Uniqueid) correlated by endpoint
		expect(outcome('c2c-agent-noanswer')).toEqual(['agent2', '5551234', 'NOANSWER', 19, true]);
		// direct originates of the customer leg (no agent), failures correlated by the dial string
		expect(outcome('direct-5550486')).toEqual([null, '5550486', 'BUSY', 17, true]);
		expect(outcome('direct-5550488')).toEqual([null, '5550488', 'CONGESTION', 34, true]);
		expect(outcome('direct-5550487')).toEqual([null, '5550487', 'NOANSWER', 19, true]);
	});

	it('the synchronous originate (no OriginateResponse) is answered', () => {
		const sync = [...lastFacts(r.effects).values()].find((f) => f.number === '5551235');
		expect(sync).toMatchObject({ agentId: 'agent1', callId: null, dialStatus: 'ANSWER', direction: 'out' });
		expect(lastFacts(r.effects).size).toBe(9);
	});

	it('counters and states', () => {
		const snap = snapshot(r.state, 1, r.state.now);
		expect(snap.agents.map((a) => [a.id, a.state, a.today])).toEqual([
			['agent1', 'wrapup', { dials: 5, connects: 1, talkSeconds: 2 }],
			['agent2', 'idle', { dials: 0, connects: 0, talkSeconds: 0 }],
			['agent3', 'offline', { dials: 0, connects: 0, talkSeconds: 0 }]
		]);
		// failed attempts do not go through wrap-up
		expect(stateTrail(r.steps, 'agent1')).toEqual([
			'dialing',
			'idle',
			'dialing',
			'idle',
			'dialing',
			'idle',
			'dialing',
			'idle',
			'dialing',
			'talking',
			'wrapup'
		]);
		expect(stateTrail(r.steps, 'agent2')).toEqual(['dialing', 'idle']);
	});

	it('final snapshot', () => {
		expect(finalSnapshot(r)).toMatchSnapshot();
	});
});

describe.skipIf(!hasTranscript('d_queue_inbound'))('golden d: inbound queue, pauses', () => {
	const r = run('d_queue_inbound', THREE);

	it('pause reasons lunch / training / break; a pause ends the wrap-up', () => {
		expect(stateTrail(r.steps, 'agent1')).toEqual([
			'idle',
			'ringing',
			'talking',
			'wrapup',
			'paused:lunch',
			'idle'
		]);
		expect(stateTrail(r.steps, 'agent2')).toEqual([
			'idle',
			'ringing',
			'talking',
			'wrapup',
			'paused:training',
			'idle'
		]);
		expect(stateTrail(r.steps, 'agent3')).toEqual([
			'idle',
			'paused:break',
			'idle',
			'ringing',
			'talking',
			'wrapup'
		]);
		const logged = new Set(
			r.effects.flatMap((e) => (e.kind === 'agentState' && e.reason !== null ? [e.reason] : []))
		);
		expect([...logged].sort()).toEqual(['break', 'lunch', 'training']);
	});

	it('queue waiting counts and members/paused', () => {
		const sales = r.patches.flatMap((p) => (p.kind === 'queue' && p.queue.name === 'sales' ? [p.queue] : []));
		const waiting = sales.map((q) => q.waiting).filter((w, i, a) => i === 0 || a[i - 1] !== w);
		// five callers, one at a time
		expect(waiting).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
		expect(Math.max(...sales.map((q) => q.paused))).toBe(3);
		for (const q of sales) expect(q.longestSince === null).toBe(q.waiting === 0);
		const snap = snapshot(r.state, 1, r.state.now);
		expect(snap.queues.map((q) => [q.name, q.waiting, q.members, q.paused])).toEqual([
			['sales', 0, 2, 0],
			['support', 0, 1, 0]
		]);
	});

	it('AgentConnect/AgentComplete calls: 3 answered, 2 abandoned (caller hung up, queue timeout)', () => {
		const facts = [...lastFacts(r.effects).values()];
		expect(facts.map((f) => [f.number, f.queue, f.agentId, f.dialStatus, f.direction])).toEqual([
			['5550101', 'sales', 'agent2', 'ANSWER', 'in'],
			['5550102', 'sales', 'agent1', 'ANSWER', 'in'],
			['5550103', 'sales', null, 'ABANDON', 'in'],
			['5550104', 'sales', null, 'ABANDON', 'in'],
			['5550105', 'sales', 'agent3', 'ANSWER', 'in']
		]);
		const today = snapshot(r.state, 1, r.state.now).agents.map((a) => [
			a.id,
			a.today.connects,
			a.today.dials
		]);
		expect(today).toEqual([
			['agent1', 1, 0],
			['agent2', 1, 0],
			['agent3', 1, 0]
		]);
	});

	it('service level of the day: 5 offered, 3 answered (all within 20 s), 2 abandoned (hang-up and timeout)', () => {
		const sales = finalSnapshot(r).queues.find((q) => q.name === 'sales');
		expect(sales).toMatchObject({ offered: 5, answered: 3, answeredInSl: 3, abandoned: 2, serviceLevelSeconds: 20 });
	});

	it('a tighter threshold counts only the callers answered within it', () => {
		const strict = run('d_queue_inbound', THREE, {}, { serviceLevelSeconds: 0 });
		const sales = finalSnapshot(strict).queues.find((q) => q.name === 'sales');
		// every caller waited at least a second before an agent connected
		expect(sales).toMatchObject({ answered: 3, answeredInSl: 0, serviceLevelSeconds: 0 });
	});

	it('final snapshot', () => {
		expect(finalSnapshot(r)).toMatchSnapshot();
	});
});

describe.skipIf(!hasTranscript('d2_queue_ringnoanswer'))('golden d2: ring no answer', () => {
	const r = run('d2_queue_ringnoanswer', THREE);

	it('agent3 rings three times without answering; the caller abandons; agent2 answers the next', () => {
		expect(stateTrail(r.steps, 'agent3')).toEqual(['ringing', 'idle', 'ringing', 'idle', 'ringing', 'idle']);
		expect(stateTrail(r.steps, 'agent2')).toEqual(['ringing', 'talking', 'wrapup']);
		const facts = [...lastFacts(r.effects).values()].map((f) => [f.queue, f.agentId, f.dialStatus]);
		expect(facts).toEqual([
			['support', 'agent3', 'ABANDON'],
			['sales', 'agent2', 'ANSWER']
		]);
	});

	it('ring-no-answer is not an answer: support 1 offered 1 abandoned, sales 1 offered 1 answered', () => {
		const view = (name: string) => finalSnapshot(r).queues.find((q) => q.name === name);
		expect(view('support')).toMatchObject({ offered: 1, answered: 0, abandoned: 1 });
		expect(view('sales')).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
	});
});

describe.skipIf(!hasTranscript('e_supervisor_spy'))('golden e: supervisor monitors', () => {
	const MODES: Record<string, MonitorMode> = {
		'spy-listen': 'listen',
		'spy-whisper': 'whisper',
		'spy-barge': 'barge',
		'spy-by-uniqueid': 'listen',
		'spy-dtmf-switch': 'listen'
	};
	const DTMF: Record<string, MonitorMode> = { 'e-12': 'whisper', 'e-13': 'barge', 'e-14': 'listen' };
	// what the hub does: monitorRequested when it originates the spyer leg, monitorMode after PlayDTMF
	const before = (rec: Recorded): FloorInput[] => {
		const id = first(rec.msg, 'ActionID');
		if (first(rec.msg, 'Response') !== 'Success' || id === undefined) return [];
		const mode = MODES[id];
		if (mode !== undefined) {
			return [
				{
					type: 'monitorRequested',
					pbx: PBX,
					monitorId: `m:${id}`,
					agentId: 'agent1',
					supervisorId: 'sup1',
					supervisorName: 'Supervisor',
					mode,
					spyerEndpoint: 'Local/sup1@supervisors'
				}
			];
		}
		const dtmf = DTMF[id];
		return dtmf === undefined ? [] : [{ type: 'monitorMode', monitorId: 'm:spy-dtmf-switch', mode: dtmf }];
	};
	// monitor originates are not calls: the hub gives callIds for click-to-call only
	const r = run('e_supervisor_spy', THREE, {
		before,
		callIdOf: (id) => (id.startsWith('c2c-') ? callIdOf(id) : undefined)
	});

	it('monitors start and end with their modes', () => {
		const seq = r.patches.flatMap((p) =>
			p.kind === 'monitor'
				? [`${p.monitor.id} ${p.monitor.mode}`]
				: p.kind === 'monitorEnded'
					? [`${p.monitorId} ended`]
					: []
		);
		expect(seq).toEqual([
			'm:spy-listen listen',
			'm:spy-listen ended',
			'm:spy-whisper whisper',
			'm:spy-whisper ended',
			'm:spy-barge barge',
			'm:spy-barge ended',
			'm:spy-by-uniqueid listen',
			'm:spy-by-uniqueid ended',
			'm:spy-dtmf-switch listen',
			'm:spy-dtmf-switch whisper',
			'm:spy-dtmf-switch barge',
			'm:spy-dtmf-switch listen',
			// E: ends with the spied call
			'm:spy-dtmf-switch ended'
		]);
		for (const p of r.patches) {
			if (p.kind !== 'monitor') continue;
			expect(p.monitor).toMatchObject({
				agentId: 'agent1',
				supervisorId: 'sup1',
				supervisorName: 'Supervisor'
			});
			expect(p.monitor.spyerChannel).toMatch(/^Local\/sup1@supervisors-[0-9a-f]{8};1$/);
		}
		expect(snapshot(r.state, 1, r.state.now).monitors).toEqual([]);
	});

	it('spy legs are not calls; the agent call is', () => {
		const facts = [...lastFacts(r.effects).values()];
		expect(facts.map((f) => [f.agentId, f.number, f.dialStatus])).toEqual([['agent1', '5551234', 'ANSWER']]);
		expect(stateTrail(r.steps, 'agent1')).toEqual(['dialing', 'talking', 'wrapup']);
	});

	it('final snapshot', () => {
		expect(finalSnapshot(r)).toMatchSnapshot();
	});
});

describe.skipIf(!hasTranscript('f_mixmonitor'))('golden f: recordings', () => {
	const r = run('f_mixmonitor', THREE);

	it('a recorded click-to-call and a queue call', () => {
		expect(stateTrail(r.steps, 'agent1')).toEqual(['dialing', 'talking', 'wrapup']);
		expect(stateTrail(r.steps, 'agent3')).toEqual(['ringing', 'talking', 'wrapup']);
		const facts = [...lastFacts(r.effects).values()].map((f) => [
			f.agentId,
			f.direction,
			f.queue,
			f.dialStatus
		]);
		expect(facts).toEqual([
			['agent1', 'out', null, 'ANSWER'],
			['agent3', 'in', 'support', 'ANSWER']
		]);
	});
});

describe.skipIf(!hasTranscript('g_burst_errors_logoff'))('golden g: 50 concurrent click-to-calls', () => {
	const r = run('g_burst_errors_logoff', FIFTY);

	it('counters sum to 50 dials, 50 connects', () => {
		const snap = snapshot(r.state, 1, r.state.now);
		const sum = (k: 'dials' | 'connects') => snap.agents.reduce((n, a) => n + a.today[k], 0);
		expect(sum('dials')).toBe(50);
		expect(sum('connects')).toBe(50);
		for (const a of snap.agents) {
			expect(a.today.dials).toBe(1);
			expect(a.today.talkSeconds).toBeGreaterThanOrEqual(2);
			expect(a.today.talkSeconds).toBeLessThanOrEqual(3);
			expect(stateTrail(r.steps, a.id)).toEqual(['dialing', 'talking', 'wrapup']);
		}
	});

	it('50 answered call facts, each with its callId although most OriginateResponses came first', () => {
		const facts = [...lastFacts(r.effects).values()];
		expect(facts).toHaveLength(50);
		for (const f of facts) {
			const n = f.agentId?.slice(5) ?? '??';
			expect(f).toMatchObject({
				callId: `call:burst-${n}`,
				number: `55510${n}`,
				dialStatus: 'ANSWER',
				direction: 'out'
			});
			expect(f.endedAt).not.toBeNull();
		}
	});

	it('everyone idle 30 s after the burst', () => {
		const later = reduce(r.state, { type: 'tick' }, r.state.now + 30_000).state;
		expect(new Set(snapshot(later, 2, later.now).agents.map((a) => a.state))).toEqual(new Set(['idle']));
	});
});
