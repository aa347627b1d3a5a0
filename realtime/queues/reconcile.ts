/**
 * Keeps each PBX's queue membership equal to what Switchboard manages (skills + overrides): reads
 * QueueStatus, plans QueueAdd / QueueRemove / QueuePenalty with `planQueueActions`, sends them.
 * Runs on the leader after every AMI login, soon after every change made in the app, and on a slow
 * schedule as a backstop (a change made on another node, or by hand on the PBX).
 */
import { first, type AmiMessage } from '../ami/parser';
import { interfaceEndpoint } from '../ami/normalize';
import type { AmiClient } from '../ami/client';
import {
	planQueueActions,
	type ActualMember,
	type DesiredMembership,
	type QueueAction
} from '../../src/lib/server/inbound/membership';

export interface ReconcileLog {
	info(obj: object, msg: string): void;
	warn(obj: object, msg: string): void;
}

export interface QueueReconcilerDeps {
	links: () => ReadonlyMap<string, AmiClient>;
	load: () => Promise<DesiredMembership>;
	log: ReconcileLog;
	/** backstop period (default 60 s); 0 = none */
	intervalMs?: number;
	/** coalesces bursts of changes (default 150 ms) */
	debounceMs?: number;
}

export interface ReconcileResult {
	pbx: string;
	applied: QueueAction[];
	failed: { action: QueueAction; message: string }[];
	/** managed queues the PBX does not have */
	missingQueues: string[];
}

/** QueueStatus items → queue name → members (only queues the PBX reported with QueueParams). */
export function actualMembership(items: readonly AmiMessage[]): Map<string, ActualMember[]> {
	const out = new Map<string, ActualMember[]>();
	for (const item of items) {
		const event = first(item, 'Event');
		const queue = first(item, 'Queue');
		if (!queue) continue;
		if (event === 'QueueParams') {
			if (!out.has(queue)) out.set(queue, []);
		} else if (event === 'QueueMember') {
			const iface = first(item, 'Location') ?? first(item, 'Interface');
			if (!iface) continue;
			let list = out.get(queue);
			if (!list) out.set(queue, (list = []));
			list.push({
				iface,
				endpoint: interfaceEndpoint(iface),
				penalty: Number.parseInt(first(item, 'Penalty') ?? '0', 10) || 0,
				membership: first(item, 'Membership') ?? null
			});
		}
	}
	return out;
}

export class QueueReconciler {
	readonly #deps: QueueReconcilerDeps;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#interval: ReturnType<typeof setInterval> | null = null;
	/** one run at a time per PBX; a request during a run queues exactly one more */
	readonly #running = new Map<string, Promise<ReconcileResult>>();
	readonly #again = new Set<string>();
	#closed = false;

	constructor(deps: QueueReconcilerDeps) {
		this.#deps = deps;
		const every = deps.intervalMs ?? 60_000;
		if (every > 0) {
			this.#interval = setInterval(() => this.schedule(), every);
			this.#interval.unref();
		}
	}

	/** Soon, for every PBX. */
	schedule(): void {
		if (this.#closed || this.#timer !== null) return;
		this.#timer = setTimeout(() => {
			this.#timer = null;
			for (const pbx of this.#deps.links().keys()) void this.run(pbx).catch(() => {});
		}, this.#deps.debounceMs ?? 150);
		this.#timer.unref();
	}

	/** Reconciles one PBX now (after a login, or from `schedule`). */
	run(pbx: string): Promise<ReconcileResult> {
		const current = this.#running.get(pbx);
		if (current) {
			this.#again.add(pbx);
			return current;
		}
		const p = this.#reconcile(pbx).finally(() => {
			this.#running.delete(pbx);
			if (this.#again.delete(pbx) && !this.#closed) void this.run(pbx).catch(() => {});
		});
		this.#running.set(pbx, p);
		return p;
	}

	async #reconcile(pbx: string): Promise<ReconcileResult> {
		const result: ReconcileResult = { pbx, applied: [], failed: [], missingQueues: [] };
		const link = this.#deps.links().get(pbx);
		// no `connected` check: during the login hook the link is not 'ready' yet but takes actions
		if (!link) return result;
		const desired = await this.#deps.load();
		if (desired.size === 0) return result;
		const status = await link.actionList({ Action: 'QueueStatus' });
		const actual = actualMembership(status.items);
		// only queues this PBX has: a managed queue may live on another PBX
		const here: DesiredMembership = new Map();
		for (const [name, members] of desired) {
			if (actual.has(name)) here.set(name, members);
			else result.missingQueues.push(name);
		}
		const plan = planQueueActions(here, actual);
		for (const action of plan.actions) {
			try {
				const reply = await link.action(action);
				if (reply.Response === 'Success') result.applied.push(action);
				else result.failed.push({ action, message: String(reply.Message ?? 'refused') });
			} catch (err) {
				result.failed.push({ action, message: err instanceof Error ? err.message : String(err) });
			}
		}
		const { log } = this.#deps;
		if (result.applied.length > 0) log.info({ pbx, actions: result.applied.length }, 'queue membership applied');
		if (result.failed.length > 0) log.warn({ pbx, failed: result.failed }, 'queue membership actions refused by the PBX');
		if (plan.staticExtras.length > 0) log.warn({ pbx, members: plan.staticExtras }, 'static queue members the skills exclude (edit queues.conf)');
		return result;
	}

	close(): void {
		this.#closed = true;
		if (this.#timer !== null) clearTimeout(this.#timer);
		if (this.#interval !== null) clearInterval(this.#interval);
	}
}
