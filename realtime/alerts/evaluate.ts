/**
 * Which alerts the live floor calls for now: a pure function of the floor, the teams' rules, the
 * time, and a small memory of what was seen before (when each agent last connected, their dial
 * counter over the last hour). No I/O: the leader calls it on a timer, persistence dedupes on
 * (kind, subject, team) so an alert stays one open row until a supervisor resolves it.
 */
import type {
	AgentView,
	AlertKind,
	AlertRule,
	PbxLinkView,
	ProjectProgressView,
	QueueView
} from '../../src/lib/protocol';
import { completeRules } from '../../src/lib/cockpit/alert-rules';
import { etaToExhaustion, PACE_WINDOW_MS, remaining } from '../../src/lib/floorcharts/progress';

export interface AlertFloor {
	agents: Iterable<AgentView>;
	queues: Iterable<QueueView>;
	pbx: Iterable<PbxLinkView>;
	/** lead counts per project over the day, as the live charts sample them (no database read here) */
	projects?: Iterable<ProjectProgressView>;
}

export interface WantedAlert {
	kind: AlertKind;
	subject: string;
	subjectName: string;
	teamId: string;
	details: Record<string, number | string>;
}

interface AgentMemory {
	connects: number;
	/** last time a connect was seen (or first time the agent was seen) */
	connectAt: number;
	/** (time, dials today) at most one per SAMPLE_MS, oldest first, spanning a little over an hour */
	samples: readonly { at: number; dials: number }[];
}

export interface AlertMemory {
	agents: ReadonlyMap<string, AgentMemory>;
}

export const EMPTY_MEMORY: AlertMemory = { agents: new Map() };

const HOUR = 3_600_000;
const SAMPLE_MS = 60_000;

function remember(prev: AgentMemory | undefined, agent: AgentView, now: number): AgentMemory {
	const connected = agent.call?.answeredAt != null;
	let connectAt = prev?.connectAt ?? now;
	if (connected || (prev && agent.today.connects > prev.connects)) connectAt = now;
	let samples = prev?.samples ?? [];
	const last = samples[samples.length - 1];
	// the counters start over at midnight: so does the hour's history
	if (last && agent.today.dials < last.dials) samples = [];
	if (!samples.length || now - samples[samples.length - 1]!.at >= SAMPLE_MS) {
		samples = [...samples, { at: now, dials: agent.today.dials }];
	}
	// keep the newest sample that is at least an hour old, and everything after it
	let drop = 0;
	while (drop + 1 < samples.length && now - samples[drop + 1]!.at >= HOUR) drop++;
	if (drop) samples = samples.slice(drop);
	return { connects: agent.today.connects, connectAt, samples };
}

/** Dials over the last hour, or null while less than an hour has been watched. */
function dialsLastHour(mem: AgentMemory, agent: AgentView, now: number): number | null {
	const first = mem.samples[0];
	if (!first || now - first.at < HOUR) return null;
	return agent.today.dials - first.dials;
}

const minutes = (ms: number) => Math.floor(ms / 60_000);
const seconds = (ms: number) => Math.floor(ms / 1000);

export function evaluateAlerts(
	floor: AlertFloor,
	rulesByTeam: ReadonlyMap<string, readonly AlertRule[]>,
	memory: AlertMemory,
	now: number
): { wanted: WantedAlert[]; memory: AlertMemory } {
	const wanted: WantedAlert[] = [];
	const agents = new Map<string, AgentMemory>();
	const enabled = (teamId: string, kind: AlertKind): AlertRule | null => {
		const rule = completeRules(rulesByTeam.get(teamId)).find((r) => r.kind === kind)!;
		return rule.enabled ? rule : null;
	};

	for (const agent of floor.agents) {
		const mem = remember(memory.agents.get(agent.id), agent, now);
		agents.set(agent.id, mem);
		if (agent.state === 'offline') continue;
		for (const teamId of agent.teamIds) {
			const base = { subject: agent.id, subjectName: agent.name, teamId };
			const paused = enabled(teamId, 'paused_too_long');
			if (paused && agent.state === 'paused' && now - agent.since >= paused.threshold * 60_000) {
				wanted.push({
					...base,
					kind: 'paused_too_long',
					details: { minutes: minutes(now - agent.since), reason: agent.pauseReason ?? '' }
				});
			}
			const silent = enabled(teamId, 'no_connect');
			if (silent && agent.state !== 'paused' && now - mem.connectAt >= silent.threshold * 60_000) {
				wanted.push({ ...base, kind: 'no_connect', details: { minutes: minutes(now - mem.connectAt) } });
			}
			const intensity = enabled(teamId, 'low_intensity');
			const dials = intensity ? dialsLastHour(mem, agent, now) : null;
			if (intensity && dials !== null && agent.state !== 'paused' && dials < intensity.threshold) {
				wanted.push({
					...base,
					kind: 'low_intensity',
					details: { perHour: dials, target: intensity.threshold }
				});
			}
		}
	}

	for (const teamId of rulesByTeam.keys()) {
		const down = enabled(teamId, 'pbx_down');
		if (down) {
			for (const link of floor.pbx) {
				if (!link.connected && now - link.since >= down.threshold * 1000) {
					wanted.push({
						kind: 'pbx_down',
						subject: `pbx:${link.name}`,
						subjectName: link.name,
						teamId,
						details: { seconds: seconds(now - link.since) }
					});
				}
			}
		}
		const waiting = enabled(teamId, 'caller_waiting');
		if (waiting) {
			for (const queue of floor.queues) {
				if (queue.longestSince !== null && now - queue.longestSince >= waiting.threshold * 1000) {
					wanted.push({
						kind: 'caller_waiting',
						subject: `queue:${queue.id}`,
						subjectName: queue.name,
						teamId,
						details: { seconds: seconds(now - queue.longestSince), waiting: queue.waiting }
					});
				}
			}
		}
	}
	for (const project of floor.projects ?? []) {
		// a project without a team has no team rule to apply
		if (project.teamId === null) continue;
		const exhausting = enabled(project.teamId, 'list_exhausting');
		const left = exhausting ? minutesToExhaustion(project, now) : null;
		if (exhausting && left !== null && left < exhausting.threshold) {
			const eta = etaToExhaustion(project.points);
			wanted.push({
				kind: 'list_exhausting',
				subject: `project:${project.projectId}`,
				subjectName: project.name,
				teamId: project.teamId,
				details: { minutes: Math.max(0, Math.floor(left)), remaining: eta.remaining, perHour: Math.round(eta.perHour) }
			});
		}
	}
	return { wanted, memory: { agents } };
}

/**
 * Minutes until the project's callable leads run out at the pace of the last hour, or null when
 * they are not running out: no pace (fewer than two samples, a list that grows or stands still),
 * or a list that was already empty through the whole pace window (an idle project, not a floor
 * that is about to run dry).
 */
function minutesToExhaustion(project: ProjectProgressView, now: number): number | null {
	const eta = etaToExhaustion(project.points);
	if (eta.at === null) return null;
	if (eta.remaining === 0) {
		const last = project.points[project.points.length - 1]!;
		const ranOutRecently = project.points.some((p) => p.t >= last.t - PACE_WINDOW_MS && remaining(p.counts) > 0);
		return ranOutRecently ? 0 : null;
	}
	return (eta.at - now) / 60_000;
}

/** The dedupe key: one open alert per rule (kind + team) and subject. */
export function alertKey(a: { kind: string; subject: string; teamId: string | null }): string {
	return `${a.kind}|${a.subject}|${a.teamId ?? ''}`;
}
