/**
 * The built server's leads clock (hopper, claims, dispositions) is shifted through the file its
 * test-only SB_TEST_CLOCK_FILE names: the offset in ms. Every test that shifts it puts it back.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { inject } from 'vitest';

/** From now on the server's leads clock reads `at` (ms since the epoch), moving on with wall time. */
export function setServerClock(at: number): void {
	writeFileSync(inject('e2e').clockFile, String(Math.round(at - Date.now())));
}

export function resetServerClock(): void {
	rmSync(inject('e2e').clockFile, { force: true });
}
