import { failureReasons, failureTable } from '$lib/server/reports/failures';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const reasons = await failureReasons(ctx.db, ctx.scope);
	return { filters: ctx.scope.filters, choices: await filterChoices(ctx.db, ctx.scope), reasons, table: failureTable(reasons, ctx.scope) };
};
