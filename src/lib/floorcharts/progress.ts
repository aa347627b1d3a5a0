/**
 * Project progress: leads by status over the day and when the callable ones run out at the
 * current pace (the burn-down's ETA). Pure functions, used by the leader and the browser.
 */
import type { ProjectLeadStatus, ProjectProgressPoint } from '$lib/protocol';

export const LEAD_STATUSES: readonly ProjectLeadStatus[] = ['new', 'callback', 'in_progress', 'done', 'exhausted', 'dnc'];
/** statuses that still hold work: the burn-down counts these */
export const OPEN_STATUSES: readonly ProjectLeadStatus[] = ['new', 'callback', 'in_progress'];
/** the pace is taken over this much of the most recent history */
export const PACE_WINDOW_MS = 60 * 60_000;

export function emptyCounts(): Record<ProjectLeadStatus, number> {
	return { new: 0, callback: 0, in_progress: 0, done: 0, exhausted: 0, dnc: 0 };
}

export function remaining(counts: Readonly<Record<ProjectLeadStatus, number>>): number {
	let n = 0;
	for (const s of OPEN_STATUSES) n += counts[s];
	return n;
}

export interface Eta {
	/** when the open leads reach zero at the current pace (server ms); null when they do not go down */
	at: number | null;
	/** open leads used per hour (positive: going down) */
	perHour: number;
	remaining: number;
}

/**
 * Least-squares pace of the open leads over the last PACE_WINDOW_MS of points, extrapolated to
 * zero. Fewer than two points, or a pace that is not going down, gives no ETA.
 */
export function etaToExhaustion(points: readonly ProjectProgressPoint[]): Eta {
	const last = points[points.length - 1];
	if (!last) return { at: null, perHour: 0, remaining: 0 };
	const left = remaining(last.counts);
	const recent = points.filter((p) => p.t >= last.t - PACE_WINDOW_MS);
	if (recent.length < 2) return { at: left === 0 ? last.t : null, perHour: 0, remaining: left };
	let mx = 0;
	let my = 0;
	for (const p of recent) {
		mx += p.t;
		my += remaining(p.counts);
	}
	mx /= recent.length;
	my /= recent.length;
	let num = 0;
	let den = 0;
	for (const p of recent) {
		num += (p.t - mx) * (remaining(p.counts) - my);
		den += (p.t - mx) ** 2;
	}
	const slope = den === 0 ? 0 : num / den; // leads per ms
	const perHour = -slope * 3_600_000;
	// already out: the pace is still worth showing (how fast it ran dry)
	if (left === 0) return { at: last.t, perHour, remaining: 0 };
	if (!(slope < 0)) return { at: null, perHour, remaining: left };
	return { at: Math.round(last.t + left / -slope), perHour, remaining: left };
}

/** Appends a sample unless it repeats the last one's counts (a quiet project then costs nothing). */
export function appendPoint(points: ProjectProgressPoint[], point: ProjectProgressPoint): boolean {
	const last = points[points.length - 1];
	if (last && LEAD_STATUSES.every((s) => last.counts[s] === point.counts[s])) return false;
	points.push(point);
	return true;
}
