/**
 * Bench case `failover` (issue #9): the AMI link dies under 1,000 events/s; how long until the
 * board says so (detect), and how long from there until the board is right again (resync)?
 *
 * The whole live spine in this process (realtime/testing.ts: PGlite, the simulator on loopback TCP
 * with bot agents, the hub on a random port) and one real Socket.IO client reading the board. Two
 * ways to die, BENCH_FAILOVER_ROUNDS (default 5) times each:
 * - `drop`: the PBX closes the socket (Asterisk restart) — the client sees the close;
 * - `half-open`: the PBX goes silent with the socket open (a dead NAT/firewall) — only the Ping and
 *   silence watchdog (2 s, Ping every 1 s) can tell.
 * Detect = fault → the board's `floor:patch` marking the PBX link down. Resync = that patch → the
 * board showing the link up with every agent's call equal to the simulator's model.
 */
import { startLoad } from '../../../realtime/simulator/load';
import { startLiveSpine } from '../../../realtime/testing';
import { boardMatchesModel, floorSnapshot, sessionCookie, socketClient, until } from '../../faults/support';
import type { BenchCase, BenchResult } from '../types';

const ROUNDS = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 5);
const RATE = 1000;
const GOAL_MS = 3000;

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const failover: BenchCase = {
	name: 'failover',
	async run(): Promise<BenchResult[]> {
		const spine = await startLiveSpine({ agents: 8, leads: 4, seed: 5 });
		const sim = spine.runtime.leader!.simulator!;
		const board = socketClient(spine.url, await sessionCookie(spine.services.database.db, 'manager'));
		let linkDownAt = 0;
		board.on('floor:patch', (m) => {
			if (m.patches.some((p) => p.kind === 'pbx' && !p.pbx.connected) && linkDownAt === 0)
				linkDownAt = Date.now();
		});
		const load = startLoad(sim.model, RATE);
		const results: BenchResult[] = [];
		try {
			await until(async () => (await floorSnapshot(board)).ok, 10_000, 'the board socket');
			// patches go to subscribers only
			await new Promise((resolve) => board.emit('floor:subscribe', {}, resolve));
			for (const kind of ['drop', 'half-open'] as const) {
				const detect: number[] = [];
				const resync: number[] = [];
				for (let i = 0; i < ROUNDS; i++) {
					await until(() => boardMatchesModel(board, sim.model), 30_000, 'a correct board before the fault');
					await new Promise((r) => setTimeout(r, 500));
					linkDownAt = 0;
					const at = Date.now();
					if (kind === 'drop') sim.faults.drop();
					else sim.faults.halfOpen();
					await until(() => linkDownAt !== 0, 30_000, `the board to show the ${kind} link down`);
					detect.push(linkDownAt - at);
					await until(() => boardMatchesModel(board, sim.model), 30_000, 'the board to resync');
					resync.push(Date.now() - linkDownAt);
				}
				for (const [metric, values] of [
					['detect', detect],
					['resync', resync]
				] as const) {
					const worst = Math.max(...values);
					results.push(
						{
							case: 'failover',
							metric: `${kind}: ${metric} p50`,
							value: percentile(values, 50),
							unit: 'ms',
							baseline: null,
							ratio: null,
							goal: `≤ ${GOAL_MS} ms`,
							pass: percentile(values, 50) <= GOAL_MS
						},
						{
							case: 'failover',
							metric: `${kind}: ${metric} max (${ROUNDS} rounds)`,
							value: worst,
							unit: 'ms',
							baseline: null,
							ratio: null,
							goal: `≤ ${GOAL_MS} ms`,
							pass: worst <= GOAL_MS
						}
					);
				}
			}
		} finally {
			load.stop();
			board.close();
			await spine.close();
		}
		return results;
	}
};

export default failover;
