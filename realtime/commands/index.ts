/**
 * Floor commands turned into AMI actions, run on the node that holds the AMI links (the leader).
 * The hub has already checked role and scope; this layer resolves agents to endpoints, keeps
 * the monitor bookkeeping the PBX cannot report (the spy mode), and audits every action.
 */
import { randomUUID } from 'node:crypto';
import type { MonitorMode, RingTo, SocketUser } from '../../src/lib/protocol';
import type { AmiClient } from '../ami/client';
import type { FloorInput, DirectoryAgent } from '../state';
import { CommandError, type HubCommands } from '../hub';

/** ChanSpy options per mode; `d` lets DTMF 4/5/6 switch listen/whisper/barge mid-call, `E` ends with the call. */
export const SPY_OPTIONS: Record<MonitorMode, string> = { listen: 'qdE', whisper: 'qwdE', barge: 'qBdE' };
export const SPY_DTMF: Record<MonitorMode, string> = { listen: '4', whisper: '5', barge: '6' };

export interface CommandDeps {
	link(pbx: string): AmiClient | undefined;
	directory(): ReadonlyMap<string, DirectoryAgent>;
	/** the supervisor's own endpoint and mobile, from the users table */
	supervisorPhones(userId: string): Promise<{ endpoint: string | null; mobile: string | null }>;
	/** the live monitor as the floor shows it (spyer channel, agent) */
	monitor(monitorId: string): { agentId: string; spyerChannel: string; mode: MonitorMode } | undefined;
	input(input: FloorInput): void;
	audit(actorId: string, action: 'monitor.start' | 'monitor.switch' | 'monitor.stop' | 'agent.pause' | 'agent.unpause' | 'agent.logoff', target: string, details: Record<string, unknown>): Promise<void>;
	/** dialplan context used to reach an outside number ("listen from anywhere") */
	outboundContext?: string;
	/** click-to-call: the claim, phone and project behind a dial request (throws CommandError when refused) */
	dialTarget?(agentId: string, leadId: string, phoneId: string): Promise<DialTarget>;
	/** the agent's live call as the floor shows it */
	agentCall?(agentId: string): { callId: string | null } | null;
	/** a person works this endpoint now (the built-in simulator stops driving it as a bot); true when it was a bot */
	humanAt?(endpoint: string): boolean;
}

export interface DialTarget {
	projectId: string;
	/** E.164 */
	e164: string;
	outboundContext: string;
	callerId: string | null;
	/** the lead's company (shown on the wall-board tile while the call lasts) */
	company: string | null;
}

const CONTEXT = /^[A-Za-z0-9_.-]{1,80}$/;
const DIGITS = /^[0-9]{3,20}$/;

/**
 * Free text made safe as an Originate `Variable` value: Asterisk splits a Variable header on commas
 * (so a comma becomes U+201A, which reads the same), and a CR or LF would end the AMI header and let
 * an imported company name inject headers, so control characters become spaces; capped at 80.
 */
export function channelVarText(text: string): string {
	return text
		.replace(/,/g, '\u201a')
		// eslint-disable-next-line no-control-regex -- matching control characters is the point
		.replace(/[\u0000-\u001f\u007f]+/g, ' ')
		.trim()
		.slice(0, 80);
}

/** `/^PJSIP\/1001-/`: every channel of an endpoint, for the Hangup action */
export function channelsOf(endpoint: string): string {
	return `/^${endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\//g, '\\/')}-/`;
}

function agentOrThrow(deps: CommandDeps, agentId: string): DirectoryAgent {
	const agent = deps.directory().get(agentId);
	if (!agent) throw new CommandError('not_found', 'this agent has no phone endpoint');
	return agent;
}

function linkOrThrow(deps: CommandDeps, pbx: string): AmiClient {
	const link = deps.link(pbx);
	if (!link?.connected) throw new CommandError('unavailable', `the PBX link ${pbx} is down`);
	return link;
}

async function expectSuccess(reply: Promise<Record<string, string | string[]>>, what: string): Promise<void> {
	const response = await reply;
	if (response.Response !== 'Success') throw new CommandError('unavailable', `${what}: ${String(response.Message ?? 'refused by the PBX')}`);
}

