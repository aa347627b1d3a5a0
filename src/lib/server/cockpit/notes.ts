/** Notes pinned on an agent (`notes` with target 'agent'), shared by every supervisor of the agent's teams. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { AgentNoteView } from '$lib/protocol';
import type { DbOrTx } from '../db';
import { notes, users } from '../db/schema';
import { audit } from '../audit';

export const NOTE_MAX = 500;

export async function addAgentNote(
	db: DbOrTx,
	authorId: string,
	agentId: string,
	body: string
): Promise<AgentNoteView> {
	const [row] = await db
		.insert(notes)
		.values({ authorId, target: 'agent', targetId: agentId, body })
		.returning({ id: notes.id, createdAt: notes.createdAt });
	const [author] = await db.select({ name: users.name }).from(users).where(eq(users.id, authorId));
	await audit(db, { actorId: authorId, action: 'note.added', target: agentId, details: { noteId: row!.id } });
	return {
		id: row!.id,
		agentId,
		authorName: author?.name ?? null,
		body,
		createdAt: row!.createdAt.getTime()
	};
}

export async function agentNotes(
	db: DbOrTx,
	agentIds: readonly string[],
	limit = 500
): Promise<AgentNoteView[]> {
	if (!agentIds.length) return [];
	const rows = await db
		.select({
			id: notes.id,
			agentId: notes.targetId,
			authorName: users.name,
			body: notes.body,
			createdAt: notes.createdAt
		})
		.from(notes)
		.leftJoin(users, eq(users.id, notes.authorId))
		.where(and(eq(notes.target, 'agent'), inArray(notes.targetId, [...agentIds])))
		.orderBy(desc(notes.createdAt))
		.limit(limit);
	return rows.map((r) => ({ ...r, createdAt: r.createdAt.getTime() }));
}

export async function noteAgent(db: DbOrTx, noteId: string): Promise<string | null> {
	const [row] = await db
		.select({ agentId: notes.targetId })
		.from(notes)
		.where(and(eq(notes.id, noteId), eq(notes.target, 'agent')));
	return row?.agentId ?? null;
}

export async function removeAgentNote(db: DbOrTx, actorId: string, noteId: string): Promise<void> {
	await db.delete(notes).where(eq(notes.id, noteId));
	await audit(db, { actorId, action: 'note.removed', target: noteId });
}
