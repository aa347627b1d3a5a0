/**
 * HTTP `Range: bytes=…` for media playback (RFC 9110 §14). Browsers seeking in an <audio> element
 * ask for one range at a time, so one range is served; a multi-range request gets the whole file
 * (allowed by the RFC), an unsatisfiable one a 416.
 */
export type ByteRange = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

export function parseRange(header: string | null, size: number): ByteRange {
	if (!header) return { kind: 'full' };
	const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
	// anything we do not understand (other units, several ranges): the RFC lets us ignore the header
	if (!m) return { kind: 'full' };
	const [, from, to] = m as unknown as [string, string, string];
	if (from === '' && to === '') return { kind: 'full' };
	if (size === 0) return { kind: 'unsatisfiable' };
	if (from === '') {
		// suffix: the last N bytes
		const n = Number(to);
		if (n === 0) return { kind: 'unsatisfiable' };
		return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
	}
	const start = Number(from);
	if (start >= size) return { kind: 'unsatisfiable' };
	const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
	if (end < start) return { kind: 'unsatisfiable' };
	return { kind: 'partial', start, end };
}

const TYPES: Record<string, string> = { '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.gsm': 'audio/x-gsm' };

export function audioType(file: string): string {
	const dot = file.lastIndexOf('.');
	return (dot >= 0 && TYPES[file.slice(dot).toLowerCase()]) || 'application/octet-stream';
}
