/**
 * Where a Chromium renderer's main thread spent a traced window: time per top-level event
 * (script, style, layout, paint…) and how much of the tree style recalcs and layouts touched —
 * the numbers that say whether a frame re-rendered a few tiles or the whole wall.
 */

interface TraceEvent {
	name: string;
	ph: string;
	pid: number;
	tid: number;
	ts: number;
	dur?: number;
	args?: {
		name?: string;
		elementCount?: number;
		beginData?: { dirtyObjects?: number; totalObjects?: number };
		data?: { dirtyObjects?: number; totalObjects?: number };
	};
}

export interface TraceSummary {
	seconds: number;
	/** event name → [total ms, count], complete events on the renderer main thread, nested ones included */
	byName: Record<string, [number, number]>;
	/** elements restyled per UpdateLayoutTree: mean and max */
	restyled: { mean: number; max: number };
	/** layout objects marked dirty per Layout, and the tree's size */
	layout: { meanDirty: number; maxDirty: number; totalObjects: number };
}

const WATCHED = [
	'FunctionCall',
	'RunMicrotasks',
	'FireAnimationFrame',
	'UpdateLayoutTree',
	'Layout',
	'PrePaint',
	'Paint',
	'Layerize',
	'Commit',
	'HitTest',
	'MajorGC',
	'MinorGC',
	'V8.GC_SCAVENGER',
	'EventDispatch'
];

export function summariseTrace(json: string): TraceSummary {
	const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
	// the renderer main thread: the thread named CrRendererMain with the most events
	const mains = new Set(
		events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`)
	);
	const perThread = new Map<string, number>();
	for (const e of events) {
		const k = `${e.pid}:${e.tid}`;
		if (mains.has(k)) perThread.set(k, (perThread.get(k) ?? 0) + 1);
	}
	const main = [...perThread].sort((a, b) => b[1] - a[1])[0]?.[0];
	const byName: Record<string, [number, number]> = {};
	let first = Infinity;
	let last = -Infinity;
	const restyled: number[] = [];
	const dirty: number[] = [];
	let totalObjects = 0;
	for (const e of events) {
		if (`${e.pid}:${e.tid}` !== main) continue;
		if (e.ts > 0) {
			first = Math.min(first, e.ts);
			last = Math.max(last, e.ts + (e.dur ?? 0));
		}
		if (e.ph === 'X' && WATCHED.includes(e.name)) {
			const cur = (byName[e.name] ??= [0, 0]);
			cur[0] += (e.dur ?? 0) / 1000;
			cur[1]++;
		}
		if (e.name === 'UpdateLayoutTree' && typeof e.args?.elementCount === 'number') restyled.push(e.args.elementCount);
		if (e.name === 'Layout') {
			const d = e.args?.beginData ?? e.args?.data;
			if (typeof d?.dirtyObjects === 'number') dirty.push(d.dirtyObjects);
			if (typeof d?.totalObjects === 'number') totalObjects = Math.max(totalObjects, d.totalObjects);
		}
	}
	const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
	return {
		seconds: Number.isFinite(first) ? (last - first) / 1e6 : 0,
		byName,
		restyled: { mean: mean(restyled), max: Math.max(0, ...restyled) },
		layout: { meanDirty: mean(dirty), maxDirty: Math.max(0, ...dirty), totalObjects }
	};
}

export function formatTraceSummary(s: TraceSummary): string {
	const rows = Object.entries(s.byName)
		.sort((a, b) => b[1][0] - a[1][0])
		.map(([name, [ms, n]]) => `  ${name.padEnd(20)} ${ms.toFixed(0).padStart(7)} ms  ${String(n).padStart(6)}×  ${(ms / n).toFixed(2)} ms each`);
	return [
		`main thread over ${s.seconds.toFixed(1)} s (nested events counted in their parents too):`,
		...rows,
		`  restyled elements per style recalc: mean ${s.restyled.mean.toFixed(0)}, max ${s.restyled.max}`,
		`  dirty layout objects per layout: mean ${s.layout.meanDirty.toFixed(0)}, max ${s.layout.maxDirty} (tree: ${s.layout.totalObjects})`
	].join('\n');
}
