/**
 * Files attached to a project's info letter (`projects.letter_attachments`), stored under
 * DATA_DIR/letters/<project id>/<random id>. The user's file name is kept only as metadata: it never
 * becomes part of a path, so no name ("../../etc/passwd", "C:\x") can escape the folder. A file is
 * found again by its random id, and its resolved path is checked to be inside DATA_DIR before use.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { projects, type Attachment } from '../db/schema';
import { audit } from '../audit';
import type { Actor } from './index';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;

export class AttachmentError extends Error {
	constructor(
		readonly code: 'too_large' | 'empty' | 'too_many' | 'not_found',
		message: string
	) {
		super(message);
		this.name = 'AttachmentError';
	}
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The last path segment of a browser-supplied name, without control characters. */
export function safeFileName(name: string): string {
	const base = name.split(/[/\\]/).pop() ?? '';
	// eslint-disable-next-line no-control-regex
	const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
	return clean && clean !== '.' && clean !== '..' ? clean : 'attachment';
}

function safeType(type: string): string {
	return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(type) ? type.toLowerCase() : 'application/octet-stream';
}

function folder(dataDir: string, projectId: string): string {
	return path.join(path.resolve(dataDir), 'letters', projectId);
}

/** The attachment's id = its stored file name (a uuid). */
export function attachmentId(a: Attachment): string {
	return path.basename(a.path);
}

/** The stored file of attachment `id` of a project, or null: unknown id, or a path outside DATA_DIR. */
export function attachmentFile(dataDir: string, list: Attachment[], id: string): (Attachment & { file: string }) | null {
	if (!UUID.test(id)) return null;
	const a = list.find((x) => attachmentId(x) === id);
	if (!a) return null;
	const root = path.resolve(dataDir) + path.sep;
	const file = path.resolve(a.path);
	return file.startsWith(root) ? { ...a, file } : null;
}

export async function addAttachment(
	db: Db,
	dataDir: string,
	projectId: string,
	upload: { name: string; type: string; bytes: Uint8Array },
	actor: Actor
): Promise<Attachment> {
	if (upload.bytes.byteLength === 0) throw new AttachmentError('empty', 'The file is empty.');
	if (upload.bytes.byteLength > MAX_ATTACHMENT_BYTES)
		throw new AttachmentError('too_large', `"${safeFileName(upload.name)}" is ${(upload.bytes.byteLength / 1048576).toFixed(1)} MB; attachments are limited to 10 MB each.`);
	const dir = folder(dataDir, projectId);
	const file = path.join(dir, randomUUID());
	const attachment: Attachment = { name: safeFileName(upload.name), path: file, size: upload.bytes.byteLength, type: safeType(upload.type) };
	await mkdir(dir, { recursive: true });
	await writeFile(file, upload.bytes);
	try {
		await db.transaction(async (tx) => {
			const [p] = await tx.select({ list: projects.letterAttachments }).from(projects).where(eq(projects.id, projectId)).for('update');
			if (!p) throw new AttachmentError('not_found', 'No such project.');
			if (p.list.length >= MAX_ATTACHMENTS) throw new AttachmentError('too_many', `A letter can carry at most ${MAX_ATTACHMENTS} attachments.`);
			await tx
				.update(projects)
				.set({ letterAttachments: [...p.list, attachment] })
				.where(eq(projects.id, projectId));
			await audit(tx, {
				actorId: actor.id,
				action: 'attachment.added',
				target: projectId,
				details: { id: attachmentId(attachment), name: attachment.name, size: attachment.size },
				ip: actor.ip
			});
		});
	} catch (e) {
		await unlink(file).catch(() => {});
		throw e;
	}
	return attachment;
}

export async function removeAttachment(db: Db, dataDir: string, projectId: string, id: string, actor: Actor): Promise<void> {
	const removed = await db.transaction(async (tx) => {
		const [p] = await tx.select({ list: projects.letterAttachments }).from(projects).where(eq(projects.id, projectId)).for('update');
		const found = p ? attachmentFile(dataDir, p.list, id) : null;
		if (!p || !found) throw new AttachmentError('not_found', 'This attachment no longer exists.');
		await tx
			.update(projects)
			.set({ letterAttachments: p.list.filter((a) => attachmentId(a) !== id) })
			.where(eq(projects.id, projectId));
		await audit(tx, { actorId: actor.id, action: 'attachment.removed', target: projectId, details: { id, name: found.name }, ip: actor.ip });
		return found;
	});
	await unlink(removed.file).catch(() => {});
}
