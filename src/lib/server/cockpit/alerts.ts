/**
 * The `alerts` table: raised by the leader's evaluator (one open row per kind + subject + team),
 * claimed and resolved by supervisors of the alert's team, listed for the floor and the history page.
 */
import { and, desc, eq, gte, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { AlertKind, AlertView } from '$lib/protocol';
import type { DbOrTx } from '../db';
import { alerts, users } from '../db/schema';
import { audit } from '../audit';
import { queryRows } from '../db/rows';

export interface NewAlert {
	kind: AlertKind;
	subject: string;
	subjectName: string;
	teamId: string;
	details: Record<string, number | string>;
}

/** Which teams' alerts a user sees: null = every team (managers, admins). */
export type TeamScope = readonly string[] | null;

const columns = {
	id: alerts.id,
	kind: alerts.kind,
	subject: alerts.subject,
	teamId: alerts.teamId,
	details: alerts.details,
	raisedAt: alerts.raisedAt,
	claimedBy: alerts.claimedBy,
	claimedByName: users.name,
	claimedAt: alerts.claimedAt,
	resolvedAt: alerts.resolvedAt
};

type Row = { [K in keyof typeof columns]: (typeof columns)[K]['_']['data'] | null };

function toView(r: Row): AlertView {
	const details = (r.details ?? {}) as Record<string, number | string>;
	const { subjectName, ...rest } = details;
	return {
		id: r.id!,
		kind: r.kind as AlertKind,
		subject: r.subject!,
		subjectName: typeof subjectName === 'string' ? subjectName : r.subject!,
		teamId: r.teamId,
		details: rest,
		raisedAt: r.raisedAt!.getTime(),
		claimedBy: r.claimedBy,
		claimedByName: r.claimedByName,
		claimedAt: r.claimedAt?.getTime() ?? null,
		resolvedAt: r.resolvedAt?.getTime() ?? null
	};
}

function select(db: DbOrTx) {
	return db.select(columns).from(alerts).leftJoin(users, eq(users.id, alerts.claimedBy));
}

function inScope(scope: TeamScope): SQL | undefined {
	if (scope === null) return undefined;
	return scope.length ? inArray(alerts.teamId, [...scope]) : sql`false`;
}

/** Inserts the alerts that have no open row for the same kind, subject and team; returns the new ones. */
export async function raiseAlerts(
	db: DbOrTx,
	wanted: readonly NewAlert[],
	now = new Date()
): Promise<AlertView[]> {
	const raised: AlertView[] = [];
	for (const a of wanted) {
		const rows = await queryRows<{ id: string }>(
			db,
			sql`
			insert into ${alerts} (kind, subject, team_id, details, raised_at)
			select ${a.kind}, ${a.subject}, ${a.teamId}, ${JSON.stringify({ ...a.details, subjectName: a.subjectName })}::jsonb, ${now.toISOString()}::timestamptz
			where not exists (
				select 1 from ${alerts} where kind = ${a.kind} and subject = ${a.subject} and team_id = ${a.teamId} and resolved_at is null
			)
			returning id`
		);
		const id = rows[0]?.id;
		if (id) raised.push((await getAlert(db, id))!);
	}
	return raised;
}

/** The (kind, subject, team) keys of every open alert: what the evaluator need not raise again. */
export async function openAlertKeys(
	db: DbOrTx
): Promise<{ kind: string; subject: string; teamId: string | null }[]> {
	return db
		.select({ kind: alerts.kind, subject: alerts.subject, teamId: alerts.teamId })
		.from(alerts)
		.where(isNull(alerts.resolvedAt));
}

export async function getAlert(db: DbOrTx, id: string): Promise<AlertView | null> {
	const [row] = await select(db).where(eq(alerts.id, id));
	return row ? toView(row) : null;
}

export async function openAlerts(db: DbOrTx, scope: TeamScope, limit = 200): Promise<AlertView[]> {
	const rows = await select(db)
		.where(and(isNull(alerts.resolvedAt), inScope(scope)))
		.orderBy(desc(alerts.raisedAt))
		.limit(limit);
	return rows.map(toView);
}

export interface AlertFilter {
	kind?: AlertKind;
	teamId?: string;
	status?: 'open' | 'claimed' | 'resolved';
	from?: Date;
	to?: Date;
}

export async function alertHistory(
	db: DbOrTx,
	scope: TeamScope,
	filter: AlertFilter,
	limit = 500
): Promise<AlertView[]> {
	const status =
		filter.status === 'open'
			? and(isNull(alerts.resolvedAt), isNull(alerts.claimedAt))
			: filter.status === 'claimed'
				? and(isNull(alerts.resolvedAt), isNotNull(alerts.claimedAt))
				: filter.status === 'resolved'
					? isNotNull(alerts.resolvedAt)
					: undefined;
	const rows = await select(db)
		.where(
			and(
				inScope(scope),
				filter.kind ? eq(alerts.kind, filter.kind) : undefined,
				filter.teamId ? eq(alerts.teamId, filter.teamId) : undefined,
				status,
				filter.from ? gte(alerts.raisedAt, filter.from) : undefined,
				filter.to ? lte(alerts.raisedAt, filter.to) : undefined
			)
		)
		.orderBy(desc(alerts.raisedAt))
		.limit(limit);
	return rows.map(toView);
}

export type AlertActionResult =
	{ ok: true; alert: AlertView } | { ok: false; reason: 'not_found' | 'forbidden' | 'resolved' | 'claimed' };

/**
 * Claims (or resolves) an alert of the actor's teams. A claim is first come, first served: an
 * alert claimed by someone else stays theirs. Resolving also claims an unclaimed alert.
 */
export async function updateAlert(
	db: DbOrTx,
	actor: { id: string; teams: TeamScope },
	alertId: string,
	action: 'claim' | 'resolve'
): Promise<AlertActionResult> {
	const current = await getAlert(db, alertId);
	if (!current) return { ok: false, reason: 'not_found' };
	if (actor.teams !== null && (current.teamId === null || !actor.teams.includes(current.teamId)))
		return { ok: false, reason: 'forbidden' };
	if (current.resolvedAt !== null) return { ok: false, reason: 'resolved' };
	const now = new Date();
	if (action === 'claim') {
		const updated = await db
			.update(alerts)
			.set({ claimedBy: actor.id, claimedAt: now })
			.where(
				and(
					eq(alerts.id, alertId),
					isNull(alerts.resolvedAt),
					or(isNull(alerts.claimedBy), eq(alerts.claimedBy, actor.id))
				)
			)
			.returning({ id: alerts.id });
		if (!updated.length) return { ok: false, reason: 'claimed' };
		await audit(db, {
			actorId: actor.id,
			action: 'alert.claimed',
			target: alertId,
			details: { kind: current.kind, subject: current.subject }
		});
	} else {
		const updated = await db
			.update(alerts)
			.set({
				resolvedAt: now,
				claimedBy: sql`coalesce(${alerts.claimedBy}, ${actor.id}::uuid)`,
				claimedAt: sql`coalesce(${alerts.claimedAt}, ${now.toISOString()}::timestamptz)`
			})
			.where(and(eq(alerts.id, alertId), isNull(alerts.resolvedAt)))
			.returning({ id: alerts.id });
		if (!updated.length) return { ok: false, reason: 'resolved' };
		await audit(db, {
			actorId: actor.id,
			action: 'alert.resolved',
			target: alertId,
			details: { kind: current.kind, subject: current.subject }
		});
	}
	return { ok: true, alert: (await getAlert(db, alertId))! };
}
