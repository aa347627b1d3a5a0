/**
 * Cockpit socket events (issue 5: operator control, raised hands, messages, the agent's coaching
 * notice, alerts, presence, shared notes). Registered on the hub's server next to the floor
 * handlers; every event is zod-validated and re-checks role and team scope here.
 *
 * Rooms: `user:<id>` (every socket: messages, coaching notice, project moves), `cockpit:team:<id>`
 * (supervisors of a team) and `cockpit:all` (managers, admins): alerts and notes go to the rooms
 * of their team; `presence:floor` (supervisors on the floor page). Emits use the adapter, so they
 * reach every node of a cluster; presence is read with `fetchSockets()` for the same reason.
 * The alert evaluator runs only where `isLeader()` holds.
 */
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type {
	AgentView,
	AlertRule,
	AlertView,
	ClientToServerEvents,
	CoachNotice,
	PresenceEntry,
	ServerToClientEvents,
	SocketUser
} from '../../src/lib/protocol';
import type { Db } from '../../src/lib/server/db';
import {
	openAlertKeys,
	openAlerts,
	raiseAlerts,
	updateAlert,
	type TeamScope
} from '../../src/lib/server/cockpit/alerts';
import {
	agentMessages,
	broadcastMessage,
	markRead,
	MESSAGE_MAX,
	sendMessage
} from '../../src/lib/server/cockpit/messages';
import { moveAgent, projectChoices } from '../../src/lib/server/cockpit/moves';
import {
	addAgentNote,
	agentNotes,
	noteAgent,
	NOTE_MAX,
	removeAgentNote
} from '../../src/lib/server/cockpit/notes';
import { teamSettings } from '../../src/lib/server/cockpit/settings';
import { alertKey, EMPTY_MEMORY, evaluateAlerts, type AlertMemory } from '../alerts/evaluate';
import { CommandError, failure, type Hub, type HubCommands, type SocketData } from './index';
import { canSupervise } from './scope';

type CockpitSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface CockpitDeps {
	db: Db;
	commands: Pick<HubCommands, 'hand' | 'logoff'>;
	/** this node runs the alert evaluator */
	isLeader(): boolean;
	now?: () => number;
	/** how often the leader evaluates the alert rules */
	evaluateEveryMs?: number;
	/** how often rules, notices and open alerts are re-read from the database */
	refreshEveryMs?: number;
	log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface Cockpit {
	/** evaluate the rules once now (the timer does it on its own; tests call it to skip the wait) */
	evaluate(): Promise<AlertView[]>;
	/** re-read rules and notices now */
	refresh(): Promise<void>;
	close(): void;
}

const id = z.string().uuid('an id');
const empty = z.object({}).strict();
/** control characters other than tab and newline */
function hasControl(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if ((c < 32 && c !== 9 && c !== 10) || c === 127) return true;
	}
	return false;
}
const body = (max: number) =>
	z
		.string()
		.trim()
		.min(1, 'required')
		.max(max, `at most ${max} characters`)
		.refine((s) => !hasControl(s), 'control characters are not allowed');
const schemas = {
	handLower: z.object({ agentId: id.optional() }),
	agent: z.object({ agentId: id }),
	move: z.object({ agentId: id, fromProjectId: id.nullable(), toProjectId: id }),
	send: z.object({ agentId: id, body: body(MESSAGE_MAX) }),
	broadcast: z.object({ teamId: id, body: body(MESSAGE_MAX) }),
	read: z.object({ messageId: id }),
	alert: z.object({ alertId: id }),
	watch: z.object({ teams: z.array(id).max(100) }),
	noteAdd: z.object({ agentId: id, body: body(NOTE_MAX) }),
	noteRemove: z.object({ noteId: id })
};

const ALL_ROOM = 'cockpit:all';
const PRESENCE_ROOM = 'presence:floor';
const teamRoom = (teamId: string) => `cockpit:team:${teamId}`;
const userRoom = (userId: string) => `user:${userId}`;

/** null = every team (managers, admins) */
function teamScope(user: SocketUser): TeamScope {
	return user.role === 'admin' || user.role === 'manager' ? null : user.teamIds;
}

