/**
 * Weekly pay, the pure part: salary + bonus 1 + bonus 2 for one agent from the week's numbers and
 * the team's rule. Money in integer cents (no float rounding in pay).
 * - salary = the agent's own weekly salary when a manager set one for this team, else the rule's
 * - bonus 1 = rate × max(0, meetings held − threshold)
 * - bonus 2 = the fixed amount when dials ≥ plan on every working day (Mon–Fri minus public
 *   holidays); a week with no working day pays no bonus 2 (there was no plan to meet).
 */
import type { Day } from './dates';

export interface PayRule {
	currency: string;
	weeklySalaryCents: number;
	bonus1RateCents: number;
	bonus1Threshold: number;
	bonus2AmountCents: number;
	dailyDialsPlan: number;
}

export type SalarySource = 'agent' | 'team';

export interface PayDay {
	day: Day;
	dials: number;
	met: boolean;
}

export interface PayLine {
	agentId: string;
	agentName: string;
	salaryCents: number;
	/** 'agent': the agent's own salary; 'team': the team rule's */
	salarySource: SalarySource;
	meetingsHeld: number;
	/** meetings held above the threshold */
	bonus1Meetings: number;
	bonus1Cents: number;
	days: PayDay[];
	planMet: boolean;
	bonus2Cents: number;
	totalCents: number;
}

export interface PayWeek {
	teamId: string;
	teamName: string;
	weekStart: Day;
	workingDays: Day[];
	holidays: Array<{ day: Day; name: string }>;
	rule: PayRule | null;
	lines: PayLine[];
	approved: { byName: string | null; at: string } | null;
}

/** '12.5' / '12.50' / '12' → 1250; refuses anything that is not a plain non-negative amount. */
export function toCents(amount: string): number | null {
	const m = /^(\d{1,10})(?:[.,](\d{1,2}))?$/.exec(amount.trim());
	if (!m) return null;
	return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function fromCents(cents: number): string {
	const sign = cents < 0 ? '-' : '';
	const a = Math.abs(cents);
	return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

export function payLine(
	rule: PayRule,
	agent: { agentId: string; agentName: string },
	meetingsHeld: number,
	workingDays: readonly Day[],
	dialsOn: (day: Day) => number,
	/** the agent's own salary in this team, null = the rule's */
	ownSalaryCents: number | null = null
): PayLine {
	const salaryCents = ownSalaryCents ?? rule.weeklySalaryCents;
	const bonus1Meetings = Math.max(0, meetingsHeld - rule.bonus1Threshold);
	const bonus1Cents = bonus1Meetings * rule.bonus1RateCents;
	const days = workingDays.map((day) => {
		const dials = dialsOn(day);
		return { day, dials, met: dials >= rule.dailyDialsPlan };
	});
	const planMet = days.length > 0 && days.every((d) => d.met);
	const bonus2Cents = planMet ? rule.bonus2AmountCents : 0;
	return {
		...agent,
		salaryCents,
		salarySource: ownSalaryCents === null ? 'team' : 'agent',
		meetingsHeld,
		bonus1Meetings,
		bonus1Cents,
		days,
		planMet,
		bonus2Cents,
		totalCents: salaryCents + bonus1Cents + bonus2Cents
	};
}
