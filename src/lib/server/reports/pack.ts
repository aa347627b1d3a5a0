/**
 * The weekly review pack: the five reports for one ISO week, plus headline figures compared with
 * the week before. The three figures that moved most (relative change) are flagged, so the
 * fifteen-minute review starts where something happened.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { addDays, type Day } from '$lib/reports/dates';
import { rate } from '$lib/reports/table';
import type { PayWeek } from '$lib/reports/pay';
import { conversionRows, CONVERSION_STEPS, type ConversionRow } from './conversion';
import { failureReasons, type FailureReason } from './failures';
import { intensity, intensityByAgent, type Intensity } from './intensity';
import { loadPayWeek } from './pay';
import { projectProgress, type ProjectProgress } from './progress';
import { uuidList, type ReportScope } from './scope';

export const PACK_METRICS = [
	'dials',
	'contact_rate',
	'conversation_rate',
	'booked',
	'held',
	'won',
	'failures',
	'dials_per_agent_day',
	'talk_per_agent_day',
	'pause_per_agent_day',
	'payroll'
] as const;
export type PackMetric = (typeof PACK_METRICS)[number];

export interface PackChange {
	metric: PackMetric;
	current: number | null;
	previous: number | null;
	/** (current − previous) / previous; null when either side is missing or previous is 0 */
	change: number | null;
	highlighted: boolean;
}

export interface WeekFigures {
	conversion: ConversionRow[];
	failures: FailureReason[];
	intensity: Intensity;
	pay: PayWeek[];
}

export interface WeeklyPack {
	weekStart: Day;
	progress: ProjectProgress[];
	current: WeekFigures;
	changes: PackChange[];
}

function weekScope(scope: ReportScope, monday: Day): ReportScope {
	return { ...scope, filters: { ...scope.filters, from: monday, to: addDays(monday, 6) } };
}

async function teamsInScope(db: DbOrTx, scope: ReportScope): Promise<string[]> {
	if (scope.filters.teamId) return [scope.filters.teamId];
	const rows = await queryRows<{ id: string }>(
		db,
		scope.teamIds === null
			? sql`select id from teams order by name`
			: sql`select id from teams where id in ${uuidList(scope.teamIds)} order by name`
	);
	return rows.map((r) => r.id);
}

async function weekFigures(db: DbOrTx, scope: ReportScope, monday: Day, teamIds: readonly string[]): Promise<WeekFigures> {
	const s = weekScope(scope, monday);
	const [conversion, failures, intense, pay] = await Promise.all([
		conversionRows(db, s),
		failureReasons(db, s),
		intensity(db, s),
		Promise.all(teamIds.map((t) => loadPayWeek(db, t, monday)))
	]);
	return { conversion, failures, intensity: intense, pay };
}

export function headline(w: WeekFigures): Record<PackMetric, number | null> {
	const sum = (k: (typeof CONVERSION_STEPS)[number]) => w.conversion.reduce((n, r) => n + r[k], 0);
	const agentDays = intensityByAgent(w.intensity.days).reduce((n, a) => n + a.days, 0);
	const perAgentDay = (k: 'dials' | 'talkSeconds' | 'pauseSeconds') =>
		rate(w.intensity.days.reduce((n, d) => n + d[k], 0), agentDays);
	return {
		dials: sum('dials'),
		contact_rate: rate(sum('contacts'), sum('dials')),
		conversation_rate: rate(sum('conversations'), sum('contacts')),
		booked: sum('booked'),
		held: sum('held'),
		won: sum('won'),
		failures: w.failures.reduce((n, r) => n + r.calls, 0),
		dials_per_agent_day: perAgentDay('dials'),
		talk_per_agent_day: perAgentDay('talkSeconds'),
		pause_per_agent_day: perAgentDay('pauseSeconds'),
		payroll: w.pay.some((p) => p.rule) ? w.pay.reduce((n, p) => n + p.lines.reduce((m, l) => m + l.totalCents, 0), 0) / 100 : null
	};
}

/** Week-over-week changes, the three largest |relative changes| highlighted. */
export function compare(current: Record<PackMetric, number | null>, previous: Record<PackMetric, number | null>): PackChange[] {
	const changes = PACK_METRICS.map((metric) => {
		const c = current[metric];
		const p = previous[metric];
		return { metric, current: c, previous: p, change: c !== null && p !== null && p !== 0 ? (c - p) / p : null, highlighted: false };
	});
	const top = changes
		.filter((c) => c.change !== null && c.change !== 0)
		.sort((a, b) => Math.abs(b.change!) - Math.abs(a.change!) || a.metric.localeCompare(b.metric))
		.slice(0, 3);
	for (const t of top) t.highlighted = true;
	return changes;
}

/** `now`: as projectProgress takes it (the instant, or one day as every project’s today). */
export async function weeklyPack(db: DbOrTx, scope: ReportScope, monday: Day, now: Date | Day): Promise<WeeklyPack> {
	const teamIds = await teamsInScope(db, scope);
	const [progress, current, previous] = await Promise.all([
		projectProgress(db, weekScope(scope, monday), now),
		weekFigures(db, scope, monday, teamIds),
		weekFigures(db, scope, addDays(monday, -7), teamIds)
	]);
	return { weekStart: monday, progress, current, changes: compare(headline(current), headline(previous)) };
}
