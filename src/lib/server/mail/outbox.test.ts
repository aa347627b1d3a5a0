/**
 * The outbox against both databases and a real SMTP conversation over loopback: a letter queued in
 * the database goes out through nodemailer to the test server; a temporary refusal (451) is
 * retried with backoff and then delivered; without SMTP the letter is held, never dropped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { letters } from '../db/schema';
import { testDatabases } from '../db/testing';
import { attachmentPath, backoffMs, claimDueLetter, MAX_ATTEMPTS, queueLetter } from './outbox';
import { SmtpTestServer } from './smtp-testing';
import { holdTransport, safeError, smtpTransport } from './transport';
import { OutboxWorker } from './worker';

describe('backoff and attachment paths', () => {
	it('doubles the delay after each failure, capped at one hour', () => {
		expect([1, 2, 3, 4].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
		expect(backoffMs(30)).toBe(3_600_000);
	});
	it('refuses attachments outside the data directory', () => {
		expect(attachmentPath('/data', 'letters/a.pdf')).toBe('/data/letters/a.pdf');
		expect(() => attachmentPath('/data', '../etc/passwd')).toThrow(/outside/);
		expect(() => attachmentPath('/data', '/etc/passwd')).toThrow(/outside/);
	});
	it('masks credentials in error text', () => {
		expect(safeError(new Error('connect smtp://bob:hunter2@mail:25 failed'))).toBe('connect smtp://***@mail:25 failed');
	});
});

describe.each(testDatabases())('the letters outbox on $name', ({ open }) => {
	let handle: DatabaseHandle;
	const smtp = new SmtpTestServer();
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-mail-'));
	beforeAll(async () => {
		handle = await open();
		await smtp.listen();
		writeFileSync(path.join(dataDir, 'brochure.txt'), 'our brochure');
	});
	afterAll(async () => {
		await smtp.close();
		await handle?.close();
	});

	async function row(id: string) {
		const [r] = await handle.db.select().from(letters).where(eq(letters.id, id));
		return r!;
	}

	it('delivers over SMTP, retries a temporary failure with backoff, then sends', async () => {
		let now = new Date('2026-11-25T10:00:00Z');
		const worker = new OutboxWorker({ db: handle.db, transport: smtpTransport(smtp.url), from: 'Switchboard <no-reply@example.test>', dataDir, now: () => now });
		const id = await queueLetter(
			handle.db,
			{
				projectId: null,
				leadId: null,
				sentBy: null,
				to: 'client@example.test',
				subject: 'Following our call — Dupont',
				body: 'Hello **Anna**,\n\n.leading dot line',
				attachments: [{ name: 'brochure.txt', path: 'brochure.txt', size: 12, type: 'text/plain' }],
				calendar: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n'
			},
			now
		);
		smtp.failNext(1);
		expect(await worker.drain()).toBe(1);
		const failed = await row(id);
		expect(failed).toMatchObject({ status: 'queued', attempts: 1 });
		expect(failed.lastError).toMatch(/451/);
		expect(failed.nextAttemptAt).toEqual(new Date(now.getTime() + backoffMs(1)));
		expect(smtp.received).toHaveLength(0);

		// not due yet: nothing happens
		expect(await worker.drain()).toBe(0);
		now = new Date(now.getTime() + backoffMs(1));
		expect(await worker.drain()).toBe(1);
		const sent = await row(id);
		expect(sent).toMatchObject({ status: 'sent', attempts: 2, lastError: null, sentAt: now });

		expect(smtp.received).toHaveLength(1);
		const mail = smtp.received[0]!;
		expect(mail.from).toBe('no-reply@example.test');
		expect(mail.to).toEqual(['client@example.test']);
		expect(mail.auth).toBe('tester:secret');
		expect(mail.data).toMatch(/^Subject: /m);
		expect(mail.data).toContain('text/calendar');
		expect(mail.data).toContain('method=REQUEST');
		expect(mail.data).toContain('brochure.txt');
		expect(mail.data).toContain('<strong>Anna</strong>');
		expect(mail.data).toContain('\r\n.leading dot line');
		expect(smtp.commands.some((c) => c.startsWith('EHLO'))).toBe(true);
		expect(smtp.commands.some((c) => c.startsWith('RCPT TO:<client@example.test>'))).toBe(true);
		await worker.stop();
	});

	it(`gives up after ${MAX_ATTEMPTS} attempts and keeps the error`, async () => {
		let now = new Date('2026-11-26T10:00:00Z');
		const worker = new OutboxWorker({ db: handle.db, transport: smtpTransport(smtp.url), from: 'x@example.test', dataDir, now: () => now });
		const id = await queueLetter(handle.db, { projectId: null, leadId: null, sentBy: null, to: 'a@example.test', subject: 's', body: 'b' }, now);
		smtp.failNext(MAX_ATTEMPTS);
		for (let i = 1; i <= MAX_ATTEMPTS; i++) {
			expect(await worker.drain()).toBe(1);
			now = new Date(now.getTime() + backoffMs(i));
		}
		expect(await row(id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null });
		expect(await worker.drain()).toBe(0);
		await worker.stop();
	});

	it('holds letters in the database when no SMTP is configured', async () => {
		const now = new Date('2026-11-27T10:00:00Z');
		const worker = new OutboxWorker({ db: handle.db, transport: holdTransport, from: 'x@example.test', dataDir, now: () => now });
		const id = await queueLetter(handle.db, { projectId: null, leadId: null, sentBy: null, to: 'h@example.test', subject: 'held', body: 'kept' }, now);
		expect(await worker.drain()).toBe(1);
		expect(await row(id)).toMatchObject({ status: 'held', attempts: 1, body: 'kept' });
		await worker.stop();
	});

	it('never gives one letter to two concurrent claimers', async () => {
		const now = new Date('2026-11-28T10:00:00Z');
		const ids = new Set<string>();
		for (let i = 0; i < 5; i++) ids.add(await queueLetter(handle.db, { projectId: null, leadId: null, sentBy: null, to: `c${i}@example.test`, subject: 'c', body: 'c' }, now));
		const claims = await Promise.all(Array.from({ length: 12 }, () => claimDueLetter(handle.db, now, 60_000)));
		const got = claims.filter((c) => c !== null).map((c) => c.id);
		expect(new Set(got).size).toBe(got.length);
		expect(got.every((id) => ids.has(id))).toBe(true);
		// leased: a second round finds only what the first round did not take
		const again = await Promise.all(Array.from({ length: 12 }, () => claimDueLetter(handle.db, now, 60_000)));
		const second = again.filter((c) => c !== null).map((c) => c.id);
		expect(second.filter((id) => got.includes(id))).toEqual([]);
		expect(got.length + second.length).toBe(5);
	});
});
