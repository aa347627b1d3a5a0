/**
 * Test databases: always an in-memory PGlite, plus a fresh throw-away Postgres database per call
 * when DATABASE_URL is set — so every repository test runs against both engines.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type DatabaseHandle } from './index';

export interface TestDatabase {
	name: 'pglite' | 'postgres';
	open(): Promise<DatabaseHandle>;
}

export function testDatabases(): TestDatabase[] {
	const list: TestDatabase[] = [{ name: 'pglite', open: () => openDatabase({ dataDir: 'memory://' }) }];
	const url = process.env.DATABASE_URL;
	if (url) list.push({ name: 'postgres', open: () => openThrowawayPostgres(url) });
	return list;
}

/** Creates `sb_t_<random>` next to DATABASE_URL's database, migrates it, and drops it on close. */
export async function openThrowawayPostgres(baseUrl: string): Promise<DatabaseHandle> {
	const { default: postgres } = await import('postgres');
	const name = `sb_t_${randomBytes(6).toString('hex')}`;
	const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(baseUrl);
	url.pathname = `/${name}`;
	const handle = await openDatabase({ url: url.toString(), max: 4 });
	return {
		...handle,
		async close() {
			await handle.close();
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end({ timeout: 5 });
		}
	};
}
