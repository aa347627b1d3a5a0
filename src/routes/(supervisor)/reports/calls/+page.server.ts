import { error } from '@sveltejs/kit';
import { DRILL_LIMIT, drillCalls, parseDrill } from '$lib/server/reports/calls';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const drill = parseDrill(event.url.searchParams);
	if (!drill.ok) error(400, { message: drill.message });
	return {
		filters: ctx.scope.filters,
		choices: await filterChoices(ctx.db, ctx.scope),
		calls: await drillCalls(ctx.db, ctx.scope, drill.drill),
		limit: DRILL_LIMIT
	};
};
