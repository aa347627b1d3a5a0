/**
 * Column and metric labels by key, in the viewer's language: one place for the page, the CSV
 * and the XLSX headers.
 */
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { formatDuration, formatNumber } from '$lib/format';
import type { Cell, CellKind, ReportTable } from './table';

const messages = m as unknown as Record<string, (() => string) | undefined>;

export function columnLabel(key: string): string {
	return messages[`reports_col_${key}`]?.() ?? key;
}

export function metricLabel(key: string): string {
	return messages[`reports_metric_${key}`]?.() ?? key;
}

export function tableLabels(table: ReportTable): string[] {
	return table.columns.map((c) => columnLabel(c.key));
}

const pctFormats = new Map<string, Intl.NumberFormat>();

export function formatPct(n: number, locale = getLocale()): string {
	let f = pctFormats.get(locale);
	if (!f) pctFormats.set(locale, (f = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })));
	return f.format(n);
}

export function formatMoney(n: number, currency: string, locale = getLocale()): string {
	try {
		return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(n);
	} catch {
		return `${n.toFixed(2)} ${currency}`;
	}
}

export function formatCell(value: Cell, kind: CellKind, locale = getLocale()): string {
	if (value === null || value === '') return '–';
	if (typeof value === 'string') return value;
	switch (kind) {
		case 'pct':
			return formatPct(value, locale);
		case 'seconds':
			return formatDuration(value);
		case 'money':
			return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
		default:
			return formatNumber(value, locale);
	}
}