function roomsOfTeams(teamIds: readonly (string | null)[]): string[] {
	return [ALL_ROOM, ...teamIds.filter((t): t is string => t !== null).map(teamRoom)];
}

/** The strongest coaching on an agent: barge over whisper; a silent listen is never shown. */
export function coachModeOf(
	monitors: Iterable<{ agentId: string; mode: string }>
): Map<string, 'whisper' | 'barge'> {
	const out = new Map<string, 'whisper' | 'barge'>();
	for (const m of monitors) {
		if (m.mode === 'barge') out.set(m.agentId, 'barge');
		else if (m.mode === 'whisper' && out.get(m.agentId) !== 'barge') out.set(m.agentId, 'whisper');
	}
	return out;
}

export function registerCockpit(
	hub: Pick<Hub, 'io' | 'mirror' | 'onApplied' | 'floorcharts'>,
	deps: CockpitDeps
): Cockpit {
	const { io, mirror } = hub;
	const { db } = deps;
	const now = deps.now ?? Date.now;

	// ── settings cache: rules per team, coaching notice per team ──
	let rules = new Map<string, readonly AlertRule[]>();
	let notices = new Map<string, string | null>();
	let openKeys = new Set<string>();
	let memory: AlertMemory = EMPTY_MEMORY;

	async function refresh(): Promise<void> {
		const settings = await teamSettings(db);
		rules = new Map(settings.map((s) => [s.teamId, s.rules]));
		notices = new Map(settings.map((s) => [s.teamId, s.coachNotice]));
		if (deps.isLeader()) openKeys = new Set((await openAlertKeys(db)).map(alertKey));
	}

	function noticeText(agent: Pick<AgentView, 'teamIds'> | undefined): string | null {
		for (const t of agent?.teamIds ?? []) {
			const text = notices.get(t);
			if (text) return text;
		}
		return null;
	}

	// ── coaching notice: follows the floor's monitors, sent to the agent's own sockets on this node ──
	let coached = new Map<string, 'whisper' | 'barge'>();
	function noticeFor(agentId: string): CoachNotice {
		const mode = coached.get(agentId) ?? null;
		return { active: mode !== null, mode, text: mode ? noticeText(mirror.agent(agentId)) : null };
	}
	hub.onApplied(() => {
		const next = coachModeOf(mirror.monitors);
		for (const agentId of new Set([...coached.keys(), ...next.keys()])) {
			if (coached.get(agentId) === next.get(agentId)) continue;
			const mode = next.get(agentId) ?? null;
			io.local
				.to(userRoom(agentId))
				.emit('coach:notice', {
					active: mode !== null,
					mode,
					text: mode ? noticeText(mirror.agent(agentId)) : null
				});
		}
		coached = next;
	});

	// ── alerts: evaluated on the leader ──
	let evaluating = false;
	async function evaluate(): Promise<AlertView[]> {
		if (!deps.isLeader() || evaluating) return [];
		evaluating = true;
		try {
			// lead counts come from the live charts' state, read once by the leader for all viewers
			const floor = {
				agents: mirror.agents,
				queues: mirror.queues,
				pbx: mirror.pbx,
				projects: hub.floorcharts.state().projects
			};
			const result = evaluateAlerts(floor, rules, memory, now());
			memory = result.memory;
			const fresh = result.wanted.filter((w) => !openKeys.has(alertKey(w)));
			if (!fresh.length) return [];
			const raised = await raiseAlerts(db, fresh, new Date(now()));
			for (const w of fresh) openKeys.add(alertKey(w));
			for (const a of raised) io.to(roomsOfTeams([a.teamId])).emit('alert:raised', a);
			return raised;
		} finally {
			evaluating = false;
		}
	}
	const evaluateTimer = setInterval(() => {
		evaluate().catch((err: unknown) => deps.log?.error({ err }, 'alert evaluation failed'));
	}, deps.evaluateEveryMs ?? 5_000);
	evaluateTimer.unref();
	const refreshTimer = setInterval(() => {
		refresh().catch((err: unknown) => deps.log?.warn({ err }, 'cockpit settings refresh failed'));
	}, deps.refreshEveryMs ?? 10_000);
	refreshTimer.unref();
	void refresh().catch((err: unknown) => deps.log?.warn({ err }, 'cockpit settings load failed'));

	// ── presence ──
	async function presence(): Promise<PresenceEntry[]> {
		const sockets = await io.in(PRESENCE_ROOM).fetchSockets();
		const byUser = new Map<string, PresenceEntry>();
		for (const s of sockets) {
			const { user, presence: p } = s.data;
			if (!p) continue;
			const entry = byUser.get(user.id) ?? { userId: user.id, name: user.name, role: user.role, teams: [] };
			entry.teams = [...new Set([...entry.teams, ...p.teams])].sort();
			byUser.set(user.id, entry);
		}
		return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name));
	}
	async function announcePresence(): Promise<void> {
		io.to(PRESENCE_ROOM).emit('presence:update', await presence());
	}

	io.on('connection', (socket: CockpitSocket) => {
		const user = socket.data.user;
		const isAgent = user.role === 'agent';
		void socket.join(userRoom(user.id));
		if (!isAgent) {
			const scope = teamScope(user);
			void socket.join(scope === null ? [ALL_ROOM] : scope.map(teamRoom));
		} else if (coached.has(user.id)) {
			socket.emit('coach:notice', noticeFor(user.id));
		}

		const requireSupervisor = () => {
			if (isAgent) throw new CommandError('forbidden', 'supervisors only');
		};
		const requireAgent = () => {
			if (!isAgent) throw new CommandError('forbidden', 'agents only');
		};
		/** the agent is on the floor and in the user's teams */
		const supervised = (agentId: string): AgentView => {
			requireSupervisor();
			const agent = mirror.agent(agentId);
			if (!agent) throw new CommandError('not_found', 'no such agent on the floor');
			if (!canSupervise(user, agent)) throw new CommandError('forbidden', 'this agent is not in your teams');
			return agent;
		};

		/** One handler shape for every event: validate, run, ack; errors become specific acks. */
		function on<T>(event: keyof ClientToServerEvents, run: (request: unknown) => Promise<T>): void {
			(socket.on as (e: string, l: (request: unknown, ack: unknown) => void) => void)(
				event,
				(request, ack) => {
					if (typeof ack !== 'function') return;
					run(request).then(
						(data) => ack({ ok: true, data: data ?? null }),
						(err: unknown) => {
							if (!(err instanceof CommandError) && !(err instanceof z.ZodError))
								deps.log?.error({ err, event }, 'cockpit command failed');
							ack(failure(err));
						}
					);
				}
			);
		}

		// ── raised hand ──
		on('hand:raise', async (request) => {
			empty.parse(request ?? {});
			requireAgent();
			await deps.commands.hand(user, user.id, true);
		});
		on('hand:lower', async (request) => {
			const { agentId } = schemas.handLower.parse(request ?? {});
			const target = agentId ?? user.id;
			if (target !== user.id) supervised(target);
			else requireAgent();
			await deps.commands.hand(user, target, false);
		});

		// ── operator control ──
		on('agent:logoff', async (request) => {
			const { agentId } = schemas.agent.parse(request);
			supervised(agentId);
			return deps.commands.logoff(user, agentId);
		});
		on('agent:projects', async (request) => {
			const { agentId } = schemas.agent.parse(request);
			supervised(agentId);
			return projectChoices(db, agentId, teamScope(user));
		});
		on('agent:move', async (request) => {
			const { agentId, fromProjectId, toProjectId } = schemas.move.parse(request);
			supervised(agentId);
			const result = await moveAgent(
				db,
				{ id: user.id, teams: teamScope(user) },
				agentId,
				fromProjectId,
				toProjectId
			);
			if (!result.ok)
				throw new CommandError(
					result.reason,
					result.reason === 'forbidden' ? 'that project is not one of your teams' : 'no such project'
				);
			io.to(userRoom(agentId)).emit('project:moved', {
				projectId: result.project.id,
				projectName: result.project.name
			});
			return null;
		});

		// ── messages ──
		on('message:send', async (request) => {
			const { agentId, body: text } = schemas.send.parse(request);
			supervised(agentId);
			const message = await sendMessage(db, user.id, agentId, text);
			io.to(userRoom(agentId)).emit('message:received', message);
			return { id: message.id };
		});
		on('message:broadcast', async (request) => {
			const { teamId, body: text } = schemas.broadcast.parse(request);
			requireSupervisor();
			const scope = teamScope(user);
			if (scope !== null && !scope.includes(teamId))
				throw new CommandError('forbidden', 'this is not one of your teams');
			const copies = await broadcastMessage(db, user.id, teamId, text);
			for (const [agentId, message] of copies) io.to(userRoom(agentId)).emit('message:received', message);
			return { sent: copies.size };
		});
		on('message:list', async (request) => {
			empty.parse(request ?? {});
			requireAgent();
			return agentMessages(db, user.id);
		});
		on('message:read', async (request) => {
			const { messageId } = schemas.read.parse(request);
			requireAgent();
			if (!(await markRead(db, user.id, [messageId])))
				throw new CommandError('not_found', 'no such unread message of yours');
			return null;
		});

		// ── alerts ──
		on('alert:list', async (request) => {
			empty.parse(request ?? {});
			requireSupervisor();
			return openAlerts(db, teamScope(user));
		});
		const alertAction = (action: 'claim' | 'resolve') => async (request: unknown) => {
			const { alertId } = schemas.alert.parse(request);
			requireSupervisor();
			const result = await updateAlert(db, { id: user.id, teams: teamScope(user) }, alertId, action);
			if (!result.ok) {
				const messages = {
					not_found: 'no such alert',
					forbidden: 'this alert is not about your teams',
					resolved: 'this alert is already resolved',
					claimed: 'someone else claimed this alert first'
				} as const;
				throw new CommandError(
					result.reason === 'not_found'
						? 'not_found'
						: result.reason === 'forbidden'
							? 'forbidden'
							: 'bad_request',
					messages[result.reason]
				);
			}
			io.to(roomsOfTeams([result.alert.teamId])).emit('alert:updated', result.alert);
			return result.alert;
		};
		on('alert:claim', alertAction('claim'));
		on('alert:resolve', alertAction('resolve'));

		// ── presence ──
		on('presence:watch', async (request) => {
			const { teams } = schemas.watch.parse(request);
			requireSupervisor();
			const scope = teamScope(user);
			socket.data.presence = { teams: scope === null ? teams : teams.filter((t) => scope.includes(t)) };
			await socket.join(PRESENCE_ROOM);
			await announcePresence();
			return presence();
		});
		socket.on('disconnect', () => {
			if (socket.data.presence) void announcePresence().catch(() => undefined);
		});

		// ── notes pinned on agents ──
		on('note:list', async (request) => {
			empty.parse(request ?? {});
			requireSupervisor();
			const visible = [...mirror.agents].filter((a) => canSupervise(user, a)).map((a) => a.id);
			return agentNotes(db, visible);
		});
		on('note:add', async (request) => {
			const { agentId, body: text } = schemas.noteAdd.parse(request);
			const agent = supervised(agentId);
			const note = await addAgentNote(db, user.id, agentId, text);
			io.to(roomsOfTeams(agent.teamIds)).emit('note:added', note);
			return note;
		});
		on('note:remove', async (request) => {
			const { noteId } = schemas.noteRemove.parse(request);
			requireSupervisor();
			const agentId = await noteAgent(db, noteId);
			if (!agentId) throw new CommandError('not_found', 'no such note');
			const agent = supervised(agentId);
			await removeAgentNote(db, user.id, noteId);
			io.to(roomsOfTeams(agent.teamIds)).emit('note:removed', { id: noteId, agentId });
			return null;
		});
	});

	return {
		evaluate,
		refresh,
		close() {
			clearInterval(evaluateTimer);
			clearInterval(refreshTimer);
		}
	};
}
