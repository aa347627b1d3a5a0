/**
 * Bench case `hopper` (issue #7): 200 agents press "Next" at once, over and over, on one project.
 *
 * Each agent loops: claim the next lead (`claimNextLead`: one `UPDATE … coalesce(sub-selects FOR
 * UPDATE SKIP LOCKED)` with the project gate inside), then dispose of it (status done, lock
 * released), until BENCH_HOPPER_SECONDS (default 10) have passed. A claim that returns a lead
 * somebody else already got is a double assignment; there must be none.
 *
 * Engine: a throw-away Postgres database next to DATABASE_URL (pool BENCH_HOPPER_POOL, default 40);
 * without DATABASE_URL, in-memory PGlite (one connection: the claims are serial there, the figure
 * is informative only). Leads: BENCH_HOPPER_LEADS (default 60 000), one phone each, with 2 % of
 * them blocked and 2 % in the DNC list so the filters are exercised.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../../../src/lib/server/db';
import { projectLeads } from '../../../src/lib/server/db/schema';
import { createFixture } from '../../../src/lib/server/leads/fixtures';
import { claimNextLead } from '../../../src/lib/server/leads/hopper';
import type { BenchCase, BenchResult } from '../types';

const AGENTS = 200;
const SECONDS = Number(process.env.BENCH_HOPPER_SECONDS ?? 10);
const LEADS = Number(process.env.BENCH_HOPPER_LEADS ?? 60_000);
const POOL = Number(process.env.BENCH_HOPPER_POOL ?? 40);
const GOAL_RATE = 2000;

async function openEngine(): Promise<{ handle: DatabaseHandle; engine: string; drop(): Promise<void> }> {
	const base = process.env.DATABASE_URL;
	if (!base) {
		const handle = await openDatabase({ dataDir: 'memory://' });
		return { handle, engine: 'pglite', drop: () => handle.close() };
	}
	const { default: postgres } = await import('postgres');
	const name = `sb_bench_${randomBytes(5).toString('hex')}`;
	const admin = postgres(base, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(base);
	url.pathname = `/${name}`;
	const handle = await openDatabase({ url: url.toString(), max: POOL });
	return {
		handle,
		engine: `postgres (pool ${POOL})`,
		async drop() {
			await handle.close();
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end({ timeout: 5 });
		}
	};
}

const hopper: BenchCase = {
	name: 'hopper',
	async run(): Promise<BenchResult[]> {
		const { handle, engine, drop } = await openEngine();
		try {
			const db = handle.db;
			const f = await createFixture(db, { agents: AGENTS, leads: LEADS });
			await db.execute(sql`update leads set blocked_at = now() where id in (select lead_id from project_leads where project_id = ${f.projectId} order by random() limit ${Math.floor(LEADS / 50)})`);
			await db.execute(sql`insert into dnc (e164) select ph.e164 from lead_phones ph join project_leads pl on pl.lead_id = ph.lead_id
				where pl.project_id = ${f.projectId} order by random() limit ${Math.floor(LEADS / 50)} on conflict do nothing`);
			await db.execute(sql`analyze`);

			// the stand-in for a disposition: prepared once, as the claim is, so the loop measures the
			// database rather than the query builder (a durable commit, like a real disposition)
			const dispose = db
				.update(projectLeads)
				.set({ status: 'done', lockedBy: null, lockedUntil: null })
				.where(eq(projectLeads.id, sql.placeholder('id')))
				.prepare('bench_hopper_dispose');
			const owner = new Map<string, string>();
			let claims = 0;
			let doubles = 0;
			let empty = 0;
			const latencies: number[] = [];
			const started = performance.now();
			const deadline = started + SECONDS * 1000;
			await Promise.all(
				f.agents.map(async (agentId) => {
					while (performance.now() < deadline) {
						const t = performance.now();
						const r = await claimNextLead(db, { agentId, projectId: f.projectId });
						latencies.push(performance.now() - t);
						if (!r.ok) {
							empty++;
							return;
						}
						claims++;
						if (owner.has(r.claim.leadId)) doubles++;
						owner.set(r.claim.leadId, agentId);
						await dispose.execute({ id: r.claim.projectLeadId });
					}
				})
			);
			const seconds = (performance.now() - started) / 1000;
			latencies.sort((a, b) => a - b);
			const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
			const rate = claims / seconds;
			const onPg = engine.startsWith('postgres');
			return [
				{
					case: 'hopper',
					metric: `claims/s, ${AGENTS} concurrent agents, ${engine}`,
					value: Math.round(rate),
					unit: 'claims/s',
					baseline: null,
					ratio: null,
					goal: onPg ? `≥ ${GOAL_RATE} claims/s` : 'info (PGlite is one connection)',
					pass: onPg ? rate >= GOAL_RATE : true
				},
				{ case: 'hopper', metric: 'double assignments', value: doubles, unit: 'leads', baseline: null, ratio: null, goal: '0', pass: doubles === 0 },
				{ case: 'hopper', metric: 'claim latency p50', value: Number(p(0.5).toFixed(2)), unit: 'ms', baseline: null, ratio: null, goal: 'info', pass: true },
				{ case: 'hopper', metric: 'claim latency p99', value: Number(p(0.99).toFixed(2)), unit: 'ms', baseline: null, ratio: null, goal: 'info', pass: true },
				{ case: 'hopper', metric: 'agents that ran out of leads', value: empty, unit: 'agents', baseline: null, ratio: null, goal: 'info', pass: true }
			];
		} finally {
			await drop();
		}
	}
};

export default hopper;
