/**
 * The server's clock for the leads' due times: which callbacks and retries the hopper hands out,
 * claim expiry, when a disposition schedules the next attempt. It is wall time, except when the
 * test-only `SB_TEST_CLOCK_FILE` names a file: then it is wall time plus the milliseconds written
 * in that file (none, or no file, = wall time). End-to-end tests use it to live "tomorrow 10:00"
 * without waiting a day; nothing over the network can move it. The live floor (timers, wrap-up,
 * call durations) always runs on wall time.
 */
import { readFileSync } from 'node:fs';

export interface Clock {
	now(): Date;
}

export const wallClock: Clock = { now: () => new Date() };

/** Wall time shifted by the offset (ms, an integer) written in `file`, read at every call. */
export function fileOffsetClock(file: string): Clock {
	return { now: () => new Date(Date.now() + readOffset(file)) };
}

function readOffset(file: string): number {
	let text: string;
	try {
		text = readFileSync(file, 'utf8').trim();
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
		throw err;
	}
	if (text === '') return 0;
	const ms = Number(text);
	if (!Number.isSafeInteger(ms)) throw new Error(`SB_TEST_CLOCK_FILE ${file} holds ${JSON.stringify(text.slice(0, 40))}, not a whole number of milliseconds`);
	return ms;
}
