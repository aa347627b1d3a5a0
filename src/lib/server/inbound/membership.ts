/**
 * Skill-based queue membership, as pure functions: which agents belong in which managed queue and
 * at what penalty (`desiredMembership`), and which AMI actions turn what the PBX has into that
 * (`planQueueActions`). The leader runs the plan after every AMI login and after every change, so
 * the PBX always matches what the pages show.
 */

export const MIN_SKILL_LEVEL = 1;
export const MAX_SKILL_LEVEL = 10;
/** Asterisk rings lower penalties first; an expert (10) gets 0, a beginner (1) gets 9. */
export const MAX_PENALTY = MAX_SKILL_LEVEL - MIN_SKILL_LEVEL;

export interface ManagedQueue {
	id: string;
	name: string;
	teamId: string | null;
	skills: readonly { skillId: string; minLevel: number }[];
}

export interface SkilledAgent {
	id: string;
	name: string;
	endpoint: string;
	teamIds: readonly string[];
	/** skill id → level */
	levels: ReadonlyMap<string, number>;
}

export interface MemberOverride {
	queueId: string;
	userId: string;
	member: boolean;
	penalty: number | null;
}

export interface DesiredMember {
	agentId: string;
	name: string;
	penalty: number;
	/** why: the skills rule, or a supervisor's override */
	source: 'skills' | 'override';
}

/** queue name → endpoint → desired member */
export type DesiredMembership = Map<string, Map<string, DesiredMember>>;

/** Penalty from the weakest required skill; 0 for a queue that requires none. */
export function skillPenalty(queue: ManagedQueue, agent: SkilledAgent): number | null {
	let weakest = MAX_SKILL_LEVEL;
	for (const req of queue.skills) {
		const level = agent.levels.get(req.skillId);
		if (level === undefined || level < req.minLevel) return null;
		weakest = Math.min(weakest, level);
	}
	return queue.skills.length === 0 ? 0 : MAX_SKILL_LEVEL - weakest;
}

export function desiredMembership(
	queues: readonly ManagedQueue[],
	agents: readonly SkilledAgent[],
	overrides: readonly MemberOverride[]
): DesiredMembership {
	const byKey = new Map(overrides.map((o) => [`${o.queueId}\u0000${o.userId}`, o]));
	const out: DesiredMembership = new Map();
	for (const q of queues) {
		const members = new Map<string, DesiredMember>();
		for (const a of agents) {
			const o = byKey.get(`${q.id}\u0000${a.id}`);
			const inTeam = q.teamId === null || a.teamIds.includes(q.teamId);
			const fromSkills = inTeam ? skillPenalty(q, a) : null;
			if (o !== undefined && !o.member) continue;
			if (o !== undefined && o.member) {
				members.set(a.endpoint, { agentId: a.id, name: a.name, penalty: o.penalty ?? fromSkills ?? 0, source: 'override' });
			} else if (fromSkills !== null) {
				members.set(a.endpoint, { agentId: a.id, name: a.name, penalty: fromSkills, source: 'skills' });
			}
		}
		out.set(q.name, members);
	}
	return out;
}

/** One member of a queue as the PBX reports it (QueueStatus → QueueMember). */
export interface ActualMember {
	/** `Location` as Asterisk has it */
	iface: string;
	/** the agent endpoint behind it (Local/… channels resolved) */
	endpoint: string;
	penalty: number;
	/** 'dynamic' | 'realtime' | 'static'; static members cannot be removed over AMI */
	membership: string | null;
}

export type QueueAction =
	| { Action: 'QueueAdd'; Queue: string; Interface: string; Penalty: string; MemberName: string }
	| { Action: 'QueueRemove'; Queue: string; Interface: string }
	| { Action: 'QueuePenalty'; Queue: string; Interface: string; Penalty: string };

export interface QueuePlan {
	actions: QueueAction[];
	/** static members the skills say should go: reported, not touched */
	staticExtras: { queue: string; iface: string }[];
}

/**
 * The actions that make `actual` equal `desired`, for the managed queues only (a queue the PBX
 * has but Switchboard does not manage is not in `desired` and is left alone).
 */
export function planQueueActions(desired: DesiredMembership, actual: ReadonlyMap<string, readonly ActualMember[]>): QueuePlan {
	const actions: QueueAction[] = [];
	const staticExtras: QueuePlan['staticExtras'] = [];
	for (const [queue, want] of desired) {
		const have = actual.get(queue) ?? [];
		const seen = new Set<string>();
		for (const m of have) {
			const target = want.get(m.endpoint);
			if (target === undefined) {
				if (m.membership === 'static') staticExtras.push({ queue, iface: m.iface });
				else actions.push({ Action: 'QueueRemove', Queue: queue, Interface: m.iface });
				continue;
			}
			seen.add(m.endpoint);
			if (m.penalty !== target.penalty)
				actions.push({ Action: 'QueuePenalty', Queue: queue, Interface: m.iface, Penalty: String(target.penalty) });
		}
		for (const [endpoint, target] of want) {
			if (seen.has(endpoint)) continue;
			actions.push({ Action: 'QueueAdd', Queue: queue, Interface: endpoint, Penalty: String(target.penalty), MemberName: target.name });
		}
	}
	return { actions, staticExtras };
}
