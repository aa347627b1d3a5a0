import { error } from '@sveltejs/kit';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { audit } from '$lib/server/audit';
import { clientIp } from '$lib/server/auth/guard';
import { recordingOf } from '$lib/server/reports/calls';
import { reportContext } from '$lib/server/reports/route';
import type { RequestHandler } from './$types';

/**
 * A call's recording, for a viewer whose scope covers the call's agent; HTTP range requests so
 * the player can seek. Each playback start (a request from byte 0) is audited.
 */
export const GET: RequestHandler = async (event) => {
	if (!z.uuid().safeParse(event.params.callId).success) error(400, { message: 'The call id is not valid.' });
	const ctx = await reportContext(event);
	const file = await recordingOf(ctx.db, ctx.scope, event.params.callId);
	if (!file) error(404, { message: 'This call has no recording you may hear.' });
	let size: number;
	try {
		size = (await stat(file)).size;
	} catch {
		error(404, { message: 'The recording file is missing.' });
	}
	const range = /^bytes=(\d*)-(\d*)$/.exec(event.request.headers.get('range') ?? '');
	let start = 0;
	let end = size - 1;
	if (range) {
		start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
		end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
		if (start > end || start >= size) return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
	}
	if (start === 0)
		await audit(ctx.db, { actorId: ctx.viewer.id, action: 'export', target: event.params.callId, details: { kind: 'recording' }, ip: clientIp(event) });
	const body = Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>;
	return new Response(body, {
		status: range ? 206 : 200,
		headers: {
			'content-type': file.endsWith('.wav') ? 'audio/wav' : 'application/octet-stream',
			'content-length': String(end - start + 1),
			'accept-ranges': 'bytes',
			...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
			'cache-control': 'private, no-store'
		}
	});
};
