import { describe, expect, it } from 'vitest';
import type { WorkingHours } from '../db/schema';
import { freeSlots, localDate, mondayOf, zonedInstant } from './slots';

const NINE_TO_SIX: WorkingHours = { days: { 0: ['09:00', '18:00'], 1: ['09:00', '18:00'], 2: ['09:00', '18:00'], 3: ['09:00', '18:00'], 4: ['09:00', '18:00'], 5: ['09:00', '18:00'], 6: ['09:00', '18:00'] } };
const LONG_AGO = new Date('2000-01-01T00:00:00Z');

function days(list: ReturnType<typeof freeSlots>) {
	return Object.fromEntries(list.map((d) => [d.date, d.slots]));
}

describe('wall time in a zone', () => {
	it('maps wall times to instants across DST changes', () => {
		expect(zonedInstant('2026-03-28', '09:00', 'Europe/Paris')!.toISOString()).toBe('2026-03-28T08:00:00.000Z');
		expect(zonedInstant('2026-03-29', '09:00', 'Europe/Paris')!.toISOString()).toBe('2026-03-29T07:00:00.000Z');
		// 02:30 does not exist in Paris on 29 March 2026
		expect(zonedInstant('2026-03-29', '02:30', 'Europe/Paris')).toBeNull();
		// 02:30 happens twice on 25 October 2026: the earlier one (still summer time)
		expect(zonedInstant('2026-10-25', '02:30', 'Europe/Paris')!.toISOString()).toBe('2026-10-25T00:30:00.000Z');
		expect(zonedInstant('2026-11-01', '09:00', 'America/New_York')!.toISOString()).toBe('2026-11-01T14:00:00.000Z');
		expect(zonedInstant('2026-07-01', '10:00', 'Asia/Kolkata')!.toISOString()).toBe('2026-07-01T04:30:00.000Z');
	});
	it('finds the local date and the Monday of its week', () => {
		expect(localDate(new Date('2026-11-29T23:30:00Z'), 'Europe/Paris')).toBe('2026-11-30');
		expect(localDate(new Date('2026-11-30T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-29');
		expect(mondayOf('2026-11-29')).toBe('2026-11-23');
		expect(mondayOf('2026-11-23')).toBe('2026-11-23');
	});
});

describe('free slots', () => {
	it('cuts working hours into 60-minute slots in the project zone, Monday to Sunday', () => {
		const week = freeSlots({ week: '2026-11-25', timezone: 'Europe/Paris', workingHours: NINE_TO_SIX, busy: [], now: LONG_AGO });
		expect(week.map((d) => d.date)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
		expect(week[0]!.weekday).toBe(1);
		expect(week[0]!.slots).toHaveLength(9);
		expect(week[0]!.slots[0]).toBe('2026-11-23T08:00:00.000Z');
		expect(week[0]!.slots.at(-1)).toBe('2026-11-23T16:00:00.000Z');
	});

	it('follows the clock across the spring-forward and fall-back weekends', () => {
		const spring = days(freeSlots({ week: '2026-03-23', timezone: 'Europe/Paris', workingHours: NINE_TO_SIX, busy: [], now: LONG_AGO }));
		expect(spring['2026-03-28']![0]).toBe('2026-03-28T08:00:00.000Z');
		expect(spring['2026-03-29']![0]).toBe('2026-03-29T07:00:00.000Z');
		expect(spring['2026-03-29']).toHaveLength(9);
		const fall = days(freeSlots({ week: '2026-10-19', timezone: 'Europe/Paris', workingHours: NINE_TO_SIX, busy: [], now: LONG_AGO }));
		expect(fall['2026-10-24']![0]).toBe('2026-10-24T07:00:00.000Z');
		expect(fall['2026-10-25']![0]).toBe('2026-10-25T08:00:00.000Z');
	});

	it('counts real hours when working hours span the DST change', () => {
		const night: WorkingHours = { days: { 0: ['00:00', '06:00'] } };
		const spring = days(freeSlots({ week: '2026-03-29', timezone: 'Europe/Paris', workingHours: night, busy: [], now: LONG_AGO }));
		expect(spring['2026-03-29']).toHaveLength(5); // 00:00–06:00 lasts 5 hours that night
		const fall = days(freeSlots({ week: '2026-10-25', timezone: 'Europe/Paris', workingHours: night, busy: [], now: LONG_AGO }));
		expect(fall['2026-10-25']).toHaveLength(7);
		// a bound inside the gap starts at the first time that exists
		const gap = days(freeSlots({ week: '2026-03-29', timezone: 'Europe/Paris', workingHours: { days: { 0: ['02:30', '05:00'] } }, busy: [], now: LONG_AGO }));
		expect(gap['2026-03-29']![0]).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
	});

	it('leaves out past slots and slots that overlap a meeting', () => {
		const busy = [
			{ start: new Date('2026-11-25T09:30:00Z'), end: new Date('2026-11-25T10:30:00Z') },
			{ start: new Date('2026-11-26T08:00:00Z'), end: new Date('2026-11-26T09:00:00Z') }
		];
		const week = days(freeSlots({ week: '2026-11-25', timezone: 'UTC', workingHours: NINE_TO_SIX, busy, now: new Date('2026-11-25T00:00:00Z') }));
		expect(week['2026-11-24']).toEqual([]);
		expect(week['2026-11-25']).not.toContain('2026-11-25T09:00:00.000Z');
		expect(week['2026-11-25']).not.toContain('2026-11-25T10:00:00.000Z');
		expect(week['2026-11-25']).toContain('2026-11-25T11:00:00.000Z');
		// a meeting that ends when a slot starts does not block it
		expect(week['2026-11-26']).toContain('2026-11-26T09:00:00.000Z');
		expect(week['2026-11-26']).toHaveLength(9);
	});

	it('uses office hours (Mon–Fri 09–18) when the project has none', () => {
		const week = freeSlots({ week: '2026-11-23', timezone: 'UTC', workingHours: null, busy: [], now: LONG_AGO });
		expect(week.map((d) => d.slots.length)).toEqual([9, 9, 9, 9, 9, 0, 0]);
	});
});
