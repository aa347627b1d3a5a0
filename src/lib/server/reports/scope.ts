/**
 * Who may see which rows of a report. Managers and admins see everything; a supervisor sees the
 * agents of their own teams and the projects of those teams, and is refused (not silently
 * emptied) when a filter points outside them. Every report query goes through `agentIn`.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import type { Role } from '$lib/protocol';
import type { ReportFilters } from './filters';

export interface Viewer {
	id: string;
	role: Role;
	teamIds: readonly string[];
}

export class ReportAccessError extends Error {}

export interface ReportScope {
	filters: ReportFilters;
	/** null = every team */
	teamIds: readonly string[] | null;
}

export function seesAllTeams(viewer: Viewer): boolean {
	return viewer.role === 'admin' || viewer.role === 'manager';
}

/** Checks the filters against the viewer's teams; throws ReportAccessError with a specific message. */
export async function resolveScope(db: DbOrTx, viewer: Viewer, filters: ReportFilters): Promise<ReportScope> {
	if (viewer.role === 'agent') throw new ReportAccessError('Agents do not see team reports.');
	const all = seesAllTeams(viewer);
	if (!all && filters.teamId && !viewer.teamIds.includes(filters.teamId))
		throw new ReportAccessError('This team is not one of yours.');
	if (!all && filters.agentId) {
		const rows = await queryRows<{ ok: boolean }>(
			db,
			sql`select exists (select 1 from team_members where user_id = ${filters.agentId}
				and team_id in ${uuidList(viewer.teamIds)}) as ok`
		);
		if (!rows[0]?.ok) throw new ReportAccessError('This agent is not in one of your teams.');
	}
	if (!all && filters.projectId) {
		const rows = await queryRows<{ ok: boolean }>(
			db,
			sql`select exists (select 1 from projects where id = ${filters.projectId}
				and team_id in ${uuidList(viewer.teamIds)}) as ok`
		);
		if (!rows[0]?.ok) throw new ReportAccessError('This project does not belong to one of your teams.');
	}
	return { filters, teamIds: all ? null : [...viewer.teamIds] };
}

/** `(a, b, …)` of uuids; an empty list matches nothing. */
export function uuidList(ids: readonly string[]): SQL {
	if (ids.length === 0) return sql`(null::uuid)`;
	return sql`(${sql.join(
		ids.map((i) => sql`${i}::uuid`),
		sql`, `
	)})`;
}

/** The condition "this agent column is in the report's scope and filters". */
export function agentIn(scope: ReportScope, column: SQL): SQL {
	const parts: SQL[] = [];
	const f = scope.filters;
	if (f.agentId) parts.push(sql`${column} = ${f.agentId}::uuid`);
	if (f.teamId) parts.push(sql`${column} in (select user_id from team_members where team_id = ${f.teamId}::uuid)`);
	if (scope.teamIds !== null)
		parts.push(sql`${column} in (select user_id from team_members where team_id in ${uuidList(scope.teamIds)})`);
	return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

/** The condition "this project column matches the filter" (no filter: true). */
export function projectIs(scope: ReportScope, column: SQL): SQL {
	return scope.filters.projectId ? sql`${column} = ${scope.filters.projectId}::uuid` : sql`true`;
}

/** Projects in scope: the filtered one, else all (managers) or those of the supervisor's teams. */
export function projectInScope(scope: ReportScope, column: SQL, teamColumn: SQL): SQL {
	const parts: SQL[] = [projectIs(scope, column)];
	if (scope.teamIds !== null) parts.push(sql`${teamColumn} in ${uuidList(scope.teamIds)}`);
	if (scope.filters.teamId) parts.push(sql`${teamColumn} = ${scope.filters.teamId}::uuid`);
	return sql.join(parts, sql` and `);
}
