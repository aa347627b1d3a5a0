import { intensity, intensityByAgent, intensityTable } from '$lib/server/reports/intensity';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const data = await intensity(ctx.db, ctx.scope);
	return {
		filters: ctx.scope.filters,
		choices: await filterChoices(ctx.db, ctx.scope),
		intensity: data,
		table: intensityTable(intensityByAgent(data.days))
	};
};
