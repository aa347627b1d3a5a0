/**
 * Where call recordings live: DATA_DIR/recordings (the built-in simulator writes there; with a real
 * PBX, mount its monitor spool there). `calls.recording_path` is relative to that root; whatever
 * it holds, the file served must resolve — symlinks included — inside the root.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export function recordingsRoot(dataDir: string): string {
	return path.resolve(dataDir, 'recordings');
}

/** The file for a stored recording path, or null when it is outside the root or missing. */
export async function resolveRecording(root: string, stored: string): Promise<{ file: string; size: number } | null> {
	if (!stored || stored.includes('\0')) return null;
	const candidate = path.resolve(root, stored);
	if (!inside(root, candidate)) return null;
	try {
		const [realRoot, real] = await Promise.all([realpath(root), realpath(candidate)]);
		if (!inside(realRoot, real)) return null;
		const s = await stat(real);
		return s.isFile() ? { file: real, size: s.size } : null;
	} catch {
		return null;
	}
}

function inside(root: string, file: string): boolean {
	const rel = path.relative(root, file);
	return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
