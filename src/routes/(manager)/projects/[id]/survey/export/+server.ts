/** The project's survey answers as CSV (manager role; formula-looking cells escaped; audited). */
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { surveyCsv } from '$lib/server/surveys';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const user = requireUser(event, 'manager');
	const { database } = await getServices();
	const csv = await surveyCsv(database.db, event.params.id);
	await audit(database.db, { actorId: user.id, action: 'export', target: event.params.id, details: { what: 'survey_answers' }, ip: clientIp(event) });
	return new Response('\ufeff' + csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="survey-${event.params.id}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
