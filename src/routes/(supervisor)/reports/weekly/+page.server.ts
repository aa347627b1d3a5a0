import { addDays, dayOf, mondayOf } from '$lib/reports/dates';
import { conversionTable } from '$lib/server/reports/conversion';
import { failureTable } from '$lib/server/reports/failures';
import { intensityByAgent, intensityTable } from '$lib/server/reports/intensity';
import { weeklyPack } from '$lib/server/reports/pack';
import { progressTable } from '$lib/server/reports/progress';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const now = new Date();
	const today = dayOf(now);
	// the week under review: the one holding `from`, else last full week
	const monday = event.url.searchParams.get('from') ? mondayOf(ctx.scope.filters.from) : addDays(mondayOf(today), -7);
	const pack = await weeklyPack(ctx.db, ctx.scope, monday, now);
	const weekScope = { ...ctx.scope, filters: { ...ctx.scope.filters, from: monday, to: addDays(monday, 6) } };
	return {
		filters: weekScope.filters,
		choices: await filterChoices(ctx.db, ctx.scope),
		pack,
		tables: {
			progress: progressTable(pack.progress),
			failures: failureTable(pack.current.failures, weekScope),
			conversion: conversionTable(pack.current.conversion),
			intensity: intensityTable(intensityByAgent(pack.current.intensity.days))
		}
	};
};
