import { fail } from '@sveltejs/kit';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { agentDayStats, users } from '$lib/server/db/schema';
import { addLeadNote, CardEditError, updatePortrait } from '$lib/server/leads/card-edits';
import { DispositionError, recordDisposition } from '$lib/server/leads/dispositions';
import { claimNextLead, currentClaim, releaseLead } from '$lib/server/leads/hopper';
import { agentProjects, loadLeadCard, projectDispositions } from '$lib/server/leads/workstation';
import { getSurvey, saveAnswers } from '$lib/server/surveys';
import { renderScript } from '$lib/projects/script';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'agent');
	const { database, clock } = await getServices();
	const db = database.db;
	const projects = await agentProjects(db, user.id);
	const claim = await currentClaim(db, user.id, undefined, clock.now());
	const wanted = event.url.searchParams.get('project');
	const projectId = claim?.projectId ?? projects.find((p) => p.id === wanted)?.id ?? projects[0]?.id ?? null;
	const project = projects.find((p) => p.id === projectId) ?? null;
	const [me] = await db.select({ endpoint: users.endpoint }).from(users).where(eq(users.id, user.id));
	const card = claim ? await loadLeadCard(db, claim.leadId) : null;
	const firstPhone = card?.phones.find((p) => !p.bad && !p.dnc);
	const script =
		project && card
			? renderScript(project.script, {
					'lead.company': card.company,
					'lead.contact': card.contactName,
					'lead.position': card.position,
					'lead.city': card.city,
					'lead.phone': firstPhone?.e164 ?? null,
					'lead.email': card.emails[0] ?? null,
					'agent.name': user.name,
					'project.name': project.name
				})
			: null;
	const [today] = await db
		.select({
			dials: sql<number>`coalesce(sum(${agentDayStats.dials}), 0)::int`,
			contacts: sql<number>`coalesce(sum(${agentDayStats.contacts}), 0)::int`,
			talkSeconds: sql<number>`coalesce(sum(${agentDayStats.talkSeconds}), 0)::int`,
			meetings: sql<number>`coalesce(sum(${agentDayStats.meetings}), 0)::int`
		})
		.from(agentDayStats)
		.where(and(eq(agentDayStats.agentId, user.id), eq(agentDayStats.day, sql`(now() at time zone 'UTC')::date`)));
	return {
		agent: { id: user.id, name: user.name, endpoint: me?.endpoint ?? null },
		projects: projects.map(({ script: _script, ...p }) => p),
		projectId,
		claim: claim && card ? { projectLeadId: claim.projectLeadId, projectId: claim.projectId, attempts: claim.attempts, lead: card, script } : null,
		dispositions: projectId ? await projectDispositions(db, [projectId]) : [],
		survey: projectId ? ((await getSurvey(db, projectId))?.questions ?? []) : [],
		today: {
			dials: Number(today?.dials ?? 0),
			contacts: Number(today?.contacts ?? 0),
			talkSeconds: Number(today?.talkSeconds ?? 0),
			meetings: Number(today?.meetings ?? 0)
		}
	};
};

const nextSchema = z.object({ projectId: z.string().uuid() });
const disposeSchema = z.object({
	projectLeadId: z.string().uuid(),
	dispositionId: z.string().uuid(),
	callId: z.union([z.string().uuid(), z.literal('')]).optional(),
	phoneId: z.union([z.string().uuid(), z.literal('')]).optional(),
	callbackAt: z.string().max(40).optional(),
	personal: z.string().optional(),
	note: z.string().max(4000).optional(),
	place: z.string().max(200).optional(),
	inviteClient: z.string().optional()
});

