import { error } from '@sveltejs/kit';
import { CONVERSATION_THRESHOLDS } from '$lib/reports/conversation';
import { conversionRows, conversionTable, parseTalk } from '$lib/server/reports/conversion';
import { filterChoices, reportContext } from '$lib/server/reports/route';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const talk = parseTalk(event.url.searchParams);
	if (!talk.ok) error(400, { message: talk.message });
	const [rows, choices] = await Promise.all([conversionRows(ctx.db, ctx.scope, talk.talk), filterChoices(ctx.db, ctx.scope)]);
	return { filters: ctx.scope.filters, choices, table: conversionTable(rows), talk: talk.talk, thresholds: CONVERSATION_THRESHOLDS };
};
