import { describe, expect, it } from 'vitest';
import type { AgentView, AlertRule, PbxLinkView, ProjectProgressView, QueueView } from '../../src/lib/protocol';
import { completeRules, DEFAULT_RULES } from '../../src/lib/cockpit/alert-rules';
import { alertKey, EMPTY_MEMORY, evaluateAlerts, type AlertMemory } from './evaluate';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const MIN = 60_000;

function agent(over: Partial<AgentView> = {}): AgentView {
	return {
		id: 'a1',
		name: 'Bob',
		endpoint: 'PJSIP/1001',
		pbx: 'sim',
		teamIds: ['t1'],
		state: 'idle',
		since: T0,
		pauseReason: null,
		call: null,
		today: { dials: 0, connects: 0, talkSeconds: 0 },
		handRaised: false,
		queues: [],
		...over
	};
}

function rules(team: string, ...list: AlertRule[]): Map<string, AlertRule[]> {
	return new Map([[team, completeRules(list)]]);
}

const off = (kind: AlertRule['kind']): AlertRule => ({ ...DEFAULT_RULES[kind], enabled: false });

describe('evaluateAlerts: a pure function of floor, rules, memory and time', () => {
	it("raises paused-too-long only once the threshold is reached, for each of the agent's teams", () => {
		const floor = {
			agents: [agent({ state: 'paused', since: T0, pauseReason: 'lunch', teamIds: ['t1', 't2'] })],
			queues: [],
			pbx: []
		};
		const r = new Map([
			['t1', completeRules([{ kind: 'paused_too_long', enabled: true, threshold: 5 }])],
			['t2', completeRules([{ kind: 'paused_too_long', enabled: true, threshold: 10 }])]
		]);
		expect(
			evaluateAlerts(floor, r, EMPTY_MEMORY, T0 + 4 * MIN).wanted.filter((w) => w.kind === 'paused_too_long')
		).toEqual([]);
		const at6 = evaluateAlerts(floor, r, EMPTY_MEMORY, T0 + 6 * MIN).wanted.filter(
			(w) => w.kind === 'paused_too_long'
		);
		expect(at6).toEqual([
			{
				kind: 'paused_too_long',
				subject: 'a1',
				subjectName: 'Bob',
				teamId: 't1',
				details: { minutes: 6, reason: 'lunch' }
			}
		]);
		const at10 = evaluateAlerts(floor, r, EMPTY_MEMORY, T0 + 10 * MIN).wanted.filter(
			(w) => w.kind === 'paused_too_long'
		);
		expect(at10.map((w) => w.teamId)).toEqual(['t1', 't2']);
	});

	it('a disabled rule and an offline agent raise nothing', () => {
		const floor = {
			agents: [agent({ state: 'paused', since: T0 }), agent({ id: 'a2', state: 'offline', since: T0 })],
			queues: [],
			pbx: []
		};
		const r = rules('t1', off('paused_too_long'), off('no_connect'));
		expect(evaluateAlerts(floor, r, EMPTY_MEMORY, T0 + 600 * MIN).wanted).toEqual([]);
	});

	it('no connect: measured from the last connect the memory saw, reset by a new connect', () => {
		const r = rules('t1', { kind: 'no_connect', enabled: true, threshold: 20 });
		let memory: AlertMemory = EMPTY_MEMORY;
		const step = (a: AgentView, t: number) => {
			const out = evaluateAlerts({ agents: [a], queues: [], pbx: [] }, r, memory, t);
			memory = out.memory;
			return out.wanted.filter((w) => w.kind === 'no_connect');
		};
		expect(step(agent(), T0)).toEqual([]);
		expect(step(agent(), T0 + 19 * MIN)).toEqual([]);
		expect(step(agent(), T0 + 21 * MIN)).toEqual([
			expect.objectContaining({ subject: 'a1', details: { minutes: 21 } })
		]);
		// a connect happened: the clock starts over
		expect(step(agent({ today: { dials: 3, connects: 1, talkSeconds: 40 } }), T0 + 22 * MIN)).toEqual([]);
		expect(step(agent({ today: { dials: 3, connects: 1, talkSeconds: 40 } }), T0 + 41 * MIN)).toEqual([]);
		expect(step(agent({ today: { dials: 3, connects: 1, talkSeconds: 40 } }), T0 + 43 * MIN)).toHaveLength(1);
	});

	it('low intensity: dials over the last hour against the team target, only after an hour was watched', () => {
		const r = rules('t1', off('no_connect'), { kind: 'low_intensity', enabled: true, threshold: 12 });
		let memory: AlertMemory = EMPTY_MEMORY;
		let last: ReturnType<typeof evaluateAlerts>['wanted'] = [];
		// 10 dials per hour, sampled every minute for 90 minutes
		for (let m = 0; m <= 90; m++) {
			const out = evaluateAlerts(
				{
					agents: [agent({ today: { dials: Math.floor(m / 6), connects: 0, talkSeconds: 0 } })],
					queues: [],
					pbx: []
				},
				r,
				memory,
				T0 + m * MIN
			);
			memory = out.memory;
			last = out.wanted;
			if (m < 60) expect(out.wanted).toEqual([]);
		}
		expect(last).toEqual([
			expect.objectContaining({ kind: 'low_intensity', details: { perHour: 10, target: 12 } })
		]);
		// the memory keeps about an hour of samples, not the whole day
		expect(memory.agents.get('a1')!.samples.length).toBeLessThanOrEqual(62);
	});

	it('PBX down and callers waiting: per team, subject is the link or the queue', () => {
		const pbx: PbxLinkView[] = [{ name: 'sim', connected: false, since: T0, lastEventAt: T0 }];
		const today = { offered: 0, answered: 0, answeredInSl: 0, abandoned: 0, waitSeconds: 0, maxWaitSeconds: 0, serviceLevelSeconds: 20 };
		const queues: QueueView[] = [
			{ id: 'sim:sales', pbx: 'sim', name: 'sales', waiting: 2, longestSince: T0, members: 3, paused: 0, ...today },
			{
				id: 'sim:support',
				pbx: 'sim',
				name: 'support',
				waiting: 0,
				longestSince: null,
				members: 3,
				paused: 0,
				...today
			}
		];
		const r = rules(
			't1',
			off('no_connect'),
			{ kind: 'pbx_down', enabled: true, threshold: 30 },
			{ kind: 'caller_waiting', enabled: true, threshold: 45 }
		);
		expect(evaluateAlerts({ agents: [], queues, pbx }, r, EMPTY_MEMORY, T0 + 29_000).wanted).toEqual([]);
		expect(evaluateAlerts({ agents: [], queues, pbx }, r, EMPTY_MEMORY, T0 + 50_000).wanted).toEqual([
			{ kind: 'pbx_down', subject: 'pbx:sim', subjectName: 'sim', teamId: 't1', details: { seconds: 50 } },
			{
				kind: 'caller_waiting',
				subject: 'queue:sim:sales',
				subjectName: 'sales',
				teamId: 't1',
				details: { seconds: 50, waiting: 2 }
			}
		]);
	});

	it('list exhausting: callable leads at the pace of the last hour run out within the threshold', () => {
		const counts = (open: number, done: number) => ({ new: open, callback: 0, in_progress: 0, done, exhausted: 0, dnc: 0 });
		/** samples every 10 minutes from T0, open leads going `from` → `to` */
		const project = (teamId: string | null, open: readonly number[]): ProjectProgressView => ({
			projectId: 'p1',
			name: 'Acme',
			teamId,
			points: open.map((n, i) => ({ t: T0 + i * 10 * MIN, counts: counts(n, 500 - n) }))
		});
		const r = rules('t1', off('no_connect'), { kind: 'list_exhausting', enabled: true, threshold: 60 });
		const only = (floor: { projects: ProjectProgressView[] }, now: number) =>
			evaluateAlerts({ agents: [], queues: [], pbx: [], ...floor }, r, EMPTY_MEMORY, now).wanted;

		// 60 leads an hour used, 70 left at T0+30: out at T0+100, 70 min away → nothing yet
		expect(only({ projects: [project('t1', [100, 90, 80, 70])] }, T0 + 30 * MIN)).toEqual([]);
		// 50 left at T0+50: out at T0+100, 50 min away → raised, subject is the project
		expect(only({ projects: [project('t1', [100, 90, 80, 70, 60, 50])] }, T0 + 50 * MIN)).toEqual([
			{
				kind: 'list_exhausting',
				subject: 'project:p1',
				subjectName: 'Acme',
				teamId: 't1',
				details: { minutes: 50, remaining: 50, perHour: 60 }
			}
		]);
		// a list that stands still or grows has no ETA; one sample gives no pace
		expect(only({ projects: [project('t1', [5, 5, 5])] }, T0 + 20 * MIN)).toEqual([]);
		expect(only({ projects: [project('t1', [5, 8, 12])] }, T0 + 20 * MIN)).toEqual([]);
		expect(only({ projects: [project('t1', [5])] }, T0)).toEqual([]);
		// ran dry within the last hour: raised at 0 minutes; empty all along (an idle project): not
		expect(only({ projects: [project('t1', [20, 10, 0])] }, T0 + 20 * MIN)).toEqual([
			expect.objectContaining({ kind: 'list_exhausting', details: { minutes: 0, remaining: 0, perHour: 60 } })
		]);
		expect(only({ projects: [project('t1', [0, 0])] }, T0 + 10 * MIN)).toEqual([]);
		// the team's rule decides: disabled, or a project without a team
		const disabled = rules('t1', off('no_connect'), off('list_exhausting'));
		const fast = project('t1', [100, 50, 10]);
		expect(evaluateAlerts({ agents: [], queues: [], pbx: [], projects: [fast] }, disabled, EMPTY_MEMORY, T0 + 20 * MIN).wanted).toEqual([]);
		expect(only({ projects: [project(null, [100, 50, 10])] }, T0 + 20 * MIN)).toEqual([]);
	});

	it('same inputs, same output; the dedupe key names rule and subject', () => {
		const floor = { agents: [agent({ state: 'paused', since: T0 })], queues: [], pbx: [] };
		const r = rules('t1');
		const a = evaluateAlerts(floor, r, EMPTY_MEMORY, T0 + 20 * MIN);
		const b = evaluateAlerts(floor, r, EMPTY_MEMORY, T0 + 20 * MIN);
		expect(a.wanted).toEqual(b.wanted);
		expect(alertKey(a.wanted[0]!)).toBe('paused_too_long|a1|t1');
	});
});
