import { desc, eq, lt } from 'drizzle-orm';
import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { auditLog, users } from '$lib/server/db/schema';
import type { PageServerLoad } from './$types';

const PAGE = 100;

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'admin');
	const { url } = event;
	const { database } = await getServices();
	const before = Number(url.searchParams.get('before')) || null;
	const rows = await database.db
		.select({
			id: auditLog.id,
			at: auditLog.at,
			action: auditLog.action,
			target: auditLog.target,
			ip: auditLog.ip,
			details: auditLog.details,
			actor: users.name
		})
		.from(auditLog)
		.leftJoin(users, eq(users.id, auditLog.actorId))
		.where(before ? lt(auditLog.id, before) : undefined)
		.orderBy(desc(auditLog.id))
		.limit(PAGE);
	return { rows, next: rows.length === PAGE ? rows[rows.length - 1]!.id : null };
};
