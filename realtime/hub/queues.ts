/**
 * Inbound queue control from the board: a supervisor adds or removes an agent of their teams
 * from a managed queue or changes the penalty. Validated and scoped here; the leader stores the
 * override (audited) and applies it to the PBX.
 */
import { z } from 'zod';
import type { AgentView, SocketUser } from '../../src/lib/protocol';
import { memberChangeSchema } from '../../src/lib/server/inbound/repo';
import { CommandError, failure, type HubCommands, type HubSocket } from './index';

const requestSchema = z.object({
	agentId: z.string().min(1),
	queue: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a queue name'),
	change: memberChangeSchema
});

export function registerQueueHandlers(
	socket: HubSocket,
	ctx: { user: SocketUser; supervisedAgent(user: SocketUser, agentId: string): AgentView; commands: HubCommands }
): void {
	const { user } = ctx;
	socket.on('queue:member', async (request, ack) => {
		if (typeof ack !== 'function') return;
		try {
			if (user.role === 'agent') throw new CommandError('forbidden', 'supervisors only');
			const parsed = requestSchema.parse(request);
			ctx.supervisedAgent(user, parsed.agentId);
			await ctx.commands.queueMember(user, parsed);
			ack({ ok: true, data: null });
		} catch (err) {
			ack(failure(err));
		}
	});
}
