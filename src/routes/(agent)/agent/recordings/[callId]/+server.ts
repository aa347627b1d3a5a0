/**
 * A call's recording, streamed with HTTP Range support so the <audio> element can seek. The role
 * and team check is `recordingFor`; the path check is `resolveRecording`. Both refusals answer 404
 * so nobody can probe which calls have recordings.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { recordingFor } from '$lib/server/recordings/access';
import { recordingsRoot, resolveRecording } from '$lib/server/recordings/files';
import { audioType, parseRange } from '$lib/server/recordings/range';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const user = requireUser(event, 'agent');
	const callId = z.string().uuid().safeParse(event.params.callId);
	if (!callId.success) error(400, { message: 'Not a call id.', code: 'bad_request' });
	const { database, config } = await getServices();
	const stored = await recordingFor(database.db, user, callId.data);
	const found = stored ? await resolveRecording(recordingsRoot(config.dataDir), stored) : null;
	if (!found) error(404, { message: 'No recording for this call.', code: 'not_found' });

	const range = parseRange(event.request.headers.get('range'), found.size);
	const headers: Record<string, string> = {
		'content-type': audioType(found.file),
		'accept-ranges': 'bytes',
		'cache-control': 'private, no-store'
	};
	if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${found.size}` } });
	const start = range.kind === 'partial' ? range.start : 0;
	const end = range.kind === 'partial' ? range.end : found.size - 1;
	// one audit row per listening, not per seek: the first request starts at byte 0
	if (start === 0) await audit(database.db, { actorId: user.id, action: 'recording.played', target: callId.data, ip: clientIp(event) });
	if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${found.size}`;
	headers['content-length'] = String(found.size === 0 ? 0 : end - start + 1);
	const body = found.size === 0 ? null : (Readable.toWeb(createReadStream(found.file, { start, end })) as ReadableStream<Uint8Array>);
	return new Response(body, { status: range.kind === 'partial' ? 206 : 200, headers });
};
