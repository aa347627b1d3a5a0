/**
 * The floor as the browser knows it, without reactivity or I/O: a snapshot plus the versioned
 * patch messages that follow it. `apply` takes messages in arrival order and stops at the first
 * gap, telling the caller to reload a snapshot.
 */
import type {
	AgentView,
	FloorPatch,
	FloorPatchMessage,
	FloorSnapshot,
	MonitorView,
	PbxLinkView,
	QueueView
} from '$lib/protocol';
import { FloorMaps } from './floor-maps';

export interface Changed {
	agents: boolean;
	queues: boolean;
	monitors: boolean;
	pbx: boolean;
}

export interface ApplyResult {
	changed: Changed;
	/** a message did not follow the last version (or carried no usable version): reload a snapshot */
	gap: boolean;
}

/** one collator for every sort: `localeCompare` builds one per call, and queues are re-sorted on every frame that changes one */
const collator = new Intl.Collator();

export const ALL_CHANGED: Readonly<Changed> = Object.freeze({
	agents: true,
	queues: true,
	monitors: true,
	pbx: true
});

export class FloorModel {
	readonly #maps = new FloorMaps();
	#version: number | null = null;

	/** the version of the last snapshot or message applied; null before the first snapshot */
	get version(): number | null {
		return this.#version;
	}

	load(snapshot: FloorSnapshot): void {
		this.#maps.load(snapshot);
		this.#version = snapshot.version;
	}

	/** Forget the version (connection lost): nothing applies until the next snapshot. The data stays shown. */
	invalidate(): void {
		this.#version = null;
	}

	apply(messages: readonly FloorPatchMessage[]): ApplyResult {
		const changed: Changed = { agents: false, queues: false, monitors: false, pbx: false };
		if (this.#version === null) return { changed, gap: messages.length > 0 };
		let version = this.#version;
		let gap = false;
		for (const message of messages) {
			if (!Number.isSafeInteger(message.version)) {
				gap = true;
				break;
			}
			if (message.version <= version) continue; // already part of the snapshot
			if (message.version !== version + 1) {
				gap = true;
				break;
			}
			for (const patch of message.patches) this.#applyOne(patch, changed);
			version = message.version;
		}
		this.#version = version;
		return { changed, gap };
	}

	#applyOne(p: FloorPatch, changed: Changed): void {
		const collection = this.#maps.apply(p);
		if (collection) changed[collection] = true;
	}

	/** In first-seen order, so tiles sorted by an equal key do not swap places. */
	agents(): AgentView[] {
		return [...this.#maps.agents.values()];
	}

	queues(): QueueView[] {
		return [...this.#maps.queues.values()].sort(
			(a, b) => collator.compare(a.name, b.name) || collator.compare(a.pbx, b.pbx)
		);
	}

	pbx(): PbxLinkView[] {
		return [...this.#maps.pbx.values()];
	}

	monitorsByAgent(): Map<string, MonitorView[]> {
		const byAgent = new Map<string, MonitorView[]>();
		for (const mo of this.#maps.monitors.values()) {
			const list = byAgent.get(mo.agentId);
			if (list) list.push(mo);
			else byAgent.set(mo.agentId, [mo]);
		}
		return byAgent;
	}
}

/** PBX links that are down, by name. */
export function downLinks(links: readonly PbxLinkView[]): ReadonlyMap<string, PbxLinkView> {
	return new Map(links.filter((p) => !p.connected).map((p) => [p.name, p]));
}

export const NO_MONITORS_BY_AGENT: ReadonlyMap<string, readonly MonitorView[]> = new Map();
