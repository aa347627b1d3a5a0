/**
 * Wall-board ordering. Positions are computed at most once a second (see FloorView), not on every
 * patch: tiles that jump ten times a second cannot be read, and moving DOM nodes is the costly part
 * of a 2,000-tile update. Alphabetical ranks are cached until an agent is added, removed or renamed
 * (collating 2,000 names costs ~10 ms; comparing cached ranks a fraction of one).
 */
import type { AgentView } from '$lib/protocol';
import { stateRank } from './states';

export type SortKey = 'name' | 'state' | 'time';
export const SORT_KEYS: readonly SortKey[] = ['name', 'state', 'time'];

export class NameOrder {
	readonly #collator: Intl.Collator;
	#names = new Map<string, string>();
	#ranks = new Map<string, number>();

	constructor(locale: string) {
		this.#collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
	}

	ranks(agents: readonly Pick<AgentView, 'id' | 'name'>[]): ReadonlyMap<string, number> {
		let stale = agents.length !== this.#names.size;
		for (let i = 0; !stale && i < agents.length; i++)
			stale = this.#names.get(agents[i]!.id) !== agents[i]!.name;
		if (stale) {
			const sorted = [...agents].sort(
				(a, b) => this.#collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
			);
			this.#ranks = new Map(sorted.map((a, i) => [a.id, i]));
			this.#names = new Map(agents.map((a) => [a.id, a.name]));
		}
		return this.#ranks;
	}
}

/** Agent ids in the order of `sort`: by name; by state (busy first), longest first; or longest in state first. */
export function orderAgents(agents: readonly AgentView[], sort: SortKey, names: NameOrder): string[] {
	const byName = names.ranks(agents);
	const name = (a: AgentView) => byName.get(a.id) ?? 0;
	const sorted = [...agents].sort(
		sort === 'name'
			? (a, b) => name(a) - name(b)
			: sort === 'state'
				? (a, b) => stateRank(a.state) - stateRank(b.state) || a.since - b.since || name(a) - name(b)
				: (a, b) => a.since - b.since || name(a) - name(b)
	);
	return sorted.map((a) => a.id);
}

/** `agents` laid out in `order` in O(n); agents that appeared since `order` was computed go last. */
export function arrange(agents: readonly AgentView[], order: readonly string[]): AgentView[] {
	const byId = new Map(agents.map((a) => [a.id, a]));
	const out: AgentView[] = [];
	for (const id of order) {
		const a = byId.get(id);
		if (a) {
			out.push(a);
			byId.delete(id);
		}
	}
	for (const a of byId.values()) out.push(a);
	return out;
}
