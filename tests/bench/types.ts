/** One measured number of a benchmark case (issue #9). */
export interface BenchResult {
	case: string;
	metric: string;
	value: number;
	unit: string;
	/** the number we compare against (e.g. the package we replace), if any */
	baseline: number | null;
	/** value / baseline, if there is a baseline */
	ratio: number | null;
	/** human-readable target, e.g. '≥ 100000 ev/s' */
	goal: string;
	pass: boolean;
}

/** A module in tests/bench/cases/*.ts exports `{ name, run }` as its default export. */
export interface BenchCase {
	name: string;
	run(): Promise<BenchResult[]>;
}
