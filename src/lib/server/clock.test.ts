import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileOffsetClock, wallClock } from './clock';

describe('the leads clock', () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'sb-clock-'));
	const file = path.join(dir, 'offset');
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('is wall time without a test file, and shifts by the file offset when there is one', () => {
		const day = 24 * 3600_000;
		const clock = fileOffsetClock(file);
		const before = wallClock.now().getTime();
		expect(clock.now().getTime()).toBeGreaterThanOrEqual(before);
		writeFileSync(file, `${day}\n`);
		const shifted = clock.now().getTime();
		expect(shifted).toBeGreaterThanOrEqual(before + day);
		expect(shifted).toBeLessThan(wallClock.now().getTime() + day + 1);
		writeFileSync(file, '');
		expect(clock.now().getTime()).toBeLessThan(before + day);
	});

	it('refuses anything but whole milliseconds', () => {
		writeFileSync(file, 'tomorrow');
		expect(() => fileOffsetClock(file).now()).toThrow(/not a whole number/);
	});
});
