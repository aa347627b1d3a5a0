/**
 * The one database module: PGlite in DATA_DIR when DATABASE_URL is unset, postgres-js when it is set.
 * Same schema, same migrations, same queries — callers only ever see `Db`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { migrationsFolder } from './migrate';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** The transaction handle drizzle passes to `db.transaction(fn)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DatabaseHandle {
	db: Db;
	kind: 'pglite' | 'postgres';
	/** human-readable location without credentials, for logs and /readyz */
	where: string;
	/** cheap liveness probe */
	ping(): Promise<boolean>;
	/** apply drizzle/ migrations (serialised across nodes on Postgres) */
	migrate(): Promise<void>;
	close(): Promise<void>;
}

export interface DatabaseOptions {
	/** postgres://… ; when absent PGlite is used */
	url?: string;
	/** PGlite data directory; 'memory://' for an in-memory database (tests) */
	dataDir?: string;
	/** apply drizzle/ migrations before returning (default true) */
	migrate?: boolean;
	/** max pool size for postgres-js */
	max?: number;
}

const MIGRATION_LOCK = 727_110_001;

export function redactDatabaseUrl(url: string): string {
	try {
		const u = new URL(url);
		if (u.password) u.password = '***';
		return u.toString();
	} catch {
		return 'postgres://(unparsable url)';
	}
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
	const handle = options.url ? await openPostgres(options.url, options.max ?? 10) : await openPglite(options.dataDir ?? './data');
	if (options.migrate !== false) await handle.migrate();
	return handle;
}

/**
 * PGlite's buffer pool lives in its WebAssembly memory, which is touched at start and never given
 * back: the default 128 MB alone put an embedded server importing a file past 400 MB of RSS. The
 * files it caches are in the OS page cache anyway, and the import bench spends the same CPU per row
 * with 32 MB.
 */
const PGLITE_SHARED_BUFFERS = '32MB';

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const inMemory = dataDir.startsWith('memory://');
	let dir = dataDir;
	if (!inMemory) {
		dir = path.resolve(dataDir, 'pglite');
		mkdirSync(dir, { recursive: true });
	}
	const client = new PGlite(inMemory ? undefined : dir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
	await client.waitReady;
	const db = drizzle({ client, schema }) as unknown as Db;
	return {
		db,
		kind: 'pglite',
		async migrate() {
			const { migrate } = await import('drizzle-orm/pglite/migrator');
			await migrate(drizzle({ client }), { migrationsFolder: migrationsFolder() });
		},
		where: inMemory ? 'pglite (in memory)' : `pglite ${dir}`,
		async ping() {
			try {
				await client.query('select 1');
				return true;
			} catch {
				return false;
			}
		},
		async close() {
			if (!client.closed) await client.close();
		}
	};
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const client = postgres(url, { max, onnotice: () => {} });
	const db = drizzle({ client, schema }) as unknown as Db;
	return {
		db,
		kind: 'postgres',
		async migrate() {
			// Several nodes may start at once: serialise with a session advisory lock, which needs
			// one dedicated connection (a pool could unlock on another session).
			const { migrate } = await import('drizzle-orm/postgres-js/migrator');
			const single = postgres(url, { max: 1, onnotice: () => {} });
			try {
				await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
				await migrate(drizzle({ client: single }), { migrationsFolder: migrationsFolder() });
				await single`select pg_advisory_unlock(${MIGRATION_LOCK})`;
			} finally {
				await single.end({ timeout: 5 });
			}
		},
		where: redactDatabaseUrl(url),
		async ping() {
			try {
				await client`select 1`;
				return true;
			} catch {
				return false;
			}
		},
		async close() {
			await client.end({ timeout: 5 });
		}
	};
}

export { schema };
