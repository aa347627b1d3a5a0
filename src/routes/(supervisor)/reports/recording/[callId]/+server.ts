import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp } from '$lib/server/auth/guard';
import { recordingsRoot, resolveRecording } from '$lib/server/recordings/files';
import { recordingResponse } from '$lib/server/recordings/serve';
import { recordingOf } from '$lib/server/reports/calls';
import { reportContext } from '$lib/server/reports/route';
import type { RequestHandler } from './$types';

/**
 * A call's recording, for a viewer whose scope covers the call's agent; HTTP range requests so
 * the player can seek. The stored path is resolved inside DATA_DIR/recordings (symlinks included,
 * as for the agent's player): a path that leaves it answers 404 like a call without recording.
 * Each playback start (a request from byte 0) is audited.
 */
export const GET: RequestHandler = async (event) => {
	if (!z.uuid().safeParse(event.params.callId).success) error(400, { message: 'The call id is not valid.' });
	const ctx = await reportContext(event);
	const stored = await recordingOf(ctx.db, ctx.scope, event.params.callId);
	const { config } = await getServices();
	const found = stored ? await resolveRecording(recordingsRoot(config.dataDir), stored) : null;
	if (!found) error(404, { message: 'This call has no recording you may hear.' });
	return recordingResponse(found, event.request.headers.get('range'), () =>
		audit(ctx.db, { actorId: ctx.viewer.id, action: 'export', target: event.params.callId, details: { kind: 'recording' }, ip: clientIp(event) })
	);
};
