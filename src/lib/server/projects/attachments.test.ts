import { mkdtemp, readFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, projects } from '../db/schema';
import { testDatabases } from '../db/testing';
import { addAttachment, attachmentFile, attachmentId, AttachmentError, MAX_ATTACHMENT_BYTES, removeAttachment, safeFileName } from './attachments';

describe('attachment names', () => {
	it('keeps only the last segment of a name, without control characters', () => {
		expect(safeFileName('../../etc/passwd')).toBe('passwd');
		expect(safeFileName('C:\\Users\\x\\offer.pdf')).toBe('offer.pdf');
		expect(safeFileName('..')).toBe('attachment');
		expect(safeFileName('a\u0000b\n.pdf')).toBe('ab.pdf');
	});
});

describe.each(testDatabases())('letter attachments on $name', ({ open }) => {
	let handle: DatabaseHandle;
	let dataDir: string;
	let projectId: string;
	beforeAll(async () => {
		handle = await open();
		dataDir = await mkdtemp(path.join(os.tmpdir(), 'sb-attach-'));
		const [p] = await handle.db.insert(projects).values({ name: 'Letters' }).returning();
		projectId = p!.id;
	});
	afterAll(async () => {
		await handle?.close();
	});
	const actor = { id: null, ip: null };

	it('stores a file under DATA_DIR with a random name, lists it, serves it by id only, and removes it', async () => {
		const a = await addAttachment(handle.db, dataDir, projectId, { name: '../../offer.pdf', type: 'application/pdf', bytes: Buffer.from('%PDF-1.4') }, actor);
		expect(a).toMatchObject({ name: 'offer.pdf', size: 8, type: 'application/pdf' });
		expect(a.path.startsWith(path.join(path.resolve(dataDir), 'letters', projectId) + path.sep)).toBe(true);
		expect(await readFile(a.path, 'utf8')).toBe('%PDF-1.4');
		const [p] = await handle.db.select().from(projects).where(eq(projects.id, projectId));
		expect(p!.letterAttachments).toEqual([a]);
		const id = attachmentId(a);
		expect(attachmentFile(dataDir, p!.letterAttachments, id)?.file).toBe(a.path);
		expect(attachmentFile(dataDir, p!.letterAttachments, '../' + id)).toBeNull();
		// a row pointing outside DATA_DIR (tampered) is never served
		expect(attachmentFile(dataDir, [{ ...a, path: `/etc/${id}` }], id)).toBeNull();

		await removeAttachment(handle.db, dataDir, projectId, id, actor);
		await expect(access(a.path)).rejects.toThrow();
		const [after] = await handle.db.select().from(projects).where(eq(projects.id, projectId));
		expect(after!.letterAttachments).toEqual([]);
		await expect(removeAttachment(handle.db, dataDir, projectId, id, actor)).rejects.toBeInstanceOf(AttachmentError);
		const audits = await handle.db.select().from(auditLog).where(eq(auditLog.target, projectId));
		expect(audits.map((x) => x.action)).toEqual(['attachment.added', 'attachment.removed']);
	});

	it('refuses a file over 10 MB with a clear error and writes nothing', async () => {
		const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
		await expect(addAttachment(handle.db, dataDir, projectId, { name: 'big.zip', type: 'application/zip', bytes: big }, actor)).rejects.toThrow(
			/"big.zip" is 10.0 MB; attachments are limited to 10 MB each/
		);
		const [p] = await handle.db.select().from(projects).where(eq(projects.id, projectId));
		expect(p!.letterAttachments).toEqual([]);
	});
});
