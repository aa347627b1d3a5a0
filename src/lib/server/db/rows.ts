import type { SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from './index';

/**
 * Raw SQL rows from either driver: PGlite answers `{ rows }`, postgres-js an array.
 * Use for the few queries the query builder cannot express (SKIP LOCKED claims, reports).
 */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
	const result = (await db.execute(query)) as unknown;
	if (Array.isArray(result)) return result as T[];
	return ((result as { rows?: T[] }).rows ?? []) as T[];
}

type PostgresJsClient = { unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]> };
type PgliteClient = { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * Rows of one fixed hot-path statement written with numbered parameters, straight on the driver:
 * `$1` may appear many times (drizzle sends one parameter per use), there is no query builder to
 * run per call, and on postgres-js the text is a named prepared statement, parsed once per
 * connection. Only for statements whose text never changes between calls.
 */
export async function statementRows<T>(db: Db, text: string, params: unknown[]): Promise<T[]> {
	const driver = driverOf(db);
	if (driver.kind === 'postgres') return (await driver.client.unsafe(text, params, { prepare: true })) as T[];
	return (await driver.client.query(text, params)).rows as T[];
}

/** The driver under a `Db`: postgres-js (a server) or PGlite (the embedded database, in this process). */
export function driverOf(db: Db): { kind: 'postgres'; client: PostgresJsClient } | { kind: 'pglite'; client: PgliteClient } {
	const client = (db as { $client?: unknown }).$client;
	if (typeof client === 'function' && 'unsafe' in client) return { kind: 'postgres', client: client as PostgresJsClient };
	if (typeof client === 'object' && client !== null && 'query' in client) return { kind: 'pglite', client: client as PgliteClient };
	throw new Error('unknown database driver');
}

/**
 * A Postgres array literal of text values (null → NULL), sent as one text parameter and cast in the
 * SQL (`${pgArray(ids)}::uuid[]`). Bulk statements pass their rows as one such array per column to
 * `unnest`: the same bytes on both drivers, read by Postgres about twice as fast as the same rows
 * as a JSON document (`json_to_recordset`), measured on the import's inserts.
 */
export function pgArray(values: readonly (string | null | undefined)[]): string {
	const items = new Array<string>(values.length);
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (v == null) items[i] = 'NULL';
		else if (v.includes('"') || v.includes('\\')) items[i] = `"${v.replace(/["\\]/g, '\\$&')}"`;
		else items[i] = `"${v}"`;
	}
	return `{${items.join(',')}}`;
}
