/**
 * Call intensity: an agent's outbound calls per 15-minute slot of the day. The leader counts each
 * call once (the reducer repeats a call's fact at every step), from the facts it already has, so
 * no viewer ever queries the database for it.
 */
import type { AgentIntensityView } from '$lib/protocol';

export const SLOT_MS = 15 * 60_000;
export const SLOTS_PER_DAY = 96;
/** a project's daily call target is spread over this many slots (8 working hours) */
export const TARGET_SLOTS = 32;

/** the slot of `t` in the day that began at `dayStart` (clamped to the day) */
export function slotOf(t: number, dayStart: number): number {
	return Math.min(SLOTS_PER_DAY - 1, Math.max(0, Math.floor((t - dayStart) / SLOT_MS)));
}

/** calls per slot from a daily call target */
export function targetPerSlot(dailyTarget: number | null): number | null {
	return dailyTarget === null || dailyTarget <= 0 ? null : dailyTarget / TARGET_SLOTS;
}

/** One day of counts for every agent; `changed()` hands out the agents touched since the last call. */
export class IntensityCounter {
	readonly day: string;
	readonly dayStart: number;
	readonly #slots = new Map<string, Map<number, number>>();
	readonly #seen = new Set<string>();
	#changed = new Set<string>();

	constructor(day: string, dayStart: number) {
		this.day = day;
		this.dayStart = dayStart;
	}

	/** Counts a call once per `key` (e.g. `pbx:linkedid`); calls of another day are ignored. Returns whether it counted. */
	record(agentId: string, key: string, startedAt: number): boolean {
		if (startedAt < this.dayStart || startedAt >= this.dayStart + SLOTS_PER_DAY * SLOT_MS) return false;
		if (this.#seen.has(key)) return false;
		this.#seen.add(key);
		const slot = slotOf(startedAt, this.dayStart);
		let slots = this.#slots.get(agentId);
		if (!slots) this.#slots.set(agentId, (slots = new Map()));
		slots.set(slot, (slots.get(slot) ?? 0) + 1);
		this.#changed.add(agentId);
		return true;
	}

	/** [slot, calls] ascending */
	slotsOf(agentId: string): [number, number][] {
		return [...(this.#slots.get(agentId) ?? [])].sort((a, b) => a[0] - b[0]);
	}

	agents(): string[] {
		return [...this.#slots.keys()];
	}

	/** the agents counted since the last call, and forget them */
	changed(): string[] {
		const out = [...this.#changed];
		this.#changed = new Set();
		return out;
	}
}

/** Per slot of the day, the calls (0 where none) up to and including `untilSlot`. */
export function denseSlots(view: AgentIntensityView | undefined, untilSlot: number): number[] {
	const out = new Array<number>(Math.max(0, untilSlot + 1)).fill(0);
	for (const [slot, n] of view?.slots ?? []) if (slot <= untilSlot) out[slot] = n;
	return out;
}

export interface IntensityPoint {
	slot: number;
	calls: number;
}

/**
 * What the intensity chart draws for some agents: per slot from `fromSlot` to `toSlot`, their
 * calls (the average per agent when several), and their target (averaged over those with one).
 */
export function intensitySeries(
	intensity: Readonly<Record<string, AgentIntensityView>>,
	agentIds: readonly string[],
	fromSlot: number,
	toSlot: number
): { points: IntensityPoint[]; target: number | null } {
	const sums = new Array<number>(Math.max(0, toSlot - fromSlot + 1)).fill(0);
	let targetSum = 0;
	let targets = 0;
	for (const id of agentIds) {
		const v = intensity[id];
		if (!v) continue;
		for (const [slot, n] of v.slots) if (slot >= fromSlot && slot <= toSlot) sums[slot - fromSlot]! += n;
		if (v.target !== null) {
			targetSum += v.target;
			targets++;
		}
	}
	const per = Math.max(1, agentIds.length);
	return {
		points: sums.map((n, i) => ({ slot: fromSlot + i, calls: n / per })),
		target: targets ? targetSum / targets : null
	};
}

/** an agent's calls over the last hour (the slot of now and the three before it) against the target for an hour */
export interface HourIntensity {
	calls: number;
	/** calls per hour the agent's projects ask for; null: no active project */
	target: number | null;
}

/**
 * The wall-board tile's "calls per hour against target": whole 15-minute slots, so the figure moves
 * when a call is placed or a slot ends, not on every clock tick (2,000 tiles read it).
 */
export function lastHourIntensity(view: AgentIntensityView | undefined, nowSlot: number): HourIntensity {
	let calls = 0;
	for (const [slot, n] of view?.slots ?? []) if (slot > nowSlot - 4 && slot <= nowSlot) calls += n;
	const target = view?.target ?? null;
	return { calls, target: target === null ? null : Math.round(target * 4 * 10) / 10 };
}
