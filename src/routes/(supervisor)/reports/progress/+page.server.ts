import { projectProgress, progressTable } from '$lib/server/reports/progress';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const progress = await projectProgress(ctx.db, ctx.scope, new Date());
	return { filters: ctx.scope.filters, choices: await filterChoices(ctx.db, ctx.scope), progress, table: progressTable(progress) };
};
