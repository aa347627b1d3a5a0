/**
 * Test support (not used at runtime): replay the real Asterisk transcripts through
 * parser → normalize → reduce with a deterministic clock.
 *
 * The clock of a message is its `Timestamp` header when present (timestampevents=yes), else the
 * epoch of the recv() chunk that completed it in `<name>.session.jsonl` (real timing, recorded);
 * it never goes backwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FloorPatch } from '../../src/lib/protocol';
import { normalizeEvent } from '../ami/normalize';
import type { PbxEvent } from '../ami/normalize';
import { AmiParser, first } from '../ami/parser';
import type { AmiMessage } from '../ami/parser';
import { reduce } from './reduce';
import type { DirectoryAgent, FloorEffect, FloorInput, FloorState } from './types';

export const TRANSCRIPTS = path.resolve(process.cwd(), '../shared/ami-transcripts');

export function hasTranscript(name: string): boolean {
	return existsSync(path.join(TRANSCRIPTS, `${name}.session.jsonl`));
}

export interface Recorded {
	/** message index after the banner */
	index: number;
	now: number;
	msg: AmiMessage;
	event: PbxEvent | null;
}

interface SessionLine {
	epoch: number;
	dir: string;
	data: string;
}

const cache = new Map<string, Recorded[]>();

/** The recorded messages of a transcript ([] when the recordings are not there: suites skip then). */
export function loadTranscript(name: string): Recorded[] {
	const hit = cache.get(name);
	if (hit !== undefined) return hit;
	if (!hasTranscript(name)) return [];
	const lines = readFileSync(path.join(TRANSCRIPTS, `${name}.session.jsonl`), 'utf8')
		.trim()
		.split('\n');
	const parser = new AmiParser({ encoding: 'latin1' });
	const out: Recorded[] = [];
	let clock = 0;
	for (const line of lines) {
		const s = JSON.parse(line) as SessionLine;
		if (s.dir !== 'rx') continue;
		const chunkMs = Math.round(s.epoch * 1000);
		for (const msg of parser.push(Buffer.from(s.data, 'latin1'))) {
			const ts = first(msg, 'Timestamp');
			const t = ts !== undefined ? Math.round(Number(ts) * 1000) : chunkMs;
			clock = Math.max(clock, Number.isFinite(t) ? t : chunkMs);
			out.push({ index: out.length, now: clock, msg, event: normalizeEvent(msg) });
		}
	}
	cache.set(name, out);
	return out;
}

export const PBX = 'pbx1';

/** Directory agents `agentN` on `Local/agentN@agents` with ids `a<N>`. */
export function directoryOf(names: readonly string[], pbx = PBX): DirectoryAgent[] {
	return names.map((n) => ({
		id: n,
		name: n.replace(/^agent0?/, 'Agent '),
		endpoint: `Local/${n}@agents`,
		pbx,
		teamIds: ['t1']
	}));
}

export interface Step {
	rec: Recorded | null;
	input: FloorInput;
	now: number;
	patches: FloorPatch[];
	effects: FloorEffect[];
}

export interface ReplayOptions {
	pbx?: string;
	/** the hub's ActionID → callId map for OriginateResponse */
	callIdOf?: (actionId: string) => string | undefined;
	/** extra inputs right before a recorded message (e.g. monitorRequested when the Originate was sent) */
	before?: (rec: Recorded) => FloorInput[];
	/** stop after this message index */
	until?: number;
	/** a `tick` every this many ms of transcript time, like the hub (default 1000; 0 = none) */
	tickMs?: number;
}

export interface Replay {
	state: FloorState;
	steps: Step[];
	patches: FloorPatch[];
	effects: FloorEffect[];
}

export function replay(state0: FloorState, recs: readonly Recorded[], opts: ReplayOptions = {}): Replay {
	const pbx = opts.pbx ?? PBX;
	let state = state0;
	const steps: Step[] = [];
	const run = (rec: Recorded | null, input: FloorInput, now: number): void => {
		const r = reduce(state, input, now);
		state = r.state;
		steps.push({ rec, input, now, patches: r.patches, effects: r.effects });
	};
	const tickMs = opts.tickMs ?? 1000;
	let nextTick = tickMs > 0 && recs[0] !== undefined ? recs[0].now + tickMs : Number.POSITIVE_INFINITY;
	for (const rec of recs) {
		if (opts.until !== undefined && rec.index > opts.until) break;
		while (nextTick <= rec.now) {
			run(null, { type: 'tick' }, nextTick);
			nextTick += tickMs;
		}
		for (const extra of opts.before?.(rec) ?? []) run(rec, extra, rec.now);
		if (rec.event === null) continue;
		const actionId = rec.event.kind === 'OriginateResponse' ? rec.event.actionId : null;
		const callId = actionId !== null ? opts.callIdOf?.(actionId) : undefined;
		run(
			rec,
			callId === undefined
				? { type: 'ami', pbx, event: rec.event }
				: { type: 'ami', pbx, event: rec.event, callId },
			rec.now
		);
	}
	return {
		state,
		steps,
		patches: steps.flatMap((s) => s.patches),
		effects: steps.flatMap((s) => s.effects)
	};
}

/** The agent's successive states as patched (consecutive duplicates dropped). */
export function stateTrail(steps: readonly Step[], agentId: string): string[] {
	const out: string[] = [];
	for (const s of steps) {
		for (const p of s.patches) {
			if (p.kind !== 'agent' || p.agent.id !== agentId) continue;
			const label = p.agent.state === 'paused' ? `paused:${p.agent.pauseReason ?? ''}` : p.agent.state;
			if (out[out.length - 1] !== label) out.push(label);
		}
	}
	return out;
}

/** The last fact per call key. */
export function lastFacts(
	effects: readonly FloorEffect[]
): Map<string, Extract<FloorEffect, { kind: 'call' }>['call']> {
	const m = new Map<string, Extract<FloorEffect, { kind: 'call' }>['call']>();
	for (const e of effects) if (e.kind === 'call') m.set(`${e.call.pbx}/${e.call.linkedid}`, e.call);
	return m;
}
