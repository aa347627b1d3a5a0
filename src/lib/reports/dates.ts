/**
 * Calendar days as 'YYYY-MM-DD' strings, the unit every report counts in. Pure string/UTC
 * arithmetic: no host time zone leaks in.
 *
 * Which time zone makes "a day", report by report — always the zone of whoever the number is
 * about, never the server's or the viewer's, so a number does not move with who looks at it:
 * - what an agent does (dials, contacts, talk, pauses, the hourly heatmap; intensity, conversion
 *   funnel, failure diagram, the pay's daily dial plan): the agent's local day, the
 *   agent_day_stats key (realtime/persist/rollups.ts). A call counts entirely on the day it
 *   started; a pause is split at the agent's midnight. The plan is about the agent's working day.
 * - meetings (booked, held, won; conversion and pay): the project's local day
 *   (projects.timezone). A meeting is the client's, held in the project's region, and that zone is
 *   in the database next to the meeting (the agent's is known only to the persister).
 * - the project's list (progress snapshots, the run-out date's "today"): the project's local day,
 *   the day the list is worked in.
 * - weeks are ISO weeks (Monday…Sunday) of those days; a public holiday is a calendar date, not
 *   an instant, so it is the same date in every zone and applies to those local days.
 * An agent's zone is their project's (src/lib/server/reports/agent-zones.ts), which the runtime,
 * dispositions and `npm run rollups:rebuild` pass to the rollups, and the drill-downs
 * (src/lib/server/reports/calls.ts) read raw calls on the same local days.
 */

export type Day = string;

const DAY_MS = 86_400_000;

export function isDay(value: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const t = Date.parse(`${value}T00:00:00Z`);
	return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === value;
}

export function dayOf(d: Date): Day {
	return d.toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
	return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Whole days from `a` to `b` (b − a). */
export function dayDiff(a: Day, b: Day): number {
	return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** 1 = Monday … 7 = Sunday (ISO). */
export function isoWeekday(day: Day): number {
	return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

/** The Monday of the ISO week holding `day`. */
export function mondayOf(day: Day): Day {
	return addDays(day, 1 - isoWeekday(day));
}

/** Every day from `from` to `to`, both included. */
export function daysFrom(from: Day, to: Day): Day[] {
	const out: Day[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
	return out;
}

/** Monday to Friday of the week starting `monday`, without the public holidays. */
export function workingDays(monday: Day, holidays: ReadonlySet<Day>): Day[] {
	return daysFrom(monday, addDays(monday, 4)).filter((d) => !holidays.has(d));
}
