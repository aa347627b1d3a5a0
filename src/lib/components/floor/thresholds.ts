/**
 * How long an agent may stay in a state before the tile turns yellow, then orange, then red, in
 * seconds — the wall-board colour rule, in one place. Each team may override any state
 * (`teams.thresholds`); what it leaves out keeps the default. Defaults follow VICIdial's real-time
 * screen: a ready agent waiting 30 s is worth a glance, five minutes is a problem; a call turns
 * yellow at 10 s, so short calls stand out as much as endless ones.
 */
import type { AgentState } from '$lib/protocol';

export type Level = 'ok' | 'yellow' | 'orange' | 'red';

/** [yellow, orange, red] in seconds, ascending */
export type Steps = readonly [yellow: number, orange: number, red: number];

/** the states a team can set colours for (offline has none) */
export const THRESHOLD_STATES = ['idle', 'ringing', 'dialing', 'talking', 'wrapup', 'paused'] as const;
export type ThresholdState = (typeof THRESHOLD_STATES)[number];

/** a full table: every state that has colours */
export type Thresholds = Readonly<Record<ThresholdState, Steps>>;
/** what a team stores: only the states it overrides */
export type TeamThresholds = Readonly<Partial<Record<ThresholdState, Steps>>>;

export const DEFAULT_THRESHOLDS: Thresholds = {
	idle: [30, 60, 300],
	ringing: [10, 20, 45],
	dialing: [20, 40, 90],
	talking: [10, 60, 300],
	wrapup: [30, 60, 180],
	paused: [10, 300, 900]
};

/** a day: longer steps are surely a typo */
export const MAX_STEP_SECONDS = 86_400;

export function isThresholdState(s: string): s is ThresholdState {
	return (THRESHOLD_STATES as readonly string[]).includes(s);
}

export function levelFor(state: AgentState, seconds: number, thresholds: Thresholds = DEFAULT_THRESHOLDS): Level {
	if (!isThresholdState(state)) return 'ok';
	const [yellow, orange, red] = thresholds[state];
	if (seconds >= red) return 'red';
	if (seconds >= orange) return 'orange';
	if (seconds >= yellow) return 'yellow';
	return 'ok';
}

/** The defaults with a team's overrides on top. */
export function effectiveThresholds(team: TeamThresholds | null | undefined): Thresholds {
	if (!team) return DEFAULT_THRESHOLDS;
	const out: Record<ThresholdState, Steps> = { ...DEFAULT_THRESHOLDS };
	for (const s of THRESHOLD_STATES) {
		const steps = team[s];
		if (steps) out[s] = steps;
	}
	return out;
}

/**
 * The colours for an agent in several teams: per state the strictest (earliest) step of any of
 * their teams, so no team's supervisor misses what they asked to see.
 */
export function thresholdsForTeams(
	teamIds: readonly string[],
	byTeam: ReadonlyMap<string, Thresholds>
): Thresholds {
	let out: Thresholds | null = null;
	for (const id of teamIds) {
		const t = byTeam.get(id);
		if (!t) continue;
		if (!out) {
			out = t;
			continue;
		}
		const merged: Record<ThresholdState, Steps> = { ...out };
		for (const s of THRESHOLD_STATES) {
			const a = out[s];
			const b = t[s];
			merged[s] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2])];
		}
		out = merged;
	}
	return out ?? DEFAULT_THRESHOLDS;
}

export type StepsProblem = 'not_numbers' | 'negative' | 'too_long' | 'not_ascending';

/** Why a row of steps is refused, or null when it is fine (whole seconds, 0…a day, strictly ascending). */
export function stepsProblem(steps: readonly number[]): StepsProblem | null {
	if (steps.length !== 3 || steps.some((n) => !Number.isInteger(n))) return 'not_numbers';
	if (steps.some((n) => n < 0)) return 'negative';
	if (steps.some((n) => n > MAX_STEP_SECONDS)) return 'too_long';
	if (!(steps[0]! < steps[1]! && steps[1]! < steps[2]!)) return 'not_ascending';
	return null;
}

/** Reads what a team stored (jsonb): keeps only valid rows of known states; anything else falls back to the default. */
export function parseTeamThresholds(raw: unknown): TeamThresholds {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
	const out: Partial<Record<ThresholdState, Steps>> = {};
	for (const [state, steps] of Object.entries(raw as Record<string, unknown>)) {
		if (!isThresholdState(state) || !Array.isArray(steps)) continue;
		const nums = (steps as unknown[]).filter((n): n is number => typeof n === 'number');
		if (nums.length === steps.length && stepsProblem(nums) === null) out[state] = [nums[0]!, nums[1]!, nums[2]!];
	}
	return out;
}

/**
 * Every team's effective colours, from what the teams store, with a cache per set of teams (most
 * agents share one), so 2,000 tiles asking costs 2,000 map look-ups.
 */
export class ThresholdsIndex {
	readonly #byTeam: ReadonlyMap<string, Thresholds>;
	readonly #memo = new Map<string, Thresholds>();

	constructor(stored: Readonly<Record<string, unknown>>) {
		this.#byTeam = new Map(Object.entries(stored).map(([id, t]) => [id, effectiveThresholds(parseTeamThresholds(t))]));
	}

	for(teamIds: readonly string[]): Thresholds {
		if (this.#byTeam.size === 0) return DEFAULT_THRESHOLDS;
		const key = teamIds.join(',');
		let t = this.#memo.get(key);
		if (!t) this.#memo.set(key, (t = thresholdsForTeams(teamIds, this.#byTeam)));
		return t;
	}
}
