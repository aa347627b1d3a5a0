/**
 * AMI link faults during a high-rate stream (issue 10 item 1). The whole live spine runs in this
 * process: PGlite, the simulator on loopback TCP (bots + load mode), the hub on a random port, and a
 * real Socket.IO client that reads the board. Each cycle starts the load, injects one fault into the
 * simulator's side of the link (drop, a stall longer than the watchdog, half-open, garbage bytes),
 * waits for the link to be back, stops the load with its call in flight finished, and then requires
 * the board to equal the model's truth (every agent's live call). At the end the calls table is
 * compared with what the PBX emitted.
 *
 * "Lost" is measured against what AMI can report at all: a call that began and ended entirely
 * inside an outage is never sent by Asterisk either (AMI has no replay). Those are counted and each
 * must lie inside an outage window; every other call must have exactly one row.
 *
 * Scale: FAULT_CYCLES (default 24 faults) and FAULT_RATE (default 2000 events/s) — the issue's
 * figures (100 faults, 10k events/s) are `FAULT_CYCLES=100 FAULT_RATE=10000`.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiClient } from '../../realtime/ami/client';
import { first } from '../../realtime/ami/parser';
import { startLoad } from '../../realtime/simulator/load';
import type { SimulatorHandle } from '../../realtime/simulator/server';
import { startLiveSpine, type LiveSpine } from '../../realtime/testing';
import { queryRows } from '../../src/lib/server/db/rows';
import {
	boardMatchesModel,
	boardModelDiff,
	floorSnapshot,
	sessionCookie,
	socketClient,
	until,
	type ClientSocket
} from './support';

const CYCLES = Number(process.env.FAULT_CYCLES ?? 24);
const RATE = Number(process.env.FAULT_RATE ?? 2000);
const KINDS = ['drop', 'stall', 'halfOpen', 'garbage'] as const;
type FaultKind = (typeof KINDS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AMI faults: kill, stall, half-open and garble the link under load', () => {
	let spine: LiveSpine;
	let sim: SimulatorHandle;
	let link: AmiClient;
	let board: ClientSocket;
	/** linkedid → first/last time the model emitted an event of that call */
	const emitted = new Map<string, { first: number; last: number }>();
	/** linkedids of Newchannel events the client received */
	const seenNew = new Set<string>();
	/** linkedid → the events the client received of that call (names, with the time), for a failure's message */
	const seenAny = new Map<string, string[]>();
	const outages: { from: number; to: number }[] = [];
	let readies = 0;
	let disconnects = 0;
	const resyncMs: number[] = [];

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 8, leads: 4, seed: 11 });
		const leader = spine.runtime.leader!;
		sim = leader.simulator!;
		link = [...leader.links.values()][0]!;
		sim.model.onEvent((f) => {
			const id = typeof f.Linkedid === 'string' ? f.Linkedid : null;
			if (id === null) return;
			const now = Date.now();
			const e = emitted.get(id);
			if (e) e.last = now;
			else emitted.set(id, { first: now, last: now });
		});
		link.on('event', (msg) => {
			const id = first(msg, 'Linkedid');
			if (id === undefined) return;
			const seen = seenAny.get(id) ?? [];
			seen.push(`${Date.now()} ${first(msg, 'Event')} ${first(msg, 'Channel') ?? ''}`);
			seenAny.set(id, seen);
			if (first(msg, 'Event') === 'Newchannel') seenNew.add(id);
		});
		link.on('ready', () => readies++);
		link.on('disconnect', () => disconnects++);
		board = socketClient(spine.url, await sessionCookie(spine.services.database.db, 'manager'));
		await until(async () => (await floorSnapshot(board)).ok, 10_000, 'the board socket');
	}, 180_000);

	afterAll(async () => {
		board?.close();
		await spine?.close();
		console.info(
			`[faults/ami] ${CYCLES} faults at ${RATE} ev/s: readies ${readies}, disconnects ${disconnects}, ` +
				`worst board resync ${Math.max(...resyncMs)} ms after the link was back, calls emitted ${emitted.size}`
		);
	});

	async function inject(kind: FaultKind): Promise<void> {
		switch (kind) {
			case 'drop':
				sim.faults.drop();
				return;
			case 'stall':
				// longer than the client's 2 s silence watchdog: the link must be declared dead
				await sim.faults.stall(3500);
				return;
			case 'halfOpen':
				sim.faults.halfOpen();
				return;
			case 'garbage':
				sim.faults.garbage(512);
				return;
		}
	}

	it(
		`recovers the board after each of ${CYCLES} faults and loses no call`,
		async () => {
			for (let i = 0; i < CYCLES; i++) {
				const kind = KINDS[i % KINDS.length]!;
				const load = startLoad(sim.model, RATE);
				await sleep(500);
				const before = { readies, disconnects };
				const from = Date.now();
				await inject(kind);
				if (kind === 'garbage') {
					// garbage may be skipped by the parser or end the connection: either way it must come back
					await sleep(300);
					if (disconnects > before.disconnects)
						await until(() => readies > before.readies, 15_000, `reconnect after ${kind}`);
				} else {
					await until(() => disconnects > before.disconnects, 10_000, `the client to notice ${kind}`);
					await until(() => readies > before.readies, 15_000, `reconnect after ${kind}`);
				}
				outages.push({ from, to: Date.now() });
				await sleep(500);
				load.stop({ finish: true });
				// `until` fails the test when the board is not right within 15 s. No second look after it:
				// the bots keep dialling, so a later comparison races the next batch (≤ 100 ms behind).
				try {
					resyncMs.push(
						await until(() => boardMatchesModel(board, sim.model), 15_000, `board = model after ${kind} #${i}`)
					);
				} catch (err) {
					throw new Error(`${(err as Error).message}: ${(await boardModelDiff(board, sim.model)).join('; ')}`);
				}
			}

			// calls table vs what the PBX emitted
			await spine.runtime.leader!.persister.flush();
			const db = spine.services.database.db;
			const rows = await queryRows<{ linkedid: string }>(db, sql`select pbx, linkedid, ended_at from calls`);
			const rowIds = new Set(rows.map((r) => String(r.linkedid)));
			// events written just before the cut may still be in the socket buffers and die with it
			const IN_FLIGHT_MS = 250;
			const insideOneOutage = (e: { first: number; last: number }) =>
				outages.some((o) => e.first >= o.from - IN_FLIGHT_MS && e.last <= o.to);
			// AMI can report a call that was live while the link was up (events or the resync lists)
			const reportable = [...emitted].filter(([, e]) => !insideOneOutage(e)).map(([id]) => id);
			const invisible = emitted.size - reportable.length;
			const lost = [...new Set([...reportable, ...seenNew])].filter((id) => !rowIds.has(id));
			const phantom = [...rowIds].filter((id) => !emitted.has(id));
			const duplicated = rows.length - rowIds.size;
			console.info(
				`[faults/ami] calls: emitted ${emitted.size}, rows ${rows.length}, lost ${lost.length}, duplicated ${duplicated}, ` +
					`not a model call ${phantom.length}, begun and ended inside one outage (never on the wire) ${invisible}, ` +
					`rows the database refused ${spine.runtime.leader!.persister.stats.failed}`
			);
			expect(lost.map((id) => ({ id, ...emitted.get(id), outages, seen: seenAny.get(id) ?? [] }))).toEqual([]);
			expect(duplicated).toBe(0);
			expect(phantom).toEqual([]);
			// a row still open must be a call the model still has
			await until(
				async () => {
					await spine.runtime.leader!.persister.flush();
					const open = await queryRows<{ linkedid: string }>(db, sql`select linkedid from calls where ended_at is null`);
					const live = new Set(sim.model.channels().map((c) => c.linkedid));
					return open.every((r) => live.has(String(r.linkedid)));
				},
				15_000,
				'open rows to be live calls'
			);
			expect(resyncMs.length).toBe(CYCLES);
		},
		30 * 60_000
	);
});
