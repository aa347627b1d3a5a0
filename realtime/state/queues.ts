/**
 * Queues: waiting callers and members (with pause), from queue events and QueueStatus items.
 */
import type { QueueView } from '../../src/lib/protocol';
import type { MemberEventKind, PbxEvent, QueueMemberInfo } from '../ami/normalize';
import { pk } from './context';
import type { Ctx } from './context';
import { availabilityOfStatus, ensureEndpoint, isPaused, putEndpoint } from './endpoints';
import { PMap } from './pmap';
import type { EndpointRec, QueueDay, QueueRec } from './types';

export function queueId(pbx: string, name: string): string {
	return `${pbx}:${name}`;
}

export function ensureQueue(ctx: Ctx, pbx: string, name: string): QueueRec {
	const id = queueId(pbx, name);
	const cur = ctx.queues.get(id);
	if (cur !== undefined) return cur;
	const rec: QueueRec = { id, pbx, name, callers: {}, members: PMap.empty(), pausedCount: 0, today: NO_CALLS, view: null };
	ctx.queues.set(id, rec);
	ctx.touchedQueues.add(id);
	return rec;
}

const NO_CALLS: QueueDay = { offered: 0, answered: 0, answeredInSl: 0, abandoned: 0, waitSeconds: 0, maxWaitSeconds: 0 };

function serviceLevelOf(ctx: Ctx, name: string): number {
	return ctx.serviceLevels[name] ?? ctx.config.serviceLevelSeconds;
}

/** New day: every queue's counters back to zero. */
export function resetQueueCounters(ctx: Ctx): void {
	for (const q of [...ctx.queues.values()]) if (q.today !== NO_CALLS) putQueue(ctx, { ...q, today: NO_CALLS });
}

/** New thresholds apply to callers answered from now on; the views show the new threshold at once. */
export function setServiceLevels(ctx: Ctx, levels: Readonly<Record<string, number>>): void {
	ctx.serviceLevels = levels;
	for (const q of ctx.queues.values()) ctx.touchedQueues.add(q.id);
}

/** AgentConnect: the caller waited `holdTimeSeconds` (Asterisk's own count). */
export function countAnswered(ctx: Ctx, pbx: string, queue: string, holdTimeSeconds: number): void {
	const q = ensureQueue(ctx, pbx, queue);
	const t = q.today;
	putQueue(ctx, {
		...q,
		today: {
			...t,
			answered: t.answered + 1,
			answeredInSl: t.answeredInSl + (holdTimeSeconds <= serviceLevelOf(ctx, queue) ? 1 : 0),
			waitSeconds: t.waitSeconds + holdTimeSeconds,
			maxWaitSeconds: Math.max(t.maxWaitSeconds, holdTimeSeconds)
		}
	});
}

/** QueueCallerAbandon (sent once per caller who gave up or timed out). */
export function countAbandoned(ctx: Ctx, pbx: string, queue: string): void {
	const q = ensureQueue(ctx, pbx, queue);
	putQueue(ctx, { ...q, today: { ...q.today, abandoned: q.today.abandoned + 1 } });
}

function putQueue(ctx: Ctx, rec: QueueRec): void {
	ctx.queues.set(rec.id, rec);
	ctx.touchedQueues.add(rec.id);
}

/** QueueMember (list item), QueueMemberStatus/Pause/Added/Removed. */
export function applyMember(ctx: Ctx, pbx: string, m: QueueMemberInfo, kind: MemberEventKind): void {
	const removed = kind === 'QueueMemberRemoved';
	const ep = ensureEndpoint(ctx, pbx, m.endpoint);
	const members = { ...ep.members };
	if (removed) delete members[m.queue];
	else {
		members[m.queue] = {
			paused: m.paused,
			reason: m.pausedReason,
			status: m.status,
			stateInterface: m.stateInterface
		};
	}
	let next: EndpointRec = {
		...ep,
		members,
		seen: true,
		device: removed ? ep.device : availabilityOfStatus(m.status, ep.device)
	};
	if (!isPaused(next)) next = { ...next, pauseReason: null };
	else if (m.paused && (kind === 'QueueMemberPause' || ep.pauseReason === null)) {
		next = { ...next, pauseReason: m.pausedReason };
	}
	putEndpoint(ctx, next);
	ctx.touchEndpoint(pbx, m.endpoint);
	if (m.stateInterface !== null && !removed) {
		ctx.stateIfaces.set(pk(pbx, m.stateInterface), pk(pbx, m.endpoint));
	}
	const q = ensureQueue(ctx, pbx, m.queue);
	// O(1)-ish: the member map is persistent and the paused count moves by the one member's change
	const was = q.members.get(m.endpoint);
	if (removed) {
		if (was !== undefined) {
			putQueue(ctx, {
				...q,
				members: q.members.delete(m.endpoint),
				pausedCount: q.pausedCount - (was ? 1 : 0)
			});
		}
	} else if (was !== m.paused) {
		putQueue(ctx, {
			...q,
			members: q.members.set(m.endpoint, m.paused),
			pausedCount: q.pausedCount - (was === true ? 1 : 0) + (m.paused ? 1 : 0)
		});
	}
}

