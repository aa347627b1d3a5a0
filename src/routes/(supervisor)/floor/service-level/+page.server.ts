import { error } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { listQueues, serviceLevelTable } from '$lib/server/inbound/repo';
import type { PageServerLoad } from './$types';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function localDay(d: Date): string {
	const p = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	const day = event.url.searchParams.get('day') ?? localDay(new Date());
	const match = DAY.exec(day);
	if (!match) error(400, 'day: expected YYYY-MM-DD');
	// the server's calendar day, as the board's "today" counters
	const from = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
	if (Number.isNaN(from.getTime()) || localDay(from) !== day) error(400, 'day: not a calendar date');
	const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1);
	const [rows, managed] = await Promise.all([serviceLevelTable(database.db, from, to), listQueues(database.db)]);
	// a supervisor sees queues of their teams and queues without a team
	const seesAll = user.role === 'manager' || user.role === 'admin';
	const hidden = new Set(managed.filter((q) => q.teamId !== null && !seesAll && !user.teamIds.includes(q.teamId)).map((q) => q.name));
	return { day, rows: rows.filter((r) => !hidden.has(r.queue)) };
};
