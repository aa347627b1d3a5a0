import { describe, expect, it } from 'vitest';
import { collectGarbage } from './import-heap';
import { normalizePhone } from './normalize';

describe('normalizePhone', () => {
	it('writes any usual form as E.164 and keeps the extension apart', () => {
		expect(normalizePhone('01 40 01 08 12', 'FR')).toEqual({ e164: '+33140010812', raw: '01 40 01 08 12', ext: null });
		expect(normalizePhone('+33 (0)1 40 01 08 12 ext. 25', 'FR')).toMatchObject({ e164: '+33140010812', ext: '25' });
		expect(normalizePhone('8 (495) 123-45-67', 'RU')?.e164).toBe('+74951234567');
		expect(normalizePhone('01 40', 'FR')).toBeNull();
	});

	it("validates a number without compiling libphonenumber-js's patterns again (postinstall patch)", () => {
		// the unpatched library builds a dozen RegExps from its metadata per number, half its cost
		const NativeRegExp = globalThis.RegExp;
		let compiled = 0;
		globalThis.RegExp = new Proxy(NativeRegExp, {
			construct(target, args: [string | RegExp, string?]) {
				compiled++;
				return new target(...args);
			}
		});
		try {
			normalizePhone('01 41 00 00 00', 'FR');
			compiled = 0;
			for (let i = 1; i <= 100; i++) expect(normalizePhone(`01 41 00 ${String(i).padStart(4, '0').replace(/(\d\d)(\d\d)/, '$1 $2')}`, 'FR')).not.toBeNull();
		} finally {
			globalThis.RegExp = NativeRegExp;
		}
		expect(compiled / 100).toBeLessThan(4);
	});

	it('does not keep alive the text a phone was cut from once it is cached', () => {
		// a reader hands out cells cut from large decoded chunks (an XLSX row's XML): 200 chunks of
		// 1 MB, one distinct number from each, all cached
		collectGarbage();
		const before = process.memoryUsage().heapUsed;
		for (let i = 0; i < 200; i++) {
			const chunk = `${'<c r="A1"><v>x</v></c>'.repeat(45_000)}<v>01 40 ${String(10 + (i % 90))} ${String(10 + Math.floor(i / 90))} 12</v>`;
			const phone = chunk.slice(chunk.lastIndexOf('<v>') + 3, -4);
			expect(normalizePhone(phone, 'FR')?.e164).toMatch(/^\+33140/);
		}
		collectGarbage();
		// ≈ 200 MB when each cached key holds its chunk
		expect((process.memoryUsage().heapUsed - before) / 1048576).toBeLessThan(20);
	});
});
