/**
 * The pay page's form inputs, validated with a message per field: a team's pay rule, an agent's
 * own salary, the week to approve, a public holiday.
 */
import { z } from 'zod';
import { isDay, isoWeekday } from '$lib/reports/dates';
import { toCents } from '$lib/reports/pay';

const money = (what: string) =>
	z
		.string()
		.trim()
		.refine((v) => toCents(v) !== null, { message: `${what} must be an amount like 150 or 150.50.` })
		.transform((v) => (toCents(v)! / 100).toFixed(2));
const count = (what: string) =>
	z.coerce
		.number({ message: `${what} must be a whole number.` })
		.int({ message: `${what} must be a whole number.` })
		.min(0, { message: `${what} cannot be negative.` })
		.max(100_000, { message: `${what} is too large.` });

export const ruleSchema = z.object({
	team: z.uuid({ message: 'Choose a team.' }),
	currency: z
		.string()
		.trim()
		.toUpperCase()
		.regex(/^[A-Z]{3}$/, { message: 'The currency is a three-letter code such as EUR.' }),
	weeklySalary: money('The weekly salary'),
	bonus1Rate: money('The bonus 1 amount'),
	bonus1Threshold: count('The bonus 1 threshold'),
	bonus2Amount: money('The bonus 2 amount'),
	dailyDialsPlan: count('The daily dial plan')
});

/** An agent's own salary in a team; left empty, the agent goes back to the team's salary. */
export const salarySchema = z.object({
	team: z.uuid({ message: 'Choose a team.' }),
	agent: z.uuid({ message: 'Choose an agent.' }),
	weeklySalary: z.union([z.literal('').transform(() => null), money('The weekly salary')])
});

export const approveSchema = z.object({
	team: z.uuid({ message: 'Choose a team.' }),
	week: z
		.string()
		.refine((v) => isDay(v) && isoWeekday(v) === 1, { message: 'The week is given by its Monday, YYYY-MM-DD.' })
});

export const holidaySchema = z.object({
	day: z.string().refine(isDay, { message: 'The holiday must be a date written YYYY-MM-DD.' }),
	name: z.string().trim().min(1, { message: 'Give the holiday a name.' }).max(80, { message: 'The name is too long.' })
});
