import { m } from '$lib/paraglide/messages';

/** Monday … Sunday, short, in the viewer's language (ISO order, as the heatmap rows). */
export function weekdayLabels(): string[] {
	return [m.reports_weekday_1(), m.reports_weekday_2(), m.reports_weekday_3(), m.reports_weekday_4(), m.reports_weekday_5(), m.reports_weekday_6(), m.reports_weekday_7()];
}
