/**
 * The table every report shows, exports and drills from: typed columns (their labels come from
 * i18n by key, see labels.ts) and rows of plain values, so CSV, XLSX and the page agree.
 */
export type CellKind = 'text' | 'int' | 'pct' | 'seconds' | 'money' | 'day';

export interface Column {
	key: string;
	kind: CellKind;
}

export type Cell = string | number | null;

export interface ReportTable {
	columns: Column[];
	rows: Cell[][];
	/** drill-down query string per row and column (same shape as rows), or null */
	drill?: (string | null)[][];
}

/** a / b, or null when b is 0 (a rate of nothing is no rate, not 0 %) */
export function rate(a: number, b: number): number | null {
	return b === 0 ? null : a / b;
}
