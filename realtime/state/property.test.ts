/**
 * Property tests: any order of events (generated or from the transcripts), with duplicates and
 * gaps, never throws, never yields negative timers/counters, and the patches always rebuild the
 * snapshot exactly (nothing missing, nothing sent that did not change).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
	AgentView,
	FloorPatch,
	FloorSnapshot,
	MonitorView,
	PbxLinkView,
	QueueView
} from '../../src/lib/protocol';
import type { ChannelInfo, ChannelState, PbxEvent } from '../ami/normalize';
import { initialFloorState, reduce, snapshot } from './index';
import type { FloorEffect, FloorInput, FloorState } from './index';
import { directoryOf, hasTranscript, lastFacts, loadTranscript, replay } from './test-support';

const P = 'p1';
const ENDPOINTS = ['PJSIP/1001', 'PJSIP/1002', 'PJSIP/1003', 'PJSIP/trunk'];
const DIRECTORY = [
	{ id: 'a1', name: 'A1', endpoint: 'PJSIP/1001', pbx: P, teamIds: [] },
	{ id: 'a2', name: 'A2', endpoint: 'PJSIP/1002', pbx: P, teamIds: [] },
	{ id: 'a3', name: 'A3', endpoint: 'PJSIP/1003', pbx: P, teamIds: [] }
];
const STATES: ChannelState[] = ['down', 'ring', 'ringing', 'up', 'busy'];

const channelArb: fc.Arbitrary<ChannelInfo> = fc
	.record({
		ep: fc.constantFrom(...ENDPOINTS),
		uid: fc.integer({ min: 1, max: 8 }),
		linked: fc.integer({ min: 1, max: 4 }),
		state: fc.constantFrom(...STATES),
		num: fc.option(fc.constantFrom('+4930111', '5551234', '1001'), { nil: null }),
		vars: fc.option(
			fc.dictionary(
				fc.constantFrom('SB_CALL', 'SB_LEAD', 'SB_MONITOR', 'OTHER'),
				fc.constantFrom('x', 'y', '')
			),
			{
				nil: null
			}
		)
	})
	.map(({ ep, uid, linked, state, num, vars }) => ({
		name: `${ep}-0000000${uid}`,
		endpoint: ep,
		uniqueid: `${uid}.0`,
		linkedid: `${linked}.0`,
		state,
		callerNum: num,
		callerName: null,
		connectedNum: null,
		context: 'c',
		exten: 's',
		vars
	}));

const memberArb = fc
	.record({
		queue: fc.constantFrom('q1', 'q2'),
		name: fc.constant('m'),
		iface: fc.constantFrom(...ENDPOINTS),
		endpoint: fc.constant(''),
		stateInterface: fc.option(fc.constantFrom('Custom:a', 'Custom:b'), { nil: null }),
		status: fc.integer({ min: 0, max: 8 }),
		paused: fc.boolean(),
		pausedReason: fc.option(fc.constantFrom('lunch', 'break'), { nil: null }),
		inCall: fc.boolean(),
		membership: fc.constant(null),
		callsTaken: fc.nat(5)
	})
	.map((m) => ({ ...m, endpoint: m.iface }));

const eventArb: fc.Arbitrary<PbxEvent> = fc.oneof(
	channelArb.map((channel) => ({ kind: 'Newchannel' as const, channel })),
	channelArb.map((channel) => ({ kind: 'Newstate' as const, channel })),
	fc
		.tuple(channelArb, fc.constantFrom(0, 1, 16, 17, 19, 34))
		.map(([channel, cause]) => ({ kind: 'Hangup' as const, channel, cause, causeText: '' })),
	fc
		.tuple(fc.option(channelArb, { nil: null }), channelArb)
		.map(([caller, dest]) => ({ kind: 'DialBegin' as const, caller, dest, dialString: '5551234@x' })),
	fc
		.tuple(
			fc.option(channelArb, { nil: null }),
			channelArb,
			fc.constantFrom('ANSWER', 'BUSY', 'NOANSWER', 'CANCEL', '')
		)
		.map(([caller, dest, dialStatus]) => ({ kind: 'DialEnd' as const, caller, dest, dialStatus })),
	fc
		.tuple(fc.constantFrom('b1', 'b2'), channelArb)
		.map(([bridgeId, channel]) => ({ kind: 'BridgeEnter' as const, bridgeId, channel })),
	fc
		.tuple(fc.constantFrom('b1', 'b2'), channelArb)
		.map(([bridgeId, channel]) => ({ kind: 'BridgeLeave' as const, bridgeId, channel })),
	fc
		.tuple(
			channelArb,
			fc.constantFrom('SB_CALL', 'SB_LEAD', 'SB_PROJECT', 'SB_REC', 'SB_MONITOR'),
			fc.constantFrom('v1', 'v2', '')
		)
		.map(([channel, name, value]) => ({ kind: 'VarSet' as const, channel, name, value })),
	fc
		.tuple(
			memberArb,
			fc.constantFrom(
				'QueueMemberStatus',
				'QueueMemberPause',
				'QueueMemberAdded',
				'QueueMemberRemoved',
				'QueueMember'
			) as fc.Arbitrary<
				'QueueMemberStatus' | 'QueueMemberPause' | 'QueueMemberAdded' | 'QueueMemberRemoved' | 'QueueMember'
			>
		)
		.map(([member, kind]) => ({ kind, member })),
	fc
		.tuple(
			fc.constantFrom('QueueCallerJoin', 'QueueCallerLeave') as fc.Arbitrary<
				'QueueCallerJoin' | 'QueueCallerLeave'
			>,
			fc.constantFrom('q1', 'q2'),
			channelArb
		)
		.map(([kind, queue, channel]) => ({ kind, queue, channel, position: 1, count: 0 })),
	fc.tuple(fc.constantFrom('q1', 'q2'), channelArb).map(([queue, channel]) => ({
		kind: 'QueueCallerAbandon' as const,
		queue,
		channel,
		position: 1,
		originalPosition: 1,
		holdTimeSeconds: 3
	})),
	fc
		.tuple(
			fc.constantFrom('AgentCalled', 'AgentConnect', 'AgentComplete', 'AgentRingNoAnswer') as fc.Arbitrary<
				'AgentCalled' | 'AgentConnect' | 'AgentComplete' | 'AgentRingNoAnswer'
			>,
			fc.option(channelArb, { nil: null }),
			fc.option(channelArb, { nil: null }),
			fc.constantFrom(...ENDPOINTS)
		)
		.map(([kind, caller, dest, endpoint]): PbxEvent => {
			const base = { queue: 'q1', caller, dest, iface: endpoint, endpoint, memberName: 'm' };
			switch (kind) {
				case 'AgentCalled':
					return { kind, ...base };
				case 'AgentConnect':
					return { kind, ...base, holdTimeSeconds: 1, ringTimeMs: 1000 };
				case 'AgentComplete':
					return { kind, ...base, holdTimeSeconds: 1, talkTimeSeconds: 2, reason: 'caller' };
				default:
					return { kind, ...base, ringTimeMs: 8000 };
			}
		}),
	fc
		.tuple(
			fc.constantFrom('ChanSpyStart', 'ChanSpyStop') as fc.Arbitrary<'ChanSpyStart' | 'ChanSpyStop'>,
			channelArb,
			fc.option(channelArb, { nil: null })
		)
		.map(([kind, spyer, spyee]) => ({ kind, spyer, spyee })),
	fc
		.record({
			ok: fc.boolean(),
			uid: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
			ep: fc.constantFrom(...ENDPOINTS),
			reason: fc.constantFrom(0, 3, 4, 5, 8)
		})
		.map(({ ok, uid, ep, reason }) => ({
			kind: 'OriginateResponse' as const,
			actionId: 'x',
			success: ok,
			reason,
			channel: ep,
			endpoint: ep,
			uniqueid: uid === null ? null : `${uid}.0`,
			context: 'c',
			exten: '5551234',
			application: '',
			data: '',
			callerNum: null,
			vars: null
		})),
	fc
		.tuple(
			fc.constantFrom(...ENDPOINTS, 'Custom:a'),
			fc.constantFrom('INUSE', 'NOT_INUSE', 'UNAVAILABLE', 'UNKNOWN', 'RINGING')
		)
		.map(([device, state]) => ({ kind: 'DeviceStateChange' as const, device, state })),
	fc
		.tuple(channelArb, fc.option(fc.constantFrom('b1', 'b2'), { nil: null }), fc.nat(100))
		.map(([channel, bridgeId, d]) => ({
			kind: 'ChannelListItem' as const,
			source: 'CoreShowChannel' as const,
			actionId: null,
			channel,
			bridgeId,
			application: '',
			appData: '',
			durationSeconds: d
		})),
	fc
		.tuple(fc.constantFrom('q1', 'q2'), fc.integer({ min: 1, max: 8 }), fc.nat(60))
		.map(([queue, uid, wait]) => ({
			kind: 'QueueEntry' as const,
			actionId: null,
			queue,
			position: 1,
			channel: `PJSIP/trunk-0000000${uid}`,
			endpoint: 'PJSIP/trunk',
			uniqueid: `${uid}.0`,
			callerNum: null,
			waitSeconds: wait
		}))
);

const inputArb: fc.Arbitrary<FloorInput> = fc.oneof(
	{ weight: 12, arbitrary: eventArb.map((event): FloorInput => ({ type: 'ami', pbx: P, event })) },
	{
		weight: 1,
		arbitrary: eventArb.map((event): FloorInput => ({ type: 'ami', pbx: P, event, callId: 'c1' }))
	},
	{ weight: 2, arbitrary: fc.constant<FloorInput>({ type: 'tick' }) },
	{
		weight: 1,
		arbitrary: fc.boolean().map((connected): FloorInput => ({ type: 'link', pbx: P, connected }))
	},
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.constantFrom('a1', 'a2', 'zz'), fc.boolean())
			.map(([agentId, raised]): FloorInput => ({ type: 'hand', agentId, raised }))
	},
	{
		weight: 1,
		arbitrary: fc.constantFrom('a1', 'a2').map((agentId): FloorInput => ({ type: 'wrapupDone', agentId }))
	},
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.constantFrom('m1', 'm2'), fc.constantFrom(...ENDPOINTS))
			.map(([monitorId, spyerEndpoint]): FloorInput => ({
				type: 'monitorRequested',
				pbx: P,
				monitorId,
				agentId: 'a1',
				supervisorId: 's',
				supervisorName: 'S',
				mode: 'listen',
				spyerEndpoint
			}))
	},
	{
		weight: 1,
		arbitrary: fc
			.tuple(
				fc.constantFrom('m1', 'm2', `${P}:1.0`),
				fc.constantFrom('listen', 'whisper', 'barge') as fc.Arbitrary<'listen' | 'whisper' | 'barge'>
			)
			.map(([monitorId, mode]): FloorInput => ({ type: 'monitorMode', monitorId, mode }))
	},
	{
		weight: 1,
		arbitrary: fc.subarray(DIRECTORY).map((agents): FloorInput => ({ type: 'directory', agents }))
	},
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.array(eventArb, { maxLength: 6 }), fc.array(eventArb, { maxLength: 6 }))
			.map(([channels, queueItems]): FloorInput => ({ type: 'resync', pbx: P, channels, queueItems }))
	}
);

/** What a browser holds: snapshot + patches. */
interface ClientFloor {
	agents: Map<string, AgentView>;
	queues: Map<string, QueueView>;
	monitors: Map<string, MonitorView>;
	pbx: Map<string, PbxLinkView>;
}

