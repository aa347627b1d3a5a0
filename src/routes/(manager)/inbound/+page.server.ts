import { fail } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { getServices } from '$lib/server/app';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { fieldErrors } from '$lib/server/forms';
import {
	createSkill,
	deleteQueue,
	deleteSkill,
	InboundConflictError,
	listAgentLevels,
	listQueues,
	listSkills,
	saveQueue,
	setAgentLevel
} from '$lib/server/inbound/repo';
import { listProjects } from '$lib/server/projects';
import { listTeams, listUsers } from '$lib/server/users';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	const db = database.db;
	const [skills, levels, queues, agents, teams, projects] = await Promise.all([
		listSkills(db),
		listAgentLevels(db),
		listQueues(db),
		listUsers(db, { role: 'agent' }),
		listTeams(db),
		listProjects(db)
	]);
	return {
		skills,
		levels,
		queues,
		agents: agents.filter((a) => !a.disabled).map((a) => ({ id: a.id, name: a.name, endpoint: a.endpoint, teamIds: a.teamIds })),
		teams: teams.map((t) => ({ id: t.id, name: t.name })),
		projects: projects.map((p) => ({ id: p.id, name: p.name }))
	};
};

/** Runs a change and turns the expected failures into a form error next to `field`. */
async function attempt(field: string, run: () => Promise<unknown>) {
	try {
		await run();
		return { saved: field };
	} catch (e) {
		if (e instanceof ZodError) return fail(400, { field, errors: fieldErrors(e) });
		if (e instanceof InboundConflictError) return fail(409, { field, errors: { form: e.message } });
		throw e;
	}
}

export const actions: Actions = {
	createSkill: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const name = String((await event.request.formData()).get('name') ?? '');
		return attempt('skill', () => createSkill(database.db, name, { id: actor.id, ip: clientIp(event) }));
	},
	deleteSkill: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const id = String((await event.request.formData()).get('id') ?? '');
		return attempt('skill', () => deleteSkill(database.db, id, { id: actor.id, ip: clientIp(event) }));
	},
	/** one agent's row of the matrix: `skill:<id>` = level, blank = none; only changes are written */
	levels: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const db = database.db;
		const data = await event.request.formData();
		const userId = String(data.get('userId') ?? '');
		const current = new Map((await listAgentLevels(db)).filter((l) => l.userId === userId).map((l) => [l.skillId, l.level]));
		return attempt(`levels:${userId}`, async () => {
			for (const [key, raw] of data.entries()) {
				if (!key.startsWith('skill:')) continue;
				const skillId = key.slice('skill:'.length);
				const text = String(raw).trim();
				const level = text === '' ? null : Number(text);
				if ((current.get(skillId) ?? null) === level) continue;
				await setAgentLevel(db, userId, skillId, level, { id: actor.id, ip: clientIp(event) });
			}
		});
	},
	saveQueue: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const data = await event.request.formData();
		const id = String(data.get('id') ?? '');
		const skills = [...data.entries()]
			.filter(([k, v]) => k.startsWith('min:') && String(v).trim() !== '')
			.map(([k, v]) => ({ skillId: k.slice('min:'.length), minLevel: Number(String(v)) }));
		return attempt(`queue:${id || 'new'}`, () =>
			saveQueue(
				database.db,
				{
					id: id || undefined,
					name: String(data.get('name') ?? ''),
					teamId: String(data.get('teamId') ?? ''),
					projectId: String(data.get('projectId') ?? ''),
					skills,
					serviceLevelSeconds: Number(String(data.get('serviceLevelSeconds') ?? ''))
				},
				{ id: actor.id, ip: clientIp(event) }
			)
		);
	},
	deleteQueue: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const id = String((await event.request.formData()).get('id') ?? '');
		return attempt(`queue:${id}`, () => deleteQueue(database.db, id, { id: actor.id, ip: clientIp(event) }));
	}
};
