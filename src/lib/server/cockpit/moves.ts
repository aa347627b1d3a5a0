/**
 * Moving an agent between calling projects: their `project_agents` rows. A supervisor may move an
 * agent onto a project of their own teams (managers: any project); the agent must be in scope too.
 */
import { and, asc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { ProjectChoice } from '$lib/protocol';
import type { DbOrTx } from '../db';
import { projectAgents, projects } from '../db/schema';
import { audit } from '../audit';

/** The agent's projects and the open projects the actor may put them on (null teams = every team). */
export async function projectChoices(
	db: DbOrTx,
	agentId: string,
	actorTeams: readonly string[] | null
): Promise<{ current: ProjectChoice[]; available: ProjectChoice[] }> {
	const current = await db
		.select({ id: projects.id, name: projects.name })
		.from(projectAgents)
		.innerJoin(projects, eq(projects.id, projectAgents.projectId))
		.where(eq(projectAgents.userId, agentId))
		.orderBy(asc(projects.name));
	if (actorTeams !== null && !actorTeams.length) return { current, available: [] };
	const available = await db
		.select({ id: projects.id, name: projects.name })
		.from(projects)
		.where(
			and(
				ne(projects.status, 'done'),
				isNull(projects.archivedAt),
				actorTeams === null ? undefined : inArray(projects.teamId, [...actorTeams])
			)
		)
		.orderBy(asc(projects.name));
	const on = new Set(current.map((p) => p.id));
	return { current, available: available.filter((p) => !on.has(p.id)) };
}

export type MoveResult =
	{ ok: true; project: ProjectChoice } | { ok: false; reason: 'not_found' | 'forbidden' };

export async function moveAgent(
	db: DbOrTx,
	actor: { id: string; teams: readonly string[] | null },
	agentId: string,
	fromProjectId: string | null,
	toProjectId: string
): Promise<MoveResult> {
	const [target] = await db
		.select({ id: projects.id, name: projects.name, teamId: projects.teamId })
		.from(projects)
		.where(eq(projects.id, toProjectId));
	if (!target) return { ok: false, reason: 'not_found' };
	if (actor.teams !== null && (!target.teamId || !actor.teams.includes(target.teamId)))
		return { ok: false, reason: 'forbidden' };
	await db.transaction(async (tx) => {
		if (fromProjectId)
			await tx
				.delete(projectAgents)
				.where(and(eq(projectAgents.userId, agentId), eq(projectAgents.projectId, fromProjectId)));
		await tx.insert(projectAgents).values({ projectId: toProjectId, userId: agentId }).onConflictDoNothing();
		await audit(tx, {
			actorId: actor.id,
			action: 'agent.moved',
			target: agentId,
			details: { from: fromProjectId, to: toProjectId }
		});
	});
	return { ok: true, project: { id: target.id, name: target.name } };
}
