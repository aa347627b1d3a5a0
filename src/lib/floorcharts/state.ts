/**
 * The charts state as a viewer holds it: a snapshot plus the leader's deltas. Pure: used by every
 * hub node's relay and by the browser store.
 */
import type { FloorchartsDelta, FloorchartsState } from '$lib/protocol';

export function emptyChartsState(day = '', dayStart = 0): FloorchartsState {
	return { day, dayStart, thresholds: {}, intensity: {}, projects: [] };
}

/** A new state with `delta` applied (the input is not changed). */
export function applyChartsDelta(state: FloorchartsState, delta: FloorchartsDelta): FloorchartsState {
	const base = delta.reset ? emptyChartsState(delta.day, delta.dayStart) : state;
	const next: FloorchartsState = { ...base, day: delta.day, dayStart: delta.dayStart };
	if (delta.thresholds) next.thresholds = delta.thresholds;
	if (delta.intensity) next.intensity = { ...base.intensity, ...delta.intensity };
	if (delta.projects?.length) {
		const byId = new Map(base.projects.map((p) => [p.projectId, p]));
		for (const p of delta.projects) {
			const old = byId.get(p.projectId);
			byId.set(p.projectId, old && !delta.reset ? { ...p, points: [...old.points, ...p.points] } : p);
		}
		next.projects = [...byId.values()];
	}
	return next;
}
