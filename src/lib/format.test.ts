import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatNumber, minutesCeil } from './format';

describe('format', () => {
	it('formats durations as m:ss and h:mm:ss, never negative', () => {
		expect(formatDuration(0)).toBe('0:00');
		expect(formatDuration(65)).toBe('1:05');
		expect(formatDuration(3600 + 61)).toBe('1:01:01');
		expect(formatDuration(-5)).toBe('0:00');
	});
	it('formats numbers and dates per locale', () => {
		expect(formatNumber(1234567, 'en')).toBe('1,234,567');
		expect(formatNumber(1234567, 'fr').replace(/\s/g, ' ')).toBe('1 234 567');
		const d = Date.UTC(2026, 10, 25, 13, 5, 0);
		expect(formatDateTime(d, 'fr', 'UTC')).toContain('25 nov. 2026');
		expect(formatDateTime(d, 'en', 'UTC')).toContain('Nov 25, 2026');
	});
	it('rounds waits up to whole minutes', () => {
		expect(minutesCeil(1)).toBe(1);
		expect(minutesCeil(61_000)).toBe(2);
	});
});
