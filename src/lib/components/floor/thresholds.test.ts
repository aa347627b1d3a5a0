import { describe, expect, it } from 'vitest';
import {
	DEFAULT_THRESHOLDS,
	effectiveThresholds,
	levelFor,
	parseTeamThresholds,
	stepsProblem,
	thresholdsForTeams,
	ThresholdsIndex
} from './thresholds';

describe('wall-board colour thresholds', () => {
	it('defaults like VICIdial: waiting 30/60/300 s, talking 10/60/300 s, paused 10…900 s', () => {
		expect(DEFAULT_THRESHOLDS.idle).toEqual([30, 60, 300]);
		expect(DEFAULT_THRESHOLDS.talking).toEqual([10, 60, 300]);
		expect(DEFAULT_THRESHOLDS.paused[0]).toBe(10);
		expect(DEFAULT_THRESHOLDS.paused[2]).toBe(900);
		expect(levelFor('talking', 9)).toBe('ok');
		expect(levelFor('talking', 10)).toBe('yellow');
		expect(levelFor('paused', 900)).toBe('red');
	});

	it("applies a team's overrides and keeps the defaults for the states it leaves out", () => {
		const t = effectiveThresholds({ idle: [5, 10, 20] });
		expect(levelFor('idle', 12, t)).toBe('orange');
		expect(levelFor('idle', 20, t)).toBe('red');
		expect(t.talking).toEqual(DEFAULT_THRESHOLDS.talking);
	});

	it('gives an agent in several teams the earliest step of any of them', () => {
		const byTeam = new Map([
			['a', effectiveThresholds({ idle: [5, 100, 200] })],
			['b', effectiveThresholds({ idle: [50, 60, 70] })]
		]);
		expect(thresholdsForTeams(['a', 'b'], byTeam).idle).toEqual([5, 60, 70]);
		expect(thresholdsForTeams(['x'], byTeam)).toBe(DEFAULT_THRESHOLDS);
		const index = new ThresholdsIndex({ a: { idle: [5, 100, 200] } });
		expect(index.for(['a']).idle).toEqual([5, 100, 200]);
		expect(index.for(['a'])).toBe(index.for(['a']));
		expect(new ThresholdsIndex({}).for(['a'])).toBe(DEFAULT_THRESHOLDS);
	});

	it('refuses steps that are not whole, negative, longer than a day or not ascending', () => {
		expect(stepsProblem([10, 20, 30])).toBeNull();
		expect(stepsProblem([10, 20])).toBe('not_numbers');
		expect(stepsProblem([1.5, 20, 30])).toBe('not_numbers');
		expect(stepsProblem([Number.NaN, 20, 30])).toBe('not_numbers');
		expect(stepsProblem([-1, 20, 30])).toBe('negative');
		expect(stepsProblem([10, 20, 90_000])).toBe('too_long');
		expect(stepsProblem([10, 10, 30])).toBe('not_ascending');
		expect(stepsProblem([30, 20, 10])).toBe('not_ascending');
	});

	it('reads what a team stored, dropping unknown states and invalid rows', () => {
		expect(parseTeamThresholds({ idle: [1, 2, 3], offline: [1, 2, 3], talking: [3, 2, 1], paused: 'x' })).toEqual({
			idle: [1, 2, 3]
		});
		expect(parseTeamThresholds(null)).toEqual({});
		expect(parseTeamThresholds([1, 2, 3])).toEqual({});
	});
});