function clientOf(s: FloorSnapshot): ClientFloor {
	return {
		agents: new Map(s.agents.map((a) => [a.id, a])),
		queues: new Map(s.queues.map((q) => [q.id, q])),
		monitors: new Map(s.monitors.map((m) => [m.id, m])),
		pbx: new Map(s.pbx.map((p) => [p.name, p]))
	};
}

/** Apply patches; every patch must change something. */
function applyPatches(c: ClientFloor, patches: readonly FloorPatch[]): void {
	for (const p of patches) {
		switch (p.kind) {
			case 'agent':
				expect(p.agent).not.toEqual(c.agents.get(p.agent.id));
				c.agents.set(p.agent.id, p.agent);
				break;
			case 'agentRemoved':
				expect(c.agents.has(p.agentId)).toBe(true);
				c.agents.delete(p.agentId);
				break;
			case 'queue':
				expect(p.queue).not.toEqual(c.queues.get(p.queue.id));
				c.queues.set(p.queue.id, p.queue);
				break;
			case 'monitor':
				expect(p.monitor).not.toEqual(c.monitors.get(p.monitor.id));
				c.monitors.set(p.monitor.id, p.monitor);
				break;
			case 'monitorEnded':
				expect(c.monitors.has(p.monitorId)).toBe(true);
				c.monitors.delete(p.monitorId);
				break;
			case 'pbx':
				c.pbx.set(p.pbx.name, p.pbx);
				break;
		}
	}
}

