import { describe, expect, it } from 'vitest';
import type { FloorchartsState, ProjectProgressPoint } from '$lib/protocol';
import { denseSlots, IntensityCounter, intensitySeries, lastHourIntensity, SLOT_MS, slotOf, targetPerSlot } from './intensity';
import { appendPoint, emptyCounts, etaToExhaustion, remaining } from './progress';
import { applyChartsDelta, emptyChartsState } from './state';

const DAY0 = Date.UTC(2026, 10, 25);
const HOUR = 3_600_000;

function point(t: number, open: number, done = 0): ProjectProgressPoint {
	return { t, counts: { ...emptyCounts(), new: open, done } };
}

describe('call intensity per 15-minute slot', () => {
	it('puts a moment in its slot of the day, clamped to the day', () => {
		expect(slotOf(DAY0, DAY0)).toBe(0);
		expect(slotOf(DAY0 + SLOT_MS - 1, DAY0)).toBe(0);
		expect(slotOf(DAY0 + 9 * HOUR, DAY0)).toBe(36);
		expect(slotOf(DAY0 + 30 * HOUR, DAY0)).toBe(95);
	});

	it('counts each call once however often its fact repeats, and ignores other days', () => {
		const c = new IntensityCounter('2026-11-25', DAY0);
		expect(c.record('a', 'sim:1', DAY0 + 9 * HOUR)).toBe(true);
		expect(c.record('a', 'sim:1', DAY0 + 9 * HOUR)).toBe(false);
		c.record('a', 'sim:2', DAY0 + 9 * HOUR + 60_000);
		c.record('a', 'sim:3', DAY0 + 10 * HOUR);
		expect(c.record('b', 'sim:4', DAY0 - 1)).toBe(false);
		expect(c.slotsOf('a')).toEqual([
			[36, 2],
			[40, 1]
		]);
		expect(c.changed()).toEqual(['a']);
		expect(c.changed()).toEqual([]);
		expect(denseSlots({ slots: c.slotsOf('a'), target: null }, 38)).toHaveLength(39);
		expect(denseSlots({ slots: c.slotsOf('a'), target: null }, 38)[36]).toBe(2);
	});

	it('spreads a daily call target over 32 slots (8 hours)', () => {
		expect(targetPerSlot(96)).toBe(3);
		expect(targetPerSlot(null)).toBeNull();
		expect(targetPerSlot(0)).toBeNull();
	});
});

describe('project burn-down', () => {
	it('extrapolates the open leads to zero at the pace of the last hour', () => {
		const eta = etaToExhaustion([point(DAY0, 1000), point(DAY0 + HOUR / 2, 950), point(DAY0 + HOUR, 900)]);
		expect(eta.remaining).toBe(900);
		expect(eta.perHour).toBeCloseTo(100);
		expect(eta.at).toBe(DAY0 + HOUR + 9 * HOUR);
	});

	it('gives no ETA when the open leads do not go down, or with one sample', () => {
		expect(etaToExhaustion([point(DAY0, 100), point(DAY0 + HOUR, 120)]).at).toBeNull();
		expect(etaToExhaustion([point(DAY0, 100)]).at).toBeNull();
		expect(etaToExhaustion([]).remaining).toBe(0);
		expect(etaToExhaustion([point(DAY0, 10), point(DAY0 + HOUR, 0)]).at).toBe(DAY0 + HOUR);
	});

	it('uses only the last hour for the pace', () => {
		const eta = etaToExhaustion([point(DAY0, 10_000), point(DAY0 + 2 * HOUR, 1000), point(DAY0 + 3 * HOUR, 1000)]);
		expect(eta.at).toBeNull();
	});

	it('counts new, callback and in-progress leads as open, and skips repeated samples', () => {
		expect(remaining({ new: 1, callback: 2, in_progress: 3, done: 4, exhausted: 5, dnc: 6 })).toBe(6);
		const points: ProjectProgressPoint[] = [];
		expect(appendPoint(points, point(DAY0, 5))).toBe(true);
		expect(appendPoint(points, point(DAY0 + 1, 5))).toBe(false);
		expect(appendPoint(points, point(DAY0 + 2, 4, 1))).toBe(true);
		expect(points).toHaveLength(2);
	});
});

describe('charts state', () => {
	it('applies deltas: thresholds replace, agents replace, project points append, reset clears', () => {
		let s: FloorchartsState = emptyChartsState('d', DAY0);
		s = applyChartsDelta(s, {
			seq: 1,
			reset: true,
			day: 'd',
			dayStart: DAY0,
			thresholds: { t1: { idle: [1, 2, 3] } },
			intensity: { a: { slots: [[1, 1]], target: 2 } },
			projects: [{ projectId: 'p', name: 'P', teamId: 't1', points: [point(DAY0, 5)] }]
		});
		s = applyChartsDelta(s, {
			seq: 2,
			reset: false,
			day: 'd',
			dayStart: DAY0,
			intensity: { b: { slots: [[2, 1]], target: null } },
			projects: [{ projectId: 'p', name: 'P', teamId: 't1', points: [point(DAY0 + 1, 4)] }]
		});
		expect(Object.keys(s.intensity).sort()).toEqual(['a', 'b']);
		expect(s.projects[0]!.points).toHaveLength(2);
		expect(s.thresholds.t1?.idle).toEqual([1, 2, 3]);
		const before = s;
		s = applyChartsDelta(s, { seq: 3, reset: true, day: 'e', dayStart: DAY0 + 24 * HOUR, intensity: {} });
		expect(s.projects).toEqual([]);
		expect(s.intensity).toEqual({});
		expect(before.projects).toHaveLength(1);
	});
});

describe('intensity series for the chart', () => {
	it('averages the agents shown per slot and their targets', () => {
		const intensity = {
			a: { slots: [[10, 4], [12, 2]] as [number, number][], target: 3 },
			b: { slots: [[10, 2]] as [number, number][], target: null }
		};
		const { points, target } = intensitySeries(intensity, ['a', 'b'], 10, 12);
		expect(points).toEqual([
			{ slot: 10, calls: 3 },
			{ slot: 11, calls: 0 },
			{ slot: 12, calls: 1 }
		]);
		expect(target).toBe(3);
		expect(intensitySeries(intensity, ['a'], 10, 12).points[0]!.calls).toBe(4);
		expect(intensitySeries(intensity, ['x'], 10, 10)).toEqual({ points: [{ slot: 10, calls: 0 }], target: null });
	});
});

describe('lastHourIntensity (the tile figure)', () => {
	it('sums the slot of now and the three before it, and scales the per-slot target to an hour', () => {
		const view = { slots: [[10, 5], [11, 1], [12, 2], [13, 3], [14, 4]] as [number, number][], target: 2.5 };
		// now in slot 14: slots 11..14 count, slot 10 is more than an hour ago
		expect(lastHourIntensity(view, 14)).toEqual({ calls: 10, target: 10 });
		// a quiet hour later nothing counts
		expect(lastHourIntensity(view, 18)).toEqual({ calls: 0, target: 10 });
		// slots not yet reached do not count
		expect(lastHourIntensity(view, 11)).toEqual({ calls: 6, target: 10 });
	});
	it('has no target without an active project, and nothing for an agent without calls', () => {
		expect(lastHourIntensity({ slots: [[3, 2]], target: null }, 3)).toEqual({ calls: 2, target: null });
		expect(lastHourIntensity(undefined, 40)).toEqual({ calls: 0, target: null });
	});
});
