/**
 * Postgres goes away during calls (issue 10 item 4). The persister writes through a TCP proxy in
 * front of a throw-away database; the proxy is cut (every connection reset, new ones refused, as
 * in a restart) and restored several times while calls keep coming, started, answered and ended.
 * Afterwards every call has exactly one row with its final content: 0 lost, 0 duplicated.
 * Runs only with DATABASE_URL (a real Postgres; the shared server itself is never restarted).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FloorPersister } from '../../realtime/persist';
import { call, T0 } from '../../realtime/persist/test-support';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import { openThrowawayPostgres } from '../../src/lib/server/db/testing';
import { startTcpProxy, until, type TcpProxy } from './support';

const BASE = process.env.DATABASE_URL;
const CALLS = 3000;
const OUTAGES = 4;
const OUTAGE_MS = 2000;

describe.skipIf(!BASE)('Postgres restarts while calls are persisted', () => {
	let direct: DatabaseHandle;
	let proxied: DatabaseHandle;
	let proxy: TcpProxy;

	beforeAll(async () => {
		direct = await openThrowawayPostgres(BASE!);
		const target = new URL(BASE!);
		proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
		// the same throw-away database (its name is in `where`), reached through the proxy
		const through = new URL(BASE!);
		through.host = `127.0.0.1:${proxy.port}`;
		through.pathname = new URL(direct.where).pathname;
		proxied = await openDatabase({ url: through.toString(), migrate: false, max: 2 });
	});

	afterAll(async () => {
		await proxied?.close().catch(() => {});
		await proxy?.close();
		await direct?.close();
	});

	it(`keeps ${CALLS} calls through ${OUTAGES} outages: 0 lost, 0 duplicated`, async () => {
		let failedBatches = 0;
		const log = { info() {}, warn: () => void failedBatches++, error: () => void failedBatches++ };
		const persister = new FloorPersister({ db: proxied.db, log, flushMs: 20, maxBatch: 200, retryMs: 50, maxRetryMs: 400 });
		const outageEvery = Math.floor(CALLS / (OUTAGES + 1));
		let outages = 0;
		for (let i = 0; i < CALLS; i++) {
			const linkedid = `${1795609452 + i}.${i}`;
			const startedAt = T0 + i * 1000;
			// each call as the reducer reports it: started, answered, ended (merged by key)
			persister.push([call({ linkedid, uniqueid: linkedid, startedAt })]);
			persister.push([call({ linkedid, uniqueid: linkedid, startedAt, answeredAt: startedAt + 5000 })]);
			persister.push([call({ linkedid, uniqueid: linkedid, startedAt, answeredAt: startedAt + 5000, endedAt: startedAt + 60_000, hangupCause: 16 })]);
			if (i > 0 && i % outageEvery === 0 && outages < OUTAGES) {
				outages++;
				proxy.cut();
				// calls keep arriving while the database is away
				await new Promise((r) => setTimeout(r, OUTAGE_MS));
				proxy.restore();
			}
			if (i % 100 === 0) await new Promise((r) => setImmediate(r));
		}
		await until(
			async () => {
				await persister.flush().catch(() => {});
				return persister.stats.pending === 0;
			},
			60_000,
			'every buffered row to be written after the last reconnect'
		);
		await persister.close();

		const rows = await queryRows<{ n: number; distinct_ids: number; ended: number }>(
			direct.db,
			sql`select count(*)::int as n, count(distinct linkedid)::int as distinct_ids, count(ended_at)::int as ended from calls`
		);
		console.info(`[faults/postgres] ${CALLS} calls, ${outages} outages, batches retried ${failedBatches}, connections refused ${proxy.refused}, open ${proxy.open}, rows ${rows[0]!.n}, failed ${persister.stats.failed}`);
		expect(outages).toBe(OUTAGES);
		// the outages were real: the driver tried to reconnect and was refused (postgres-js keeps the
		// queries queued while it retries; a transaction cut mid-way fails and the persister retries it)
		expect(proxy.refused).toBeGreaterThan(0);
		expect(rows[0]).toEqual({ n: CALLS, distinct_ids: CALLS, ended: CALLS });
		expect(persister.stats.failed).toBe(0);
	}, 120_000);
});