export const actions: Actions = {
	next: async (event) => {
		const user = requireUser(event, 'agent');
		const parsed = nextSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'next' as const, error: 'bad_request' as const });
		const { database, clock } = await getServices();
		const r = await claimNextLead(database.db, { agentId: user.id, projectId: parsed.data.projectId, now: clock.now() });
		if (!r.ok) return fail(409, { action: 'next' as const, error: r.reason });
		return { action: 'next' as const, projectLeadId: r.claim.projectLeadId };
	},
	dispose: async (event) => {
		const user = requireUser(event, 'agent');
		const form = await event.request.formData();
		const parsed = disposeSchema.safeParse(Object.fromEntries(form));
		if (!parsed.success) return fail(400, { action: 'dispose' as const, error: 'bad_request' as const });
		const d = parsed.data;
		const callbackAt = d.callbackAt ? new Date(d.callbackAt) : undefined;
		if (callbackAt && Number.isNaN(callbackAt.getTime())) return fail(400, { action: 'dispose' as const, error: 'bad_request' as const });
		const services = await getServices();
		const { database } = services;
		try {
			const out = await recordDisposition(database.db, {
				agentId: user.id,
				projectLeadId: d.projectLeadId,
				dispositionId: d.dispositionId,
				callId: d.callId || undefined,
				phoneId: d.phoneId || undefined,
				callbackAt,
				personal: d.personal === 'on' || d.personal === 'true',
				note: d.note?.trim() || undefined,
				place: d.place?.trim() || undefined,
				inviteClient: d.inviteClient === 'on',
				now: services.clock.now()
			});
			// the survey answers go with the call (only a call of this agent, in a project with a survey)
			const answers: Record<string, string[]> = {};
			for (const [key, value] of form) if (key.startsWith('survey:') && typeof value === 'string') (answers[key.slice(7)] ??= []).push(value);
			const survey = d.callId && Object.keys(answers).length ? await saveAnswers(database.db, user.id, d.callId, answers) : null;
			// the floor shows the agent out of wrap-up now; the outcome is stored whatever the live floor answers
			await services.realtime?.outcomeRecorded(user.id).catch((err: unknown) => services.log.warn({ err, agentId: user.id }, 'wrap-up not ended on the floor'));
			return { action: 'dispose' as const, status: out.status, surveySaved: survey ? survey.ok : null };
		} catch (err) {
			if (err instanceof DispositionError) return fail(err.code === 'not_yours' ? 409 : 400, { action: 'dispose' as const, error: err.code });
			throw err;
		}
	},
	release: async (event) => {
		const user = requireUser(event, 'agent');
		const parsed = z.object({ projectLeadId: z.string().uuid() }).safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'release' as const, error: 'bad_request' as const });
		const { database } = await getServices();
		await releaseLead(database.db, user.id, parsed.data.projectLeadId);
		return { action: 'release' as const };
	},
	portrait: async (event) => {
		const user = requireUser(event, 'agent');
		const form = await event.request.formData();
		const leadId = z.string().uuid().safeParse(form.get('leadId'));
		if (!leadId.success) return fail(400, { action: 'portrait' as const, error: 'bad_request' as const });
		// fields come as key[i] / value[i] pairs, so a key can be renamed as well as its value changed
		const keys = form.getAll('key').map(String);
		const values = form.getAll('value').map(String);
		const portrait: Record<string, string> = {};
		keys.forEach((k, i) => {
			if (k.trim()) portrait[k.trim()] = values[i] ?? '';
		});
		const { database } = await getServices();
		try {
			const changed = await updatePortrait(database.db, user.id, leadId.data, portrait, clientIp(event));
			return { action: 'portrait' as const, changed: changed.length };
		} catch (err) {
			if (err instanceof CardEditError) return fail(err.code === 'not_yours' ? 409 : 400, { action: 'portrait' as const, error: err.code });
			throw err;
		}
	},
	note: async (event) => {
		const user = requireUser(event, 'agent');
		const form = await event.request.formData();
		const leadId = z.string().uuid().safeParse(form.get('leadId'));
		if (!leadId.success) return fail(400, { action: 'note' as const, error: 'bad_request' as const });
		const { database } = await getServices();
		try {
			await addLeadNote(database.db, user.id, leadId.data, String(form.get('body') ?? ''));
			return { action: 'note' as const };
		} catch (err) {
			if (err instanceof CardEditError) return fail(err.code === 'not_yours' ? 409 : 400, { action: 'note' as const, error: err.code });
			throw err;
		}
	}
};
