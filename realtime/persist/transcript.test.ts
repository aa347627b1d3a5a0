/**
 * End to end: the real Asterisk transcript b_click2call_answered through AmiParser → normalizeEvent
 * → reduce (the state tests' replay helpers) → FloorPersister, twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/lib/server/db';
import { testDatabases } from '../../src/lib/server/db/testing';
import { initialFloorState, reduce } from '../state';
import type { DirectoryAgent, FloorEffect } from '../state';
import { hasTranscript, loadTranscript, replay } from '../state/test-support';
import { FloorPersister } from './index';
import { addUser, callsOf, dump, statsOf } from './test-support';

const NAME = 'b_click2call_answered';

function effectsOf(agent: DirectoryAgent): FloorEffect[] {
	const recs = loadTranscript(NAME);
	const t0 = recs[0]?.now ?? 0;
	const state = reduce(initialFloorState({}, t0), { type: 'directory', agents: [agent] }, t0).state;
	return replay(state, recs, { pbx: agent.pbx }).effects;
}

describe.skipIf(!hasTranscript(NAME)).each(testDatabases())(
	`transcript ${NAME} → persister on $name`,
	({ open }) => {
		let handle: DatabaseHandle;
		beforeAll(async () => {
			handle = await open();
		});
		afterAll(async () => {
			await handle?.close();
		});

		it('stores one answered call and its rollup, and a second replay changes nothing', async () => {
			const db = handle.db;
			const id = await addUser(db, 'agent1');
			const agent: DirectoryAgent = {
				id,
				name: 'Agent One',
				endpoint: 'Local/agent1@agents',
				pbx: 'p1',
				teamIds: []
			};
			const p = new FloorPersister({ db });

			const first = effectsOf(agent);
			expect(first.some((e) => e.kind === 'call')).toBe(true);
			p.push(first);
			await p.flush();
			const once = await dump(db);

			p.push(effectsOf(agent));
			await p.close();
			expect(await dump(db)).toEqual(once);

			const rows = await callsOf(db);
			expect(rows).toHaveLength(1);
			const row = rows[0];
			expect(row).toMatchObject({
				agent_id: id,
				direction: 'out',
				number: '5551234',
				dial_status: 'ANSWER',
				hangup_cause: 16
			});
			expect(row?.answered_ms).not.toBeNull();
			expect(row?.ended_ms).toBeGreaterThan(row?.answered_ms ?? Infinity);
			expect(row?.talk_seconds).toBe(3);

			const stats = await statsOf(db, id);
			expect(stats).toHaveLength(1);
			expect(stats[0]).toMatchObject({ dials: 1, contacts: 1, conversations: 0, talk_seconds: 3 });
			expect(once.states.length).toBeGreaterThan(0);
			expect(p.stats).toMatchObject({ failed: 0, pending: 0 });
		});
	}
);
