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
	audit(actorId: string, action: 'monitor.start' | 'monitor.switch' | 'monitor.stop' | 'agent.pause' | 'agent.unpause', target: string, details: Record<string, unknown>): Promise<void>;
	/** dialplan context used to reach an outside number ("listen from anywhere") */
	outboundContext?: string;
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

export function createCommands(deps: CommandDeps): HubCommands {
	const outbound = deps.outboundContext ?? 'outbound';
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
		}
	};
}
