/** Small numeric helpers shared by bench cases. */

/** nearest-rank percentile (p in 0..100) of an unsorted list; NaN when empty */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function mean(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	let s = 0;
	for (const v of values) s += v;
	return s / values.length;
}

/** round to `digits` decimals */
export function round(n: number, digits = 1): number {
	const f = 10 ** digits;
	return Math.round(n * f) / f;
}

/** CPU time of this process (user + system, all threads) as % of one core over a window */
export class CpuMeter {
	#cpu = process.cpuUsage();
	#t = performance.now();

	reset(): void {
		this.#cpu = process.cpuUsage();
		this.#t = performance.now();
	}

	/** { percent of one core, wall ms } since the last reset */
	read(): { percent: number; wallMs: number } {
		const d = process.cpuUsage(this.#cpu);
		const wallMs = performance.now() - this.#t;
		return { percent: ((d.user + d.system) / 1000 / wallMs) * 100, wallMs };
	}
}
