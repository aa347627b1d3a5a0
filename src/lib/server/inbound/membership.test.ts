import { describe, expect, it } from 'vitest';
import { desiredMembership, planQueueActions, skillPenalty, type ManagedQueue, type SkilledAgent } from './membership';

const FR = 'skill-fr';
const SUPPORT = 'skill-support';
const TEAM_A = 'team-a';

function agent(id: string, levels: Record<string, number>, teamIds = [TEAM_A]): SkilledAgent {
	return { id, name: `Agent ${id}`, endpoint: `PJSIP/${id}`, teamIds, levels: new Map(Object.entries(levels)) };
}

const sales: ManagedQueue = { id: 'q-sales', name: 'sales', teamId: null, skills: [] };
const frSupport: ManagedQueue = {
	id: 'q-fr',
	name: 'fr-support',
	teamId: TEAM_A,
	skills: [
		{ skillId: FR, minLevel: 3 },
		{ skillId: SUPPORT, minLevel: 1 }
	]
};

describe('skillPenalty', () => {
	it('is 0 for a queue without skills and 10 − the weakest required level otherwise', () => {
		expect(skillPenalty(sales, agent('1001', {}))).toBe(0);
		expect(skillPenalty(frSupport, agent('1001', { [FR]: 8, [SUPPORT]: 5 }))).toBe(5);
		expect(skillPenalty(frSupport, agent('1001', { [FR]: 10, [SUPPORT]: 10 }))).toBe(0);
	});
	it('is null when a skill is missing or below its minimum', () => {
		expect(skillPenalty(frSupport, agent('1001', { [FR]: 8 }))).toBeNull();
		expect(skillPenalty(frSupport, agent('1001', { [FR]: 2, [SUPPORT]: 9 }))).toBeNull();
	});
});

describe('desiredMembership', () => {
	const agents = [
		agent('1001', { [FR]: 7, [SUPPORT]: 4 }),
		agent('1002', { [FR]: 9, [SUPPORT]: 9 }, ['team-b']),
		agent('1003', { [FR]: 1, [SUPPORT]: 9 })
	];

	it('takes agents of the queue team who meet every requirement', () => {
		const d = desiredMembership([sales, frSupport], agents, []);
		expect([...d.get('sales')!.keys()]).toEqual(['PJSIP/1001', 'PJSIP/1002', 'PJSIP/1003']);
		expect([...d.get('fr-support')!.entries()]).toEqual([['PJSIP/1001', { agentId: '1001', name: 'Agent 1001', penalty: 6, source: 'skills' }]]);
	});

	it('applies overrides: exclude wins over skills, include adds anyone, penalty replaces the derived one', () => {
		const d = desiredMembership([sales, frSupport], agents, [
			{ queueId: 'q-sales', userId: '1002', member: false, penalty: null },
			{ queueId: 'q-fr', userId: '1003', member: true, penalty: null },
			{ queueId: 'q-fr', userId: '1001', member: true, penalty: 2 }
		]);
		expect([...d.get('sales')!.keys()]).toEqual(['PJSIP/1001', 'PJSIP/1003']);
		expect(d.get('fr-support')!.get('PJSIP/1003')).toMatchObject({ penalty: 0, source: 'override' });
		expect(d.get('fr-support')!.get('PJSIP/1001')).toMatchObject({ penalty: 2, source: 'override' });
	});
});

describe('planQueueActions', () => {
	const desired = desiredMembership([sales, frSupport], [agent('1001', { [FR]: 7, [SUPPORT]: 4 }), agent('1003', {})], []);

	it('adds the missing, removes the extra dynamic members, fixes penalties, leaves unmanaged queues alone', () => {
		const plan = planQueueActions(
			desired,
			new Map([
				['sales', [{ iface: 'PJSIP/1001', endpoint: 'PJSIP/1001', penalty: 3, membership: 'dynamic' }]],
				[
					'fr-support',
					[
						{ iface: 'PJSIP/1009', endpoint: 'PJSIP/1009', penalty: 0, membership: 'dynamic' },
						{ iface: 'PJSIP/1010', endpoint: 'PJSIP/1010', penalty: 0, membership: 'static' }
					]
				],
				['unmanaged', [{ iface: 'PJSIP/1009', endpoint: 'PJSIP/1009', penalty: 0, membership: 'dynamic' }]]
			])
		);
		expect(plan.actions).toEqual([
			{ Action: 'QueuePenalty', Queue: 'sales', Interface: 'PJSIP/1001', Penalty: '0' },
			{ Action: 'QueueAdd', Queue: 'sales', Interface: 'PJSIP/1003', Penalty: '0', MemberName: 'Agent 1003' },
			{ Action: 'QueueRemove', Queue: 'fr-support', Interface: 'PJSIP/1009' },
			{ Action: 'QueueAdd', Queue: 'fr-support', Interface: 'PJSIP/1001', Penalty: '6', MemberName: 'Agent 1001' }
		]);
		expect(plan.staticExtras).toEqual([{ queue: 'fr-support', iface: 'PJSIP/1010' }]);
	});

	it('plans nothing when the PBX already matches', () => {
		const plan = planQueueActions(
			desired,
			new Map([
				[
					'sales',
					[
						{ iface: 'PJSIP/1001', endpoint: 'PJSIP/1001', penalty: 0, membership: 'dynamic' },
						{ iface: 'PJSIP/1003', endpoint: 'PJSIP/1003', penalty: 0, membership: 'dynamic' }
					]
				],
				['fr-support', [{ iface: 'Local/1001@agents/n', endpoint: 'PJSIP/1001', penalty: 6, membership: 'dynamic' }]]
			])
		);
		expect(plan).toEqual({ actions: [], staticExtras: [] });
	});
});
