/**
 * The `messages` table: a supervisor's message to one agent, or a broadcast to a team stored as
 * one row per agent (so each agent marks their own copy read). Scope is checked by the caller.
 */
import { and, desc, eq, inArray, isNull, or, gte } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { MessageView } from '$lib/protocol';
import type { DbOrTx } from '../db';
import { messages, teamMembers, users } from '../db/schema';
import { audit } from '../audit';

export const MESSAGE_MAX = 500;

const sender = alias(users, 'sender');

function toView(r: {
	id: string;
	fromName: string | null;
	teamId: string | null;
	body: string;
	createdAt: Date;
	readAt: Date | null;
}): MessageView {
	return {
		id: r.id,
		fromName: r.fromName,
		teamId: r.teamId,
		body: r.body,
		createdAt: r.createdAt.getTime(),
		readAt: r.readAt?.getTime() ?? null
	};
}

async function insert(
	db: DbOrTx,
	fromId: string,
	rows: { toId: string; teamId: string | null }[],
	body: string
): Promise<Map<string, MessageView>> {
	if (!rows.length) return new Map();
	const [from] = await db.select({ name: users.name }).from(users).where(eq(users.id, fromId));
	const inserted = await db
		.insert(messages)
		.values(rows.map((r) => ({ fromId, toId: r.toId, teamId: r.teamId, body })))
		.returning({
			id: messages.id,
			toId: messages.toId,
			teamId: messages.teamId,
			body: messages.body,
			createdAt: messages.createdAt,
			readAt: messages.readAt
		});
	return new Map(inserted.map((r) => [r.toId!, toView({ ...r, fromName: from?.name ?? null })]));
}

export async function sendMessage(
	db: DbOrTx,
	fromId: string,
	agentId: string,
	body: string
): Promise<MessageView> {
	const out = await insert(db, fromId, [{ toId: agentId, teamId: null }], body);
	await audit(db, {
		actorId: fromId,
		action: 'message.sent',
		target: agentId,
		details: { length: body.length }
	});
	return out.get(agentId)!;
}

/** One copy per enabled agent of the team; returns agent id → their copy. */
export async function broadcastMessage(
	db: DbOrTx,
	fromId: string,
	teamId: string,
	body: string
): Promise<Map<string, MessageView>> {
	const agents = await db
		.select({ id: users.id })
		.from(teamMembers)
		.innerJoin(users, eq(users.id, teamMembers.userId))
		.where(and(eq(teamMembers.teamId, teamId), eq(users.role, 'agent'), isNull(users.disabledAt)));
	const out = await insert(
		db,
		fromId,
		agents.map((a) => ({ toId: a.id, teamId })),
		body
	);
	await audit(db, {
		actorId: fromId,
		action: 'message.broadcast',
		target: teamId,
		details: { agents: out.size, length: body.length }
	});
	return out;
}

/** Unread messages and those of the last day, newest first. */
export async function agentMessages(db: DbOrTx, agentId: string, limit = 50): Promise<MessageView[]> {
	const since = new Date(Date.now() - 86_400_000);
	const rows = await db
		.select({
			id: messages.id,
			fromName: sender.name,
			teamId: messages.teamId,
			body: messages.body,
			createdAt: messages.createdAt,
			readAt: messages.readAt
		})
		.from(messages)
		.leftJoin(sender, eq(sender.id, messages.fromId))
		.where(and(eq(messages.toId, agentId), or(isNull(messages.readAt), gte(messages.createdAt, since))))
		.orderBy(desc(messages.createdAt))
		.limit(limit);
	return rows.map(toView);
}

/** Marks the agent's own message read; false when it is not theirs. */
export async function markRead(db: DbOrTx, agentId: string, messageIds: readonly string[]): Promise<boolean> {
	if (!messageIds.length) return true;
	const updated = await db
		.update(messages)
		.set({ readAt: new Date() })
		.where(and(inArray(messages.id, [...messageIds]), eq(messages.toId, agentId), isNull(messages.readAt)))
		.returning({ id: messages.id });
	return updated.length > 0;
}
