import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PMap } from './pmap';

type Op = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string } | { op: 'commit' };

const key = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 3000 }).map(String));
const ops = fc.array(
	fc.oneof(
		{ weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }) },
		{ weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
		{ weight: 1, arbitrary: fc.constant({ op: 'commit' as const }) }
	),
	{ maxLength: 400 }
);

function contents<V>(m: PMap<V>): Array<[string, V]> {
	return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('PMap', () => {
	it('behaves like a Map, and every committed version stays as it was', () => {
		fc.assert(
			fc.property(ops, (list: Op[]) => {
				const model = new Map<string, number>();
				let map = PMap.empty<number>();
				let draft = map.draft();
				const versions: Array<[PMap<number>, Array<[string, number]>]> = [];
				for (const o of list) {
					if (o.op === 'set') {
						model.set(o.key, o.value);
						draft.set(o.key, o.value);
					} else if (o.op === 'delete') {
						model.delete(o.key);
						draft.delete(o.key);
					} else {
						map = draft.done();
						versions.push([map, contents(map)]);
						draft = map.draft();
					}
					expect(draft.size).toBe(model.size);
				}
				map = draft.done();
				expect(map.size).toBe(model.size);
				for (const [k, v] of model) expect(map.get(k)).toBe(v);
				expect(contents(map)).toEqual([...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
				for (const [m, snap] of versions) expect(contents(m)).toEqual(snap);
			}),
			{ numRuns: 200 }
		);
	});

	it('shares structure: an unchanged draft returns the same map, set/delete leave the original alone', () => {
		const a = PMap.from([
			['x', 1],
			['y', 2]
		]);
		expect(a.draft().done()).toBe(a);
		const b = a.set('x', 3).delete('y');
		expect(a.get('x')).toBe(1);
		expect(a.get('y')).toBe(2);
		expect(b.get('x')).toBe(3);
		expect(b.has('y')).toBe(false);
		expect(a.set('x', 1).get('x')).toBe(1);
	});
});
