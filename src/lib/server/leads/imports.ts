/** The `imports` rows of a project: the wizard's history and each import's state. */
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db';
import { imports } from '../db/schema';

export type ImportRow = typeof imports.$inferSelect;

export async function listImports(db: DbOrTx, projectId: string): Promise<ImportRow[]> {
	return db.select().from(imports).where(eq(imports.projectId, projectId)).orderBy(desc(imports.createdAt));
}

export async function getImport(db: DbOrTx, projectId: string, id: string): Promise<ImportRow | null> {
	if (!z.string().uuid().safeParse(id).success) return null;
	const [row] = await db
		.select()
		.from(imports)
		.where(and(eq(imports.id, id), eq(imports.projectId, projectId)));
	return row ?? null;
}

export async function saveImportSettings(
	db: DbOrTx,
	id: string,
	settings: { mapping: Record<string, string> | null; headerRow: number; region: string }
): Promise<void> {
	await db
		.update(imports)
		.set({ mapping: settings.mapping, headerRow: settings.headerRow, region: settings.region, status: 'mapped' })
		.where(eq(imports.id, id));
}

/**
 * Cancels an import durably, whichever process runs it: its next batch sees the row cancelled and
 * rolls back, every batch committed before stays. An interrupted import simply ends here.
 */
export async function cancelImport(db: DbOrTx, id: string): Promise<boolean> {
	const rows = await db
		.update(imports)
		.set({ status: 'cancelled', finishedAt: new Date() })
		.where(and(eq(imports.id, id), eq(imports.status, 'running')))
		.returning({ id: imports.id });
	return rows.length > 0;
}
