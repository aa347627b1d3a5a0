import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { DatabaseHandle } from './index';
import { queryRows } from './rows';

/** drizzle/ holds the migrations; found from SB_MIGRATIONS_DIR, the working directory or the source tree. */
export function migrationsFolder(): string {
	const candidates = [
		process.env.SB_MIGRATIONS_DIR,
		path.resolve(process.cwd(), 'drizzle'),
		path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../drizzle')
	].filter((p): p is string => !!p);
	const found = candidates.find((p) => existsSync(path.join(p, 'meta', '_journal.json')));
	if (!found) throw new Error(`drizzle migrations not found (looked in ${candidates.join(', ')})`);
	return found;
}

/** Whether every migration in drizzle/ is recorded as applied (for /readyz). */
export async function isMigrated(handle: DatabaseHandle): Promise<boolean> {
	const expected = readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;
	try {
		const rows = await queryRows<{ n: number }>(
			handle.db,
			sql`select count(*)::int as n from drizzle.__drizzle_migrations`
		);
		return rows[0]?.n === expected;
	} catch {
		return false;
	}
}