function withoutLastEvent(m: Map<string, PbxLinkView>): Array<Omit<PbxLinkView, 'lastEventAt'>> {
	return [...m.values()]
		.map(({ name, connected, since }) => ({ name, connected, since }))
		.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function checkInvariants(state: FloorState, effects: readonly FloorEffect[]): void {
	const now = state.now;
	const snap = snapshot(state, 0, now);
	for (const a of snap.agents) {
		expect(a.since).toBeLessThanOrEqual(now);
		expect(a.today.dials).toBeGreaterThanOrEqual(0);
		expect(a.today.connects).toBeGreaterThanOrEqual(0);
		expect(a.today.talkSeconds).toBeGreaterThanOrEqual(0);
		expect(a.pauseReason === null || a.state === 'paused').toBe(true);
		if (a.call !== null) {
			expect(a.call.startedAt).toBeLessThanOrEqual(now);
			expect(a.call.answeredAt ?? now).toBeLessThanOrEqual(now);
		}
	}
	for (const q of snap.queues) {
		expect(q.waiting).toBeGreaterThanOrEqual(0);
		expect(q.paused).toBeGreaterThanOrEqual(0);
		expect(q.paused).toBeLessThanOrEqual(q.members);
		expect(q.longestSince === null).toBe(q.waiting === 0);
		if (q.longestSince !== null) expect(q.longestSince).toBeLessThanOrEqual(now);
	}
	// the incrementally kept counts agree with a recount of the member maps
	for (const q of state.queues.values()) {
		let paused = 0;
		for (const v of q.members.values()) if (v) paused++;
		expect(q.pausedCount).toBe(paused);
		if (q.view !== null) expect([q.view.members, q.view.paused]).toEqual([q.members.size, paused]);
	}
	for (const m of snap.monitors) expect(m.since).toBeLessThanOrEqual(now);
	for (const e of effects) {
		if (e.kind === 'agentState') {
			expect(e.from).toBeLessThan(e.to);
			expect(e.to).toBeLessThanOrEqual(now);
		} else {
			expect(e.call.startedAt).toBeLessThanOrEqual(now);
			if (e.call.answeredAt !== null) expect(e.call.answeredAt).toBeGreaterThanOrEqual(e.call.startedAt);
			if (e.call.endedAt !== null) expect(e.call.endedAt).toBeGreaterThanOrEqual(e.call.startedAt);
		}
	}
}

function runInputs(inputs: ReadonlyArray<readonly [FloorInput, number]>, start: FloorState): FloorState {
	let state = start;
	let now = start.now;
	const client = clientOf(snapshot(state, 0, now));
	for (const [input, dt] of inputs) {
		now += dt;
		const r = reduce(state, input, now);
		state = r.state;
		checkInvariants(state, r.effects);
		applyPatches(client, r.patches);
		const snap = clientOf(snapshot(state, 0, state.now));
		expect(client.agents).toEqual(snap.agents);
		expect(client.queues).toEqual(snap.queues);
		expect(client.monitors).toEqual(snap.monitors);
		expect(withoutLastEvent(client.pbx)).toEqual(withoutLastEvent(snap.pbx));
	}
	return state;
}

const T0 = 1_700_000_000_000;
const steps = fc.array(fc.tuple(inputArb, fc.nat(5000)), { maxLength: 120 });

describe('reduce: properties over generated events', () => {
	it('never throws, keeps timers/counters sane, and patches rebuild the snapshot', () => {
		fc.assert(
			fc.property(steps, (inputs) => {
				const start = reduce(
					initialFloorState({ wrapupSeconds: 3 }, T0),
					{ type: 'directory', agents: DIRECTORY },
					T0
				).state;
				runInputs(inputs, start);
			}),
			{ numRuns: 300 }
		);
	});

	it('is deterministic', () => {
		fc.assert(
			fc.property(steps, (inputs) => {
				const go = () => {
					let state = reduce(initialFloorState({}, T0), { type: 'directory', agents: DIRECTORY }, T0).state;
					let now = T0;
					const out: unknown[] = [];
					for (const [input, dt] of inputs) {
						now += dt;
						const r = reduce(state, input, now);
						state = r.state;
						out.push(r.patches, r.effects);
					}
					return out;
				};
				expect(go()).toEqual(go());
			}),
			{ numRuns: 50 }
		);
	});
});

const TRANSCRIPTS = [
	'a_status_snapshot',
	'b_click2call_answered',
	'c_click2call_failures',
	'd_queue_inbound',
	'e_supervisor_spy'
];
const haveAll = TRANSCRIPTS.every(hasTranscript);

describe.skipIf(!haveAll)('reduce: properties over transcript events', () => {
	const pool: PbxEvent[] = TRANSCRIPTS.flatMap((n) =>
		loadTranscript(n).flatMap((r) => (r.event === null ? [] : [r.event]))
	);
	const agents = directoryOf(['agent1', 'agent2', 'agent3'], P);

	it('any order, duplicates and gaps of real events keep the invariants', () => {
		const seq = fc.array(
			fc.tuple(
				fc.oneof(
					{
						weight: 10,
						arbitrary: fc
							.nat(pool.length - 1)
							.map((i): FloorInput => ({ type: 'ami', pbx: P, event: pool[i] as PbxEvent }))
					},
					{ weight: 1, arbitrary: inputArb }
				),
				fc.nat(3000)
			),
			{ maxLength: 150 }
		);
		fc.assert(
			fc.property(seq, (inputs) => {
				const start = reduce(
					initialFloorState({ wrapupSeconds: 5 }, T0),
					{ type: 'directory', agents },
					T0
				).state;
				runInputs(inputs, start);
			}),
			{ numRuns: 200 }
		);
	});

	it('a transcript with random messages dropped and duplicated keeps the invariants', () => {
		const recs = loadTranscript('d_queue_inbound').filter((r) => r.event !== null);
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom(0, 1, 1, 1, 2), { minLength: recs.length, maxLength: recs.length }),
				(copies) => {
					const inputs: Array<readonly [FloorInput, number]> = [];
					recs.forEach((r, i) => {
						for (let k = 0; k < (copies[i] ?? 1); k++)
							inputs.push([{ type: 'ami', pbx: P, event: r.event as PbxEvent }, 7]);
					});
					const start = reduce(initialFloorState({}, T0), { type: 'directory', agents }, T0).state;
					runInputs(inputs, start);
				}
			),
			{ numRuns: 20 }
		);
	});

	it('replaying a transcript twice yields the same call fact keys (idempotent)', () => {
		for (const name of ['b_click2call_answered', 'c_click2call_failures', 'd_queue_inbound']) {
			const recs = loadTranscript(name);
			const t0 = recs[0]?.now ?? 0;
			const s0 = reduce(
				initialFloorState({}, t0),
				{ type: 'directory', agents: directoryOf(['agent1', 'agent2', 'agent3']) },
				t0
			).state;
			const once = replay(s0, recs, { callIdOf: (a) => `c:${a}` });
			const twice = replay(once.state, recs, { callIdOf: (a) => `c:${a}` });
			const keys = (effects: readonly FloorEffect[]) => [...lastFacts(effects).keys()].sort();
			expect(keys(twice.effects.length > 0 ? [...once.effects, ...twice.effects] : once.effects)).toEqual(
				keys(once.effects)
			);
			// a fresh replay is identical, fact for fact
			const again = replay(s0, recs, { callIdOf: (a) => `c:${a}` });
			expect(again.effects).toEqual(once.effects);
			// counters are not doubled by the replay of the same calls
			expect(snapshot(twice.state, 0, twice.state.now).agents.map((a) => a.today)).toEqual(
				snapshot(once.state, 0, once.state.now).agents.map((a) => a.today)
			);
		}
	});
});

describe('reduce: speed', () => {
	it.skipIf(!hasTranscript('g_burst_errors_logoff'))('replays the 50-call burst (informational)', () => {
		const recs = loadTranscript('g_burst_errors_logoff');
		const events = recs.filter((r) => r.event !== null);
		const agents = directoryOf(
			Array.from({ length: 50 }, (_, i) => `agent${String(i + 1).padStart(2, '0')}`),
			P
		);
		let n = 0;
		const t = performance.now();
		for (let round = 0; round < 5; round++) {
			const t0 = (recs[0]?.now ?? 0) + round * 3_600_000;
			let state = reduce(initialFloorState({}, t0), { type: 'directory', agents }, t0).state;
			for (const r of events) {
				state = reduce(
					state,
					{ type: 'ami', pbx: P, event: r.event as PbxEvent },
					r.now + round * 3_600_000
				).state;
				n++;
			}
			expect(state.channels.size).toBe(0);
		}
		const ms = performance.now() - t;
		console.info(`reduce: ${n} events in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} events/s`);
	});
});
