import { and, eq, inArray, sql } from 'drizzle-orm';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { agentDayStats, projectAgents, projectLeads, projects, users } from '$lib/server/db/schema';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event, 'agent');
	const { database } = await getServices();
	const db = database.db;
	const mine = await db
		.select({ id: projects.id, name: projects.name, status: projects.status, timezone: projects.timezone })
		.from(projectAgents)
		.innerJoin(projects, eq(projects.id, projectAgents.projectId))
		.where(eq(projectAgents.userId, user.id));
	const ids = mine.map((p) => p.id);
	const left = ids.length
		? await db
				.select({ projectId: projectLeads.projectId, n: sql<number>`count(*)::int` })
				.from(projectLeads)
				.where(and(inArray(projectLeads.projectId, ids), inArray(projectLeads.status, ['new', 'callback'])))
				.groupBy(projectLeads.projectId)
		: [];
	const [today] = await db
		.select({
			dials: sql<number>`coalesce(sum(${agentDayStats.dials}), 0)::int`,
			contacts: sql<number>`coalesce(sum(${agentDayStats.contacts}), 0)::int`,
			talkSeconds: sql<number>`coalesce(sum(${agentDayStats.talkSeconds}), 0)::int`,
			meetings: sql<number>`coalesce(sum(${agentDayStats.meetings}), 0)::int`
		})
		.from(agentDayStats)
		.where(and(eq(agentDayStats.agentId, user.id), eq(agentDayStats.day, sql`current_date`)));
	const leftBy = new Map(left.map((l) => [l.projectId, Number(l.n)]));
	const [me] = await db.select({ endpoint: users.endpoint }).from(users).where(eq(users.id, user.id));
	return {
		name: user.name,
		endpoint: me?.endpoint ?? null,
		projects: mine.map((p) => ({ ...p, left: leftBy.get(p.id) ?? 0 })),
		today: { dials: Number(today?.dials ?? 0), contacts: Number(today?.contacts ?? 0), talkSeconds: Number(today?.talkSeconds ?? 0), meetings: Number(today?.meetings ?? 0) }
	};
};
