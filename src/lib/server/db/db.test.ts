import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from './index';
import { isMigrated } from './migrate';
import { pgArray, queryRows } from './rows';
import { leadEmails, leadPhones, leads, users } from './schema';
import { testDatabases } from './testing';

describe.each(testDatabases())('database on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('applies every migration and reports it', async () => {
		expect(await handle.ping()).toBe(true);
		expect(await isMigrated(handle)).toBe(true);
		// applying again is a no-op
		await handle.migrate();
		expect(await isMigrated(handle)).toBe(true);
	});

	it('refuses a second lead with the same E.164 phone or e-mail', async () => {
		const [a] = await handle.db.insert(leads).values({ company: 'A' }).returning();
		const [b] = await handle.db.insert(leads).values({ company: 'B' }).returning();
		await handle.db.insert(leadPhones).values({ leadId: a!.id, e164: '+33612345678' });
		await expect(handle.db.insert(leadPhones).values({ leadId: b!.id, e164: '+33612345678' })).rejects.toThrow();
		await handle.db.insert(leadEmails).values({ leadId: a!.id, email: 'x@example.com' });
		await expect(handle.db.insert(leadEmails).values({ leadId: b!.id, email: 'x@example.com' })).rejects.toThrow();
	});

	it('treats user e-mails case-insensitively and answers raw SQL on both drivers', async () => {
		await handle.db.insert(users).values({ email: 'Ann@Example.com', name: 'Ann', passwordHash: 'x', role: 'agent' });
		await expect(
			handle.db.insert(users).values({ email: 'ann@example.com', name: 'Ann 2', passwordHash: 'x', role: 'agent' })
		).rejects.toThrow();
		const rows = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from users`);
		expect(rows[0]?.n).toBe(1);
		const found = await handle.db.select().from(users).where(eq(users.name, 'Ann'));
		expect(found).toHaveLength(1);
	});

	it('reads a pgArray literal back value for value, quotes, backslashes, commas, braces and NULL included', async () => {
		const values = ['plain', '', 'NULL', null, 'say "hi"', 'C:\\dir\\', 'a,b', '{x}', ' padded ', 'Société ✓ 日本', "it's"];
		const rows = await queryRows<{ v: string | null }>(handle.db, sql`select unnest(${pgArray(values)}::text[]) as v`);
		expect(rows.map((r) => r.v)).toEqual(values);
	});

	it('keeps the tables an import writes free of triggers but their foreign keys (the import skips them, leads/import.ts)', async () => {
		const rows = await queryRows<{ name: string }>(
			handle.db,
			sql`select tgrelid::regclass::text || '.' || tgname as name from pg_trigger
				where not tgisinternal and tgrelid in ('leads'::regclass, 'lead_phones'::regclass, 'lead_emails'::regclass, 'project_leads'::regclass, 'merge_candidates'::regclass)`
		);
		expect(rows).toEqual([]);
	});
});
