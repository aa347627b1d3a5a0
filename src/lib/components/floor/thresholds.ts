/**
 * How long an agent may stay in a state before the tile turns amber (warn) and then red (alarm),
 * in seconds — the wall-board colour rule, in one place. Defaults follow what VICIdial floors use:
 * a ready agent idle for a minute is worth a glance, five minutes is a problem.
 */
import type { AgentState } from '$lib/protocol';

export type Level = 'ok' | 'warn' | 'alarm';

/** [warn, alarm] in seconds; null: no alarm for that state */
export type Thresholds = Readonly<Record<AgentState, readonly [warn: number, alarm: number] | null>>;

export const DEFAULT_THRESHOLDS: Thresholds = {
	offline: null,
	idle: [60, 300],
	ringing: [20, 45],
	dialing: [40, 90],
	talking: [600, 1_200],
	wrapup: [60, 180],
	paused: [600, 1_800]
};

export function levelFor(
	state: AgentState,
	seconds: number,
	thresholds: Thresholds = DEFAULT_THRESHOLDS
): Level {
	const t = thresholds[state];
	if (!t) return 'ok';
	if (seconds >= t[1]) return 'alarm';
	if (seconds >= t[0]) return 'warn';
	return 'ok';
}
