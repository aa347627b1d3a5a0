import { error, json } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { agentRegion, lookupCaller } from '$lib/server/inbound/caller';
import { addLeadManually, ManualLeadError } from '$lib/server/leads/manual';
import { agentProjects } from '$lib/server/leads/workstation';
import type { RequestHandler } from './$types';

/** The number of the agent's own live inbound call, or a 404: nothing else can be looked up here. */
async function inboundNumber(agentId: string): Promise<string> {
	const { realtime } = await getServices();
	const call = realtime?.agentCall(agentId) ?? null;
	if (!call || call.direction !== 'in' || !call.number) error(404, 'no inbound call on your phone right now');
	return call.number;
}

/** Who is calling: the caller's lead card, or null for an unknown number. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event, 'agent');
	const number = await inboundNumber(user.id);
	const { database } = await getServices();
	return json(await lookupCaller(database.db, number, await agentRegion(database.db, user.id)));
};

/** An unknown caller becomes a lead of one of the agent's projects in one step (form post). */
export const POST: RequestHandler = async (event) => {
	const user = requireUser(event, 'agent');
	const number = await inboundNumber(user.id);
	const { database } = await getServices();
	const form = await event.request.formData();
	const projectId = String(form.get('projectId') ?? '');
	if (!(await agentProjects(database.db, user.id)).some((p) => p.id === projectId)) error(403, 'not one of your projects');
	try {
		const result = await addLeadManually(
			database.db,
			projectId,
			{ company: form.get('company') ?? '', contact: form.get('contact') ?? '', phones: number },
			{ id: user.id, ip: clientIp(event) }
		);
		return json({ ok: true, result });
	} catch (err) {
		if (err instanceof ManualLeadError) return json({ ok: false, errors: err.fields }, { status: 422 });
		throw err;
	}
};
