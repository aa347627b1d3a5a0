/**
 * What every manager page of the lead data area starts with: the role check (manager or admin —
 * managers work on every team, DESIGN §2), the database, DATA_DIR and the actor for audit rows.
 */
import { error, type RequestEvent } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getServices } from '../app';
import { clientIp, requireUser } from '../auth/guard';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { getProject, type Project } from '../projects';

export async function managerContext(event: Pick<RequestEvent, 'locals' | 'url' | 'getClientAddress' | 'request'>) {
	const user = requireUser(event, 'manager');
	const { database, config } = await getServices();
	return { db: database.db, dataDir: config.dataDir, actor: { id: user.id, ip: clientIp(event) } };
}

/** For form actions, which run without the layout's load: the project of the URL, or a 404. */
export async function requireProject(db: DbOrTx, id: string): Promise<Project> {
	const project = await getProject(db, id);
	if (!project) error(404, { message: 'No such project.' });
	return project;
}

/** The region most projects use: the default for reading numbers typed outside a project. */
export async function usualRegion(db: DbOrTx): Promise<string> {
	const [row] = await queryRows<{ region: string }>(
		db,
		sql`select default_region as region from projects where archived_at is null group by default_region order by count(*) desc, default_region limit 1`
	);
	return row?.region ?? 'US';
}
