import { searchLeads } from '$lib/server/leads/lookup';
import { managerContext, usualRegion } from '$lib/server/leads/manager-context';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { db } = await managerContext(event);
	const q = event.url.searchParams.get('q')?.slice(0, 200) ?? '';
	const hits = q.trim() ? await searchLeads(db, q, { region: await usualRegion(db) }) : [];
	return { q, hits, searched: q.trim() !== '' };
};
