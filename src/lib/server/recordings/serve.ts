/**
 * The response for a recording file both players use: one byte range at a time (seeking), 416
 * for a range the file cannot satisfy, `onPlay` once per listening (the request from byte 0).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { audioType, parseRange } from './range';

export async function recordingResponse(
	found: { file: string; size: number },
	rangeHeader: string | null,
	onPlay: () => Promise<unknown>
): Promise<Response> {
	const range = parseRange(rangeHeader, found.size);
	const headers: Record<string, string> = {
		'content-type': audioType(found.file),
		'accept-ranges': 'bytes',
		'cache-control': 'private, no-store'
	};
	if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${found.size}` } });
	const start = range.kind === 'partial' ? range.start : 0;
	const end = range.kind === 'partial' ? range.end : found.size - 1;
	if (start === 0) await onPlay();
	if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${found.size}`;
	headers['content-length'] = String(found.size === 0 ? 0 : end - start + 1);
	const body = found.size === 0 ? null : (Readable.toWeb(createReadStream(found.file, { start, end })) as ReadableStream<Uint8Array>);
	return new Response(body, { status: range.kind === 'partial' ? 206 : 200, headers });
}
