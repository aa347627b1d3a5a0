import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from './index';
import { isMigrated } from './migrate';
import { queryRows } from './rows';
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
});
