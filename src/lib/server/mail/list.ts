/**
 * What /outbox shows: the letters a user may read — an agent their own, a supervisor those of
 * their teams' projects and their own, a manager or admin all — newest first.
 */
import { desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { letters, projects, users } from '../db/schema';
import { roleAtLeast } from '../auth/types';
import type { SessionUser } from '../auth/types';

export async function listOutbox(db: DbOrTx, viewer: Pick<SessionUser, 'id' | 'role' | 'teamIds'>, limit = 200) {
	let scope: SQL | undefined;
	if (viewer.role === 'agent') scope = eq(letters.sentBy, viewer.id);
	else if (!roleAtLeast(viewer.role, 'manager'))
		scope = viewer.teamIds.length ? or(eq(letters.sentBy, viewer.id), inArray(projects.teamId, viewer.teamIds)) : eq(letters.sentBy, viewer.id);
	return db
		.select({
			id: letters.id,
			to: letters.to,
			subject: letters.subject,
			body: letters.body,
			attachments: letters.attachments,
			calendar: letters.calendar,
			status: letters.status,
			attempts: letters.attempts,
			lastError: letters.lastError,
			nextAttemptAt: letters.nextAttemptAt,
			createdAt: letters.createdAt,
			sentAt: letters.sentAt,
			sender: users.name,
			project: projects.name
		})
		.from(letters)
		.leftJoin(projects, eq(projects.id, letters.projectId))
		.leftJoin(users, eq(users.id, letters.sentBy))
		.where(scope)
		.orderBy(desc(letters.createdAt))
		.limit(limit);
}
