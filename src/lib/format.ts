/** Dates, numbers and durations through Intl, in the user's locale. */

export function formatDuration(totalSeconds: number): string {
	const s = Math.max(0, Math.floor(totalSeconds));
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const sec = s % 60;
	const mm = String(m).padStart(h ? 2 : 1, '0');
	const ss = String(sec).padStart(2, '0');
	return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** One formatter per locale: the wall-board formats thousands of numbers per second. */
export function formatNumber(n: number, locale: string): string {
	let f = numberFormats.get(locale);
	if (!f) numberFormats.set(locale, (f = new Intl.NumberFormat(locale)));
	return f.format(n);
}

export function formatDateTime(d: Date | string | number, locale: string, timeZone?: string): string {
	return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(new Date(d));
}

export function formatTime(d: Date | number, locale: string): string {
	return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(d));
}

/** "12 min" style for human sentences (rate limit messages). */
export function minutesCeil(ms: number): number {
	return Math.max(1, Math.ceil(ms / 60_000));
}
