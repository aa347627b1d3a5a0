import { error } from '@sveltejs/kit';
import { cursorParam, drillCalls, nextCursor, parseDrill } from '$lib/server/reports/calls';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const drill = parseDrill(event.url.searchParams);
	if (!drill.ok) error(400, { message: drill.message });
	const [choices, calls] = await Promise.all([filterChoices(ctx.db, ctx.scope), drillCalls(ctx.db, ctx.scope, drill.drill)]);
	const next = nextCursor(calls);
	let nextHref: string | null = null;
	if (next) {
		const params = new URLSearchParams(event.url.searchParams);
		params.set('before', cursorParam(next));
		nextHref = `?${params.toString()}`;
	}
	return { filters: ctx.scope.filters, choices, calls, nextHref, paged: drill.drill.before !== null };
};
