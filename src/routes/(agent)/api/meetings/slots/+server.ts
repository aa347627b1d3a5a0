import { error, json } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { slotWeek } from '$lib/server/meetings';
import type { RequestHandler } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The project director's free slots for a week: for the project's agents and managers. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event, 'agent');
	const project = event.url.searchParams.get('project') ?? '';
	const week = event.url.searchParams.get('week');
	if (!UUID.test(project)) error(400, { message: 'project must be a project id', code: 'bad_request' });
	if (week !== null && (!DATE.test(week) || Number.isNaN(Date.parse(`${week}T00:00:00Z`)))) error(400, { message: 'week must be a date such as 2026-11-23', code: 'bad_request' });
	const { database } = await getServices();
	const result = await slotWeek(database.db, user, project, week);
	if (!result) error(404, { message: 'no such project among yours', code: 'not_found' });
	return json(result, { headers: { 'cache-control': 'no-store' } });
};
