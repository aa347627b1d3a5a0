import { describe, expect, it } from 'vitest';
import { uuidv7 } from './uuid7';

describe('uuidv7', () => {
	it('makes version-7 RFC 9562 ids that increase in the order they were made', () => {
		const ids = Array.from({ length: 2_000 }, () => uuidv7());
		for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(new Set(ids).size).toBe(ids.length);
		expect([...ids].sort()).toEqual(ids);
	});

	it('starts with the current time in milliseconds', () => {
		const before = Date.now();
		const ms = parseInt(uuidv7().replace(/-/g, '').slice(0, 12), 16);
		expect(ms).toBeGreaterThanOrEqual(before);
		expect(ms).toBeLessThan(before + 60_000);
	});
});
