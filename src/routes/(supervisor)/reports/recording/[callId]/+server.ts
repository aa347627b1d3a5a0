import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp } from '$lib/server/auth/guard';
import { serveRecording } from '$lib/server/recordings/serve';
import { recordingOf } from '$lib/server/reports/calls';
import { reportContext } from '$lib/server/reports/route';
import type { RequestHandler } from './$types';

/**
 * A call's recording, for a viewer whose scope covers the call's agent; served like the agent's
 * (serveRecording: inside DATA_DIR/recordings only, one byte range for seeking). Each playback
 * start (a request from byte 0) is audited as an export.
 */
export const GET: RequestHandler = async (event) => {
	if (!z.uuid().safeParse(event.params.callId).success) error(400, { message: 'The call id is not valid.' });
	const ctx = await reportContext(event);
	const { config } = await getServices();
	const stored = await recordingOf(ctx.db, ctx.scope, event.params.callId);
	return serveRecording(config.dataDir, stored, event.request.headers.get('range'), () =>
		audit(ctx.db, {
			actorId: ctx.viewer.id,
			action: 'export',
			target: event.params.callId,
			details: { kind: 'recording' },
			ip: clientIp(event)
		})
	);
};
