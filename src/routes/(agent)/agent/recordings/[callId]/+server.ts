/**
 * A call's recording, streamed with HTTP Range support so the <audio> element can seek. The role
 * and team check is `recordingFor`; the path check is `resolveRecording`. Both refusals answer 404
 * so nobody can probe which calls have recordings.
 */
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { recordingFor } from '$lib/server/recordings/access';
import { recordingsRoot, resolveRecording } from '$lib/server/recordings/files';
import { recordingResponse } from '$lib/server/recordings/serve';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const user = requireUser(event, 'agent');
	const callId = z.string().uuid().safeParse(event.params.callId);
	if (!callId.success) error(400, { message: 'Not a call id.', code: 'bad_request' });
	const { database, config } = await getServices();
	const stored = await recordingFor(database.db, user, callId.data);
	const found = stored ? await resolveRecording(recordingsRoot(config.dataDir), stored) : null;
	if (!found) error(404, { message: 'No recording for this call.', code: 'not_found' });
	// one audit row per listening, not per seek
	return recordingResponse(found, event.request.headers.get('range'), () =>
		audit(database.db, { actorId: user.id, action: 'recording.played', target: callId.data, ip: clientIp(event) })
	);
};
