import { m } from '$lib/paraglide/messages';

/** Monday … Sunday, short, in the viewer's language (ISO order, as the heatmap rows). */
export function weekdayLabels(): string[] {
	return [m.reports_weekday_1(), m.reports_weekday_2(), m.reports_weekday_3(), m.reports_weekday_4(), m.reports_weekday_5(), m.reports_weekday_6(), m.reports_weekday_7()];
}

/** Totals of `value` per `key`, sorted by key (e.g. dials per day over several agents). */
export function totalsByKey<T>(rows: readonly T[], key: (row: T) => string, value: (row: T) => number): { label: string; value: number }[] {
	const by = new Map<string, number>();
	for (const r of rows) by.set(key(r), (by.get(key(r)) ?? 0) + value(r));
	return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([label, v]) => ({ label, value: v }));
}

/** The same query string with `name` set to `value` (export links keep the report's filters). */
export function withParam(search: URLSearchParams, name: string, value: string): string {
	const p = new URLSearchParams(search);
	p.set(name, value);
	return p.toString();
}

/** The same query string without `name` (e.g. the first page of a paged drill-down). */
export function withoutParam(search: URLSearchParams, name: string): string {
	const p = new URLSearchParams(search);
	p.delete(name);
	return p.toString();
}
