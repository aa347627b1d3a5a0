/**
 * Updates for wall-board tiles that are off screen (`content-visibility: auto` skips them), done
 * in the idle time between frames instead of inside the frame that received them: a frame that
 * applies hundreds of agent changes then only renders the tiles one can see, and the rest catch up
 * in the gaps that follow — all of them at the latest after MAX_DELAY_MS. One pending update per
 * tile (keyed), always with the tile's latest data, so nothing is lost, only delayed.
 */
const MAX_DELAY_MS = 100;
/** leave this much of an idle period free, ms */
const IDLE_SLACK_MS = 2;

const queue = new Map<object, () => void>();
let scheduled = false;

function drain(deadline?: IdleDeadline): void {
	scheduled = false;
	// no deadline (no requestIdleCallback) or past MAX_DELAY_MS: everything now
	const budgeted = deadline !== undefined && !deadline.didTimeout;
	for (const [key, run] of queue) {
		queue.delete(key);
		run();
		if (budgeted && deadline.timeRemaining() < IDLE_SLACK_MS) break;
	}
	if (queue.size) schedule();
}

function schedule(): void {
	if (scheduled) return;
	scheduled = true;
	if (typeof requestIdleCallback === 'function') requestIdleCallback(drain, { timeout: MAX_DELAY_MS });
	else setTimeout(drain, 0);
}

/** Runs `run` soon, in a later task; replaces what `key` had pending. */
export function deferOffscreen(key: object, run: () => void): void {
	queue.set(key, run);
	schedule();
}

/** Drops what `key` had pending. */
export function cancelOffscreen(key: object): void {
	queue.delete(key);
}
