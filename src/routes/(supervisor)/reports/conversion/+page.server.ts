import { conversionRows, conversionTable } from '$lib/server/reports/conversion';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const rows = await conversionRows(ctx.db, ctx.scope);
	return { filters: ctx.scope.filters, choices: await filterChoices(ctx.db, ctx.scope), table: conversionTable(rows) };
};
