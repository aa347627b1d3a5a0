/**
 * Each report's table by name, computed the same way for the page and for its CSV/XLSX export.
 */
import type { ReportTable } from '$lib/reports/table';
import { mondayOf } from '$lib/reports/dates';
import { callsTable, DRILL_EXPORT_LIMIT, drillCalls, parseDrill } from './calls';
import { conversionRows, conversionTable, parseTalk } from './conversion';
import { failureReasons, failureTable } from './failures';
import { intensity, intensityByAgent, intensityTable } from './intensity';
import { loadPayWeek, payTable } from './pay';
import { projectProgress, progressTable } from './progress';
import type { ReportContext } from './route';
import { filterChoices } from './route';

export const REPORT_NAMES = ['progress', 'failures', 'conversion', 'intensity', 'pay', 'calls'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export function isReportName(v: string): v is ReportName {
	return (REPORT_NAMES as readonly string[]).includes(v);
}

export class BadReportInput extends Error {}

/** The team a pay view is about: the filtered one, else the first the viewer may see. */
export async function payTeam(ctx: ReportContext): Promise<string | null> {
	if (ctx.scope.filters.teamId) return ctx.scope.filters.teamId;
	const { teams } = await filterChoices(ctx.db, ctx.scope);
	return teams[0]?.id ?? null;
}

export async function reportTable(ctx: ReportContext, name: ReportName, params: URLSearchParams): Promise<ReportTable> {
	const { db, scope } = ctx;
	switch (name) {
		case 'progress':
			return progressTable(await projectProgress(db, scope, new Date()));
		case 'failures':
			return failureTable(await failureReasons(db, scope), scope);
		case 'conversion': {
			const talk = parseTalk(params);
			if (!talk.ok) throw new BadReportInput(talk.message);
			return conversionTable(await conversionRows(db, scope, talk.talk));
		}
		case 'intensity':
			return intensityTable(intensityByAgent((await intensity(db, scope)).days));
		case 'pay': {
			const team = await payTeam(ctx);
			if (!team) throw new BadReportInput('There is no team to pay.');
			return payTable(await loadPayWeek(db, team, mondayOf(scope.filters.from)));
		}
		case 'calls': {
			const drill = parseDrill(params);
			if (!drill.ok) throw new BadReportInput(drill.message);
			return callsTable(await drillCalls(db, scope, drill.drill, DRILL_EXPORT_LIMIT));
		}
	}
}
