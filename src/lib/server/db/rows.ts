import type { SQL } from 'drizzle-orm';
import type { DbOrTx } from './index';

/**
 * Raw SQL rows from either driver: PGlite answers `{ rows }`, postgres-js an array.
 * Use for the few queries the query builder cannot express (SKIP LOCKED claims, reports).
 */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
	const result = (await db.execute(query)) as unknown;
	if (Array.isArray(result)) return result as T[];
	return ((result as { rows?: T[] }).rows ?? []) as T[];
}
