/**
 * Report filters live in the URL (the permalink): period, project, team, agent. Parsed once here
 * with a specific message per bad value; the defaults are the last four full weeks up to today.
 */
import { z } from 'zod';
import { addDays, dayDiff, dayOf, isDay, mondayOf, type Day } from '$lib/reports/dates';

export interface ReportFilters {
	from: Day;
	to: Day;
	projectId: string | null;
	teamId: string | null;
	agentId: string | null;
}

export type FilterResult = { ok: true; filters: ReportFilters } | { ok: false; message: string };

/** longest period a report answers for (a year and a day: a leap year fits) */
export const MAX_PERIOD_DAYS = 366;

const day = (what: string) =>
	z
		.string()
		.refine(isDay, { message: `${what} must be a date written YYYY-MM-DD.` })
		.optional();
const id = (what: string) => z.uuid({ message: `${what} is not a valid id.` }).optional();

const schema = z.object({
	from: day('The start of the period'),
	to: day('The end of the period'),
	project: id('The project'),
	team: id('The team'),
	agent: id('The agent')
});

/** Empty strings (an untouched select) mean "no filter". */
function present(params: URLSearchParams, key: string): string | undefined {
	const v = params.get(key)?.trim();
	return v ? v : undefined;
}

export function parseFilters(params: URLSearchParams, today: Day = dayOf(new Date())): FilterResult {
	const parsed = schema.safeParse({
		from: present(params, 'from'),
		to: present(params, 'to'),
		project: present(params, 'project'),
		team: present(params, 'team'),
		agent: present(params, 'agent')
	});
	if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Bad filter.' };
	const to = parsed.data.to ?? today;
	const from = parsed.data.from ?? addDays(mondayOf(to), -21);
	if (from > to) return { ok: false, message: 'The period starts after it ends.' };
	if (dayDiff(from, to) >= MAX_PERIOD_DAYS) return { ok: false, message: `A period is at most ${MAX_PERIOD_DAYS} days.` };
	return {
		ok: true,
		filters: {
			from,
			to,
			projectId: parsed.data.project ?? null,
			teamId: parsed.data.team ?? null,
			agentId: parsed.data.agent ?? null
		}
	};
}

/** The filters back as URL parameters (permalinks, drill-down and export links). */
export function filterParams(f: ReportFilters): URLSearchParams {
	const p = new URLSearchParams({ from: f.from, to: f.to });
	if (f.projectId) p.set('project', f.projectId);
	if (f.teamId) p.set('team', f.teamId);
	if (f.agentId) p.set('agent', f.agentId);
	return p;
}
