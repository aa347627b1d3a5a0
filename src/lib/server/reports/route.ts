/**
 * What every report route does first: the signed-in supervisor-or-above, the filters from the URL
 * (400 with the reason when one is bad), the scope (403 when a filter points outside the viewer's
 * teams), and the choices the filter bar may offer this viewer.
 */
import { error, type RequestEvent } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getServices } from '../app';
import { requireUser } from '../auth/guard';
import type { Db } from '../db';
import { queryRows } from '../db/rows';
import { parseFilters } from './filters';
import { ReportAccessError, resolveScope, uuidList, type ReportScope, type Viewer } from './scope';

export interface Choice {
	id: string;
	name: string;
}

export interface FilterChoices {
	projects: Choice[];
	teams: Choice[];
	agents: Choice[];
}

export interface ReportContext {
	db: Db;
	viewer: Viewer;
	scope: ReportScope;
}

export async function reportContext(event: Pick<RequestEvent, 'locals' | 'url'>): Promise<ReportContext> {
	const user = requireUser(event, 'supervisor');
	const { database } = await getServices();
	const parsed = parseFilters(event.url.searchParams);
	if (!parsed.ok) error(400, { message: parsed.message });
	const viewer: Viewer = { id: user.id, role: user.role, teamIds: user.teamIds };
	try {
		return { db: database.db, viewer, scope: await resolveScope(database.db, viewer, parsed.filters) };
	} catch (err) {
		if (err instanceof ReportAccessError) error(403, { message: err.message, code: 'forbidden' });
		throw err;
	}
}

export async function filterChoices(db: Db, scope: ReportScope): Promise<FilterChoices> {
	const teamCond = scope.teamIds === null ? sql`true` : sql`t.id in ${uuidList(scope.teamIds)}`;
	const projectCond = scope.teamIds === null ? sql`true` : sql`p.team_id in ${uuidList(scope.teamIds)}`;
	const [projects, teams, agents] = await Promise.all([
		queryRows<Choice>(db, sql`select p.id, p.name from projects p where ${projectCond} and p.archived_at is null order by p.name`),
		queryRows<Choice>(db, sql`select t.id, t.name from teams t where ${teamCond} order by t.name`),
		queryRows<Choice>(
			db,
			sql`select distinct u.id, u.name from users u join team_members tm on tm.user_id = u.id join teams t on t.id = tm.team_id
				where u.role = 'agent' and ${teamCond} order by u.name`
		)
	]);
	return { projects, teams, agents };
}
