import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { addToDnc, DncInputError } from '$lib/server/leads/dnc';
import { getLeadPage } from '$lib/server/leads/lookup';
import { managerContext } from '$lib/server/leads/manager-context';
import { blockLead, eraseLead, LeadNotFoundError, unblockLead } from '$lib/server/leads/privacy';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { db } = await managerContext(event);
	const page = z.string().uuid().safeParse(event.params.id).success ? await getLeadPage(db, event.params.id) : null;
	if (!page) error(404, { message: 'No such lead.' });
	const { lead } = page;
	return {
		lead: {
			id: lead.id,
			company: lead.company,
			contactName: lead.contactName,
			position: lead.position,
			city: lead.city,
			industry: lead.industry,
			size: lead.size,
			website: lead.website,
			timezone: lead.timezone,
			source: lead.source,
			portrait: lead.portrait,
			blockedAt: lead.blockedAt?.toISOString() ?? null,
			erasedAt: lead.erasedAt?.toISOString() ?? null,
			createdAt: lead.createdAt.toISOString()
		},
		phones: page.phones,
		emails: page.emails,
		links: page.links.map((l) => ({ ...l, nextCallAt: l.nextCallAt?.toISOString() ?? null, lastCalledAt: l.lastCalledAt?.toISOString() ?? null })),
		history: page.history.map((c) => ({ ...c, startedAt: c.startedAt.toISOString() })),
		meetings: page.meetings.map((x) => ({ ...x, startsAt: x.startsAt.toISOString() })),
		notes: page.notes.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })),
		notCallable: page.notCallable
	};
};

/** The lead id of the URL for an action, or a 404 (a malformed id never reaches the database). */
async function leadContext(event: Parameters<typeof managerContext>[0] & { params: { id: string } }) {
	const ctx = await managerContext(event);
	if (!z.string().uuid().safeParse(event.params.id).success) error(404, { message: 'No such lead.' });
	return ctx;
}

function notFound(e: unknown) {
	if (e instanceof LeadNotFoundError) return fail(404, { error: e.message });
	throw e;
}

export const actions: Actions = {
	block: async (event) => {
		const { db, actor } = await leadContext(event);
		const reason = String((await event.request.formData()).get('reason') ?? '');
		return blockLead(db, event.params.id, actor, reason).then(() => ({ done: 'block' as const }), notFound);
	},
	unblock: async (event) => {
		const { db, actor } = await leadContext(event);
		return unblockLead(db, event.params.id, actor).then(() => ({ done: 'unblock' as const }), notFound);
	},
	erase: async (event) => {
		const { db, actor, dataDir } = await leadContext(event);
		const data = await event.request.formData();
		// erasing cannot be undone: the manager types ERASE to confirm
		if (String(data.get('confirm') ?? '').trim().toUpperCase() !== 'ERASE') return fail(400, { error: 'Type ERASE to confirm: erasing cannot be undone.' });
		return eraseLead(db, event.params.id, actor, { dataDir, suppress: data.get('suppress') === 'on' }).then(() => ({ done: 'erase' as const }), notFound);
	},
	dnc: async (event) => {
		const { db, actor } = await leadContext(event);
		const e164 = String((await event.request.formData()).get('e164') ?? '');
		try {
			// the number is already E.164: any region reads it the same
			await addToDnc(db, { phone: e164, region: 'US', reason: 'from the lead page' }, actor);
		} catch (e) {
			if (e instanceof DncInputError) return fail(400, { error: e.message });
			throw e;
		}
		return { done: 'dnc' as const };
	}
};
