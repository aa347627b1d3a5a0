import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { queryRows } from '../db/rows';
import { testDatabases } from '../db/testing';
import { cityKey, cityKeySql, companyKey, companyKeySql } from './company-key';

const NAMES: [string, string][] = [
	['ACME S.A.R.L.', 'acme'],
	['Acme SARL', 'acme'],
	['  acme, sas ', 'acme'],
	['Société Générale SA', 'societe generale'],
	['ООО «Ромашка»', 'ромашка'],
	['Müller GmbH & Co. KG', 'muller'],
	["L'Oréal", 'loreal'],
	['Sarl Dupont et Fils', 'dupont et fils'],
	['SAS', ''],
	['Widgets Ltd.', 'widgets']
];

describe('company key (JS)', () => {
	it('drops case, accents, punctuation and legal forms', () => {
		for (const [name, key] of NAMES) expect(companyKey(name), name).toBe(key);
		expect(cityKey('Saint-Étienne')).toBe('saint etienne');
		expect(cityKey(null)).toBe('');
	});
});

describe.each(testDatabases())('company key (SQL) on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('computes exactly what the JS key computes', async () => {
		for (const [name] of NAMES) {
			const [row] = await queryRows<{ k: string; c: string }>(handle.db, sql`select ${companyKeySql(sql`${name}::text`)} as k, ${cityKeySql(sql`${name}::text`)} as c`);
			expect(row!.k, name).toBe(companyKey(name));
			expect(row!.c, name).toBe(cityKey(name));
		}
	});
});
