/**
 * Live lead-import progress on the hub: a manager (or admin) viewing a project's import joins that
 * project's room with `import:watch`; every batch an import commits in this process is sent there
 * as `import:progress` (through the adapter, so viewers on other nodes get it too).
 */
import { z } from 'zod';
import { onImportProgress } from '../../src/lib/server/leads/runs';
import type { HubServer } from './index';

const watchSchema = z.object({ projectId: z.string().uuid() });

export function importRoom(projectId: string): string {
	return `imports:${projectId}`;
}

/** Registers the handlers and the progress feed; returns the detach for `close()`. */
export function attachImports(io: HubServer): () => void {
	io.on('connection', (socket) => {
		let room: string | null = null;
		socket.on('import:watch', (request, ack) => {
			if (typeof ack !== 'function') return;
			const user = socket.data.user;
			if (user.role !== 'manager' && user.role !== 'admin') {
				ack({ ok: false, error: { code: 'forbidden', message: 'only managers follow imports' } });
				return;
			}
			const parsed = watchSchema.safeParse(request);
			if (!parsed.success) {
				ack({ ok: false, error: { code: 'bad_request', message: 'projectId: expected a project id (uuid)' } });
				return;
			}
			if (room) void socket.leave(room);
			room = importRoom(parsed.data.projectId);
			void socket.join(room);
			ack({ ok: true, data: null });
		});
	});
	return onImportProgress((event) => {
		io.to(importRoom(event.projectId)).emit('import:progress', event);
	});
}