export function addCaller(ctx: Ctx, pbx: string, queue: string, uniqueid: string, joinedAt: number): void {
	const q = ensureQueue(ctx, pbx, queue);
	if (uniqueid in q.callers) return;
	putQueue(ctx, { ...q, callers: { ...q.callers, [uniqueid]: joinedAt }, today: { ...q.today, offered: q.today.offered + 1 } });
}

export function removeCaller(ctx: Ctx, pbx: string, queue: string, uniqueid: string): void {
	const q = ctx.queues.get(queueId(pbx, queue));
	if (q === undefined || !(uniqueid in q.callers)) return;
	const callers = { ...q.callers };
	delete callers[uniqueid];
	putQueue(ctx, { ...q, callers });
}

function viewOf(ctx: Ctx, q: QueueRec): QueueView {
	let waiting = 0;
	let longestSince: number | null = null;
	for (const uid in q.callers) {
		waiting++;
		const t = q.callers[uid] ?? 0;
		if (longestSince === null || t < longestSince) longestSince = t;
	}
	return {
		id: q.id,
		pbx: q.pbx,
		name: q.name,
		waiting,
		longestSince,
		members: q.members.size,
		paused: q.pausedCount,
		...q.today,
		serviceLevelSeconds: serviceLevelOf(ctx, q.name)
	};
}

function sameView(a: QueueView, b: QueueView | null): boolean {
	return (
		b !== null &&
		a.waiting === b.waiting &&
		a.longestSince === b.longestSince &&
		a.members === b.members &&
		a.paused === b.paused &&
		a.offered === b.offered &&
		a.answered === b.answered &&
		a.answeredInSl === b.answeredInSl &&
		a.abandoned === b.abandoned &&
		a.waitSeconds === b.waitSeconds &&
		a.maxWaitSeconds === b.maxWaitSeconds &&
		a.serviceLevelSeconds === b.serviceLevelSeconds
	);
}

/** Patch every touched queue whose view changed. */
export function flushQueues(ctx: Ctx): void {
	for (const id of ctx.touchedQueues) {
		const q = ctx.queues.get(id);
		if (q === undefined) continue;
		const view = viewOf(ctx, q);
		if (sameView(view, q.view)) continue;
		ctx.queues.set(id, { ...q, view });
		ctx.patches.push({ kind: 'queue', queue: view });
	}
}

/**
 * Rebuild the listed queues of one PBX from QueueStatus items: members and waiting callers are
 * replaced; a caller still waiting keeps its join time. Queues absent from the list are left alone
 * (QueueStatus may have been filtered).
 */
export function resyncQueues(ctx: Ctx, pbx: string, items: readonly PbxEvent[]): void {
	const listed = new Set<string>();
	const members = new Map<string, QueueMemberInfo[]>();
	const entries = new Map<string, Array<Extract<PbxEvent, { kind: 'QueueEntry' }>>>();
	for (const it of items) {
		if (it.kind === 'QueueParams') listed.add(it.queue);
		else if (it.kind === 'QueueMember') {
			listed.add(it.member.queue);
			const list = members.get(it.member.queue) ?? [];
			list.push(it.member);
			members.set(it.member.queue, list);
		} else if (it.kind === 'QueueEntry') {
			listed.add(it.queue);
			const list = entries.get(it.queue) ?? [];
			list.push(it);
			entries.set(it.queue, list);
		}
	}
	for (const name of listed) {
		const q = ensureQueue(ctx, pbx, name);
		const keep = new Set((members.get(name) ?? []).map((m) => m.endpoint));
		for (const endpoint of [...q.members.keys()]) {
			if (!keep.has(endpoint)) {
				applyMember(
					ctx,
					pbx,
					{
						queue: name,
						name: '',
						iface: endpoint,
						endpoint,
						stateInterface: null,
						status: 0,
						paused: false,
						pausedReason: null,
						inCall: false,
						membership: null,
						callsTaken: 0
					},
					'QueueMemberRemoved'
				);
			}
		}
		for (const m of members.get(name) ?? []) applyMember(ctx, pbx, m, 'QueueMember');
		const cur = ctx.queues.get(queueId(pbx, name)) ?? q;
		const callers: Record<string, number> = {};
		for (const e of entries.get(name) ?? []) {
			callers[e.uniqueid] = cur.callers[e.uniqueid] ?? ctx.now - e.waitSeconds * 1000;
			const ch = ctx.channels.get(pk(pbx, e.uniqueid));
			if (ch !== undefined && ch.queue !== name)
				ctx.channels.set(pk(pbx, e.uniqueid), { ...ch, queue: name });
		}
		putQueue(ctx, { ...cur, callers });
	}
}
