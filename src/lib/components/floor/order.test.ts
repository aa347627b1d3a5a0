import { describe, expect, it } from 'vitest';
import type { AgentView } from '$lib/protocol';
import { arrange, NameOrder, orderAgents } from './order';
import { levelFor } from './thresholds';

function agent(id: string, name: string, state: AgentView['state'], since: number): AgentView {
	return {
		id,
		name,
		endpoint: `PJSIP/${id}`,
		pbx: 'sim',
		teamIds: [],
		state,
		since,
		pauseReason: null,
		call: null,
		today: { dials: 0, connects: 0, talkSeconds: 0 },
		handRaised: false,
		queues: []
	};
}

describe('wall-board order', () => {
	const agents = [
		agent('1', 'Émile', 'idle', 30),
		agent('2', 'anna', 'talking', 20),
		agent('3', 'Zoé', 'talking', 10)
	];

	it('sorts by name (locale-aware), by state then longest, and by time in state', () => {
		const names = new NameOrder('fr');
		expect(orderAgents(agents, 'name', names)).toEqual(['2', '1', '3']);
		expect(orderAgents(agents, 'state', names)).toEqual(['3', '2', '1']);
		expect(orderAgents(agents, 'time', names)).toEqual(['3', '2', '1']);
	});

	it('lays agents out in a given order and puts newcomers last', () => {
		const extra = agent('4', 'Bob', 'idle', 0);
		expect(arrange([extra, ...agents], ['3', '1', '2']).map((a) => a.id)).toEqual(['3', '1', '2', '4']);
		expect(arrange([agents[0]!], ['3', '1', '2']).map((a) => a.id)).toEqual(['1']);
	});

	it('turns a tile yellow, orange, then red, as time in state passes the thresholds', () => {
		expect(levelFor('idle', 29)).toBe('ok');
		expect(levelFor('idle', 30)).toBe('yellow');
		expect(levelFor('idle', 60)).toBe('orange');
		expect(levelFor('idle', 300)).toBe('red');
		expect(levelFor('offline', 1e6)).toBe('ok');
	});
});
