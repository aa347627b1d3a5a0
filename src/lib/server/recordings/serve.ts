/**
 * The HTTP answer for a call's recording, shared by every route that plays one (the agent's lead
 * history, the reports' drill-down): the stored path must resolve inside DATA_DIR/recordings
 * (resolveRecording), one byte range is served so the <audio> element can seek (parseRange), and
 * `onPlay` runs once per listening — on the request that starts at byte 0, not on every seek.
 * A missing or refused file answers 404, like a call the viewer may not hear, so nobody can probe.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { error } from '@sveltejs/kit';
import { recordingsRoot, resolveRecording } from './files';
import { audioType, parseRange } from './range';

export async function serveRecording(
	dataDir: string,
	stored: string | null,
	rangeHeader: string | null,
	onPlay: () => Promise<void>
): Promise<Response> {
	const found = stored ? await resolveRecording(recordingsRoot(dataDir), stored) : null;
	if (!found) error(404, { message: 'No recording for this call.', code: 'not_found' });

	const range = parseRange(rangeHeader, found.size);
	const headers: Record<string, string> = {
		'content-type': audioType(found.file),
		'accept-ranges': 'bytes',
		'cache-control': 'private, no-store'
	};
	if (range.kind === 'unsatisfiable')
		return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${found.size}` } });
	const start = range.kind === 'partial' ? range.start : 0;
	const end = range.kind === 'partial' ? range.end : found.size - 1;
	if (start === 0) await onPlay();
	if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${found.size}`;
	headers['content-length'] = String(found.size === 0 ? 0 : end - start + 1);
	const body =
		found.size === 0 ? null : (Readable.toWeb(createReadStream(found.file, { start, end })) as ReadableStream<Uint8Array>);
	return new Response(body, { status: range.kind === 'partial' ? 206 : 200, headers });
}