export function createCommands(deps: CommandDeps): Omit<HubCommands, 'queueMember'> {
	const outbound = deps.outboundContext ?? 'outbound';
	/** calls this node originated: callId → agent (hang-up ownership); pruned after an hour */
	const placed = new Map<string, { agentId: string; at: number }>();
	return {
		async pause(actor: SocketUser, agentId: string, reason: string) {
			const agent = agentOrThrow(deps, agentId);
			const link = linkOrThrow(deps, agent.pbx);
			await expectSuccess(link.action({ Action: 'QueuePause', Interface: agent.endpoint, Paused: 'true', Reason: reason }), 'pause');
			await deps.audit(actor.id, 'agent.pause', agentId, { reason });
		},
		async unpause(actor: SocketUser, agentId: string) {
			const agent = agentOrThrow(deps, agentId);
			const link = linkOrThrow(deps, agent.pbx);
			await expectSuccess(link.action({ Action: 'QueuePause', Interface: agent.endpoint, Paused: 'false' }), 'unpause');
			await deps.audit(actor.id, 'agent.unpause', agentId, {});
		},
		async monitorStart(actor: SocketUser, agentId: string, mode: MonitorMode, ringTo: RingTo) {
			const agent = agentOrThrow(deps, agentId);
			const link = linkOrThrow(deps, agent.pbx);
			const phones = await deps.supervisorPhones(actor.id);
			let channel: string;
			if (ringTo === 'endpoint') {
				if (!phones.endpoint) throw new CommandError('bad_request', 'you have no phone endpoint; ring your mobile or a number');
				channel = phones.endpoint;
			} else if (ringTo === 'mobile') {
				if (!phones.mobile) throw new CommandError('bad_request', 'you have no mobile number on your profile');
				channel = `Local/${phones.mobile.replace(/^\+/, '')}@${outbound}`;
			} else {
				channel = `Local/${ringTo.number.replace(/^\+/, '')}@${outbound}`;
			}
			const monitorId = randomUUID();
			deps.input({
				type: 'monitorRequested',
				pbx: agent.pbx,
				monitorId,
				agentId,
				supervisorId: actor.id,
				supervisorName: actor.name,
				mode,
				spyerEndpoint: channel
			});
			await expectSuccess(
				link.action({
					Action: 'Originate',
					Channel: channel,
					Application: 'ChanSpy',
					Data: `${agent.endpoint}-,${SPY_OPTIONS[mode]}`,
					CallerID: `"Switchboard monitor" <${agent.endpoint.split('/').pop() ?? ''}>`,
					Async: 'true',
					Timeout: 30_000,
					Variable: [`SB_MONITOR=${monitorId}`]
				}),
				'monitor'
			);
			await deps.audit(actor.id, 'monitor.start', agentId, { monitorId, mode, ringTo: typeof ringTo === 'string' ? ringTo : 'number' });
			return { monitorId };
		},
		async monitorSwitch(actor: SocketUser, monitorId: string, mode: MonitorMode) {
			const monitor = deps.monitor(monitorId);
			if (!monitor) throw new CommandError('not_found', 'no such monitoring session');
			const agent = agentOrThrow(deps, monitor.agentId);
			const link = linkOrThrow(deps, agent.pbx);
			await expectSuccess(
				link.action({ Action: 'PlayDTMF', Channel: monitor.spyerChannel, Digit: SPY_DTMF[mode], Receive: 'true' }),
				'switch'
			);
			// No AMI event reports the spy mode: the floor records the mode we set.
			deps.input({ type: 'monitorMode', monitorId, mode });
			await deps.audit(actor.id, 'monitor.switch', monitor.agentId, { monitorId, from: monitor.mode, to: mode });
		},
		async monitorStop(actor: SocketUser, monitorId: string) {
			const monitor = deps.monitor(monitorId);
			if (!monitor) throw new CommandError('not_found', 'no such monitoring session');
			const agent = agentOrThrow(deps, monitor.agentId);
			const link = linkOrThrow(deps, agent.pbx);
			await expectSuccess(link.action({ Action: 'Hangup', Channel: monitor.spyerChannel }), 'stop');
			await deps.audit(actor.id, 'monitor.stop', monitor.agentId, { monitorId });
		},
		async dial(actor: SocketUser, leadId: string, phoneId: string) {
			if (!deps.dialTarget) throw new CommandError('unavailable', 'click-to-call is not configured');
			const agent = agentOrThrow(deps, actor.id);
			const link = linkOrThrow(deps, agent.pbx);
			// a call of ours still up (a bot's call on a demo phone is hung up by humanAt below)
			if (deps.agentCall?.(actor.id)?.callId) throw new CommandError('bad_request', 'you are already on a call');
			const target = await deps.dialTarget(actor.id, leadId, phoneId);
			const digits = target.e164.replace(/^\+/, '');
			if (!DIGITS.test(digits)) throw new CommandError('bad_request', 'this phone number cannot be dialled');
			if (!CONTEXT.test(target.outboundContext)) throw new CommandError('unavailable', 'the project has no valid outbound context');
			const callerId = target.callerId && DIGITS.test(target.callerId.replace(/^\+/, '')) ? target.callerId : null;
			// a demo phone the simulator drove as a bot: end the bot's call (the AMI link is ordered,
			// so the phone is free when the Originate below arrives); never a real person's call
			if (deps.humanAt?.(agent.endpoint))
				await link.action({ Action: 'Hangup', Channel: channelsOf(agent.endpoint) }).catch(() => undefined);
			const callId = randomUUID();
			const now = Date.now();
			for (const [id, p] of placed) if (now - p.at > 3_600_000) placed.delete(id);
			placed.set(callId, { agentId: actor.id, at: now });
			// Async: the agent's phone rings first; answered, it dials the customer through the
			// project's outbound context. Our ids ride along as channel variables (DESIGN §1, §4).
			await expectSuccess(
				link.action({
					Action: 'Originate',
					Channel: agent.endpoint,
					Context: target.outboundContext,
					Exten: digits,
					Priority: '1',
					...(callerId ? { CallerID: `<${callerId}>` } : {}),
					Async: 'true',
					Timeout: 30_000,
					Variable: [
						`SB_CALL=${callId}`,
						`SB_LEAD=${leadId}`,
						`SB_PROJECT=${target.projectId}`,
						`SB_REC=${callId}.wav`,
						...(target.company ? [`SB_COMPANY=${channelVarText(target.company)}`] : [])
					]
				}),
				'dial'
			);
			return { callId };
		},
		async hand(_actor: SocketUser, agentId: string, raised: boolean) {
			agentOrThrow(deps, agentId);
			deps.input({ type: 'hand', agentId, raised });
		},
		async logoff(actor: SocketUser, agentId: string) {
			const agent = agentOrThrow(deps, agentId);
			const link = linkOrThrow(deps, agent.pbx);
			// the PBX knows the memberships: QueueMember items name the member by Location (or Name)
			const status = await link.actionList({ Action: 'QueueStatus' });
			const queues = new Set<string>();
			for (const item of status.items) {
				if (item.Event !== 'QueueMember') continue;
				const member = String(item.Location ?? item.Name ?? '');
				if (member === agent.endpoint && typeof item.Queue === 'string') queues.add(item.Queue);
			}
			for (const queue of queues) {
				await expectSuccess(link.action({ Action: 'QueueRemove', Queue: queue, Interface: agent.endpoint }), 'log off');
			}
			await deps.audit(actor.id, 'agent.logoff', agentId, { queues: [...queues] });
			return { queues: queues.size };
		},
		async hangup(actor: SocketUser, callId: string) {
			const agent = agentOrThrow(deps, actor.id);
			const mine = placed.get(callId)?.agentId === actor.id || deps.agentCall?.(actor.id)?.callId === callId;
			if (!mine) throw new CommandError('forbidden', 'this is not your call');
			const link = linkOrThrow(deps, agent.pbx);
			await expectSuccess(link.action({ Action: 'Hangup', Channel: channelsOf(agent.endpoint) }), 'hang up');
		}
	};
}
