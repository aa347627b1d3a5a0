/**
 * Short recordings for MixMonitor: 8 kHz mono 16-bit PCM WAV with a soft two-tone beep, small
 * enough to write synchronously-fast and valid for any player (`RIFF`/`WAVE`/`fmt `/`data`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ToneOptions {
	seconds?: number;
	sampleRate?: number;
	/** Hz */
	frequency?: number;
}

/** A mono 16-bit PCM WAV file holding a tone (default 1.5 s, 8000 Hz, 440 Hz). */
export function toneWav(opts: ToneOptions = {}): Buffer {
	const rate = opts.sampleRate ?? 8000;
	const seconds = opts.seconds ?? 1.5;
	const freq = opts.frequency ?? 440;
	const samples = Math.round(rate * seconds);
	const dataBytes = samples * 2;
	const buf = Buffer.alloc(44 + dataBytes);
	buf.write('RIFF', 0, 'ascii');
	buf.writeUInt32LE(36 + dataBytes, 4);
	buf.write('WAVE', 8, 'ascii');
	buf.write('fmt ', 12, 'ascii');
	buf.writeUInt32LE(16, 16); // fmt chunk size
	buf.writeUInt16LE(1, 20); // PCM
	buf.writeUInt16LE(1, 22); // mono
	buf.writeUInt32LE(rate, 24);
	buf.writeUInt32LE(rate * 2, 28); // byte rate
	buf.writeUInt16LE(2, 32); // block align
	buf.writeUInt16LE(16, 34); // bits per sample
	buf.write('data', 36, 'ascii');
	buf.writeUInt32LE(dataBytes, 40);
	const fade = Math.min(400, Math.floor(samples / 4));
	for (let i = 0; i < samples; i++) {
		// 440 Hz, with a second tone in the second half, faded in/out to avoid clicks
		const f = i < samples / 2 ? freq : freq * 1.25;
		const env = Math.min(1, i / fade, (samples - 1 - i) / fade);
		const v = Math.round(Math.sin((2 * Math.PI * f * i) / rate) * 8000 * env);
		buf.writeInt16LE(v, 44 + i * 2);
	}
	return buf;
}

/**
 * Where a MixMonitor `File` lands under `dir`: absolute names are re-rooted at `dir`, and `..`
 * cannot climb out of it.
 */
export function recordingPath(dir: string, file: string): string {
	const rel = path.posix.normalize('/' + file.replace(/\\/g, '/')).replace(/^\/+/, '');
	return path.join(path.resolve(dir), rel === '' ? 'recording.wav' : rel);
}

/** Write a tone WAV for a recording; returns the path written. */
export async function writeRecording(dir: string, file: string, opts?: ToneOptions): Promise<string> {
	const target = recordingPath(dir, file);
	await mkdir(path.dirname(target), { recursive: true });
	await writeFile(target, toneWav(opts));
	return target;
}
