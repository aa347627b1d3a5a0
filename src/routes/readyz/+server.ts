import { json } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { readiness } from '$lib/server/readiness';
import type { RequestHandler } from './$types';

/** Ready to serve (200) or not (503); `degraded` names what runs in a fallback mode. */
export const GET: RequestHandler = async () => {
	const body = await readiness(await getServices());
	return json(body, { status: body.ok ? 200 : 503 });
};
