/**
 * A sales director's free meeting slots for one week, pure: the project's working hours read as
 * wall-clock times in the project's time zone, cut into fixed-length slots in real time (so a
 * day that loses or gains an hour at a DST change has one slot fewer or more inside an interval
 * that spans the change, and every slot is exactly `slotMinutes` long), minus slots in the past
 * and slots that overlap the director's meetings.
 */
import type { WorkingHours } from '../db/schema';

export const MEETING_MINUTES = 60;

/** Used when a project has no working hours: Monday to Friday, 09:00–18:00. */
export const OFFICE_HOURS: WorkingHours = {
	days: { 1: ['09:00', '18:00'], 2: ['09:00', '18:00'], 3: ['09:00', '18:00'], 4: ['09:00', '18:00'], 5: ['09:00', '18:00'] }
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
	let f = formatters.get(tz);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone: tz,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		formatters.set(tz, f);
	}
	return f;
}

interface Wall {
	y: number;
	mo: number;
	d: number;
	h: number;
	mi: number;
}

function wallOf(ms: number, tz: string): Wall {
	const p: Record<string, number> = {};
	for (const part of formatter(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
	return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute! };
}

/** Offset of `tz` from UTC at instant `ms`, in ms (Paris in winter: +3,600,000). */
function offsetAt(ms: number, tz: string): number {
	const w = wallOf(ms, tz);
	return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant at which the wall clock of `tz` shows `date` `time`; null when that wall time does
 * not exist (skipped by a DST change). A time that occurs twice gives the earlier instant.
 */
export function zonedInstant(date: string, time: string, tz: string): Date | null {
	const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
	const [h, mi] = time.split(':').map(Number) as [number, number];
	const naive = Date.UTC(y, mo - 1, d, h, mi);
	// the earlier of the two candidate offsets (around the instant, before and after a change)
	const candidates = [offsetAt(naive - 86_400_000 / 2, tz), offsetAt(naive + 86_400_000 / 2, tz)]
		.map((off) => naive - off)
		.sort((a, b) => a - b);
	for (const t of candidates) {
		const w = wallOf(t, tz);
		if (w.y === y && w.mo === mo && w.d === d && w.h === h && w.mi === mi) return new Date(t);
	}
	return null;
}

/** The calendar date (YYYY-MM-DD) the wall clock of `tz` shows at `at`. */
export function localDate(at: Date, tz: string): string {
	const w = wallOf(at.getTime(), tz);
	return `${w.y}-${String(w.mo).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
	const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10);
}

function weekday(date: string): 0 | 1 | 2 | 3 | 4 | 5 | 6 {
	const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, mo - 1, d)).getUTCDay() as 0 | 1 | 2 | 3 | 4 | 5 | 6;
}

/** Monday of the week that contains `date`. */
export function mondayOf(date: string): string {
	return addDays(date, -((weekday(date) + 6) % 7));
}

export interface Busy {
	start: Date;
	end: Date;
}

export interface DaySlots {
	/** local date in the project's time zone */
	date: string;
	weekday: number;
	/** free slot start instants (ISO, UTC) */
	slots: string[];
}

export interface WeekRequest {
	/** any date of the wanted week (YYYY-MM-DD, local); the week starts on Monday */
	week: string;
	timezone: string;
	workingHours: WorkingHours | null;
	busy: readonly Busy[];
	now: Date;
	slotMinutes?: number;
}

export function freeSlots(req: WeekRequest): DaySlots[] {
	const len = (req.slotMinutes ?? MEETING_MINUTES) * 60_000;
	const hours = req.workingHours && Object.keys(req.workingHours.days).length ? req.workingHours : OFFICE_HOURS;
	const monday = mondayOf(req.week);
	const out: DaySlots[] = [];
	for (let i = 0; i < 7; i++) {
		const date = addDays(monday, i);
		const dow = weekday(date);
		const span = hours.days[dow];
		const slots: string[] = [];
		if (span) {
			// a bound inside a DST gap moves to the first wall time that exists after it
			const from = zonedInstant(date, span[0], req.timezone) ?? nextExisting(date, span[0], req.timezone);
			const to = zonedInstant(date, span[1], req.timezone) ?? nextExisting(date, span[1], req.timezone);
			if (from && to) {
				for (let t = from.getTime(); t + len <= to.getTime(); t += len) {
					if (t < req.now.getTime()) continue;
					if (req.busy.some((b) => b.start.getTime() < t + len && b.end.getTime() > t)) continue;
					slots.push(new Date(t).toISOString());
				}
			}
		}
		out.push({ date, weekday: dow, slots });
	}
	return out;
}

function nextExisting(date: string, time: string, tz: string): Date | null {
	const [h, mi] = time.split(':').map(Number) as [number, number];
	for (let step = 1; step <= 180; step++) {
		const m = h * 60 + mi + step;
		if (m >= 24 * 60) return null;
		const at = zonedInstant(date, `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`, tz);
		if (at) return at;
	}
	return null;
}
