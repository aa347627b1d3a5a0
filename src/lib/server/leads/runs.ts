/**
 * Imports running in the background of this process: their live progress and a cancel handle.
 * The database row is the durable truth; this registry only adds what a poll needs between batches.
 * A row left `running` without an entry here was interrupted (restart): the wizard offers to run it
 * again, which merges into what was committed and creates no duplicate.
 */
import type { Db } from '../db';
import { importLeads, type ImportLeadsOptions, type ImportProgress } from './import';

interface Run {
	controller: AbortController;
	progress: ImportProgress | null;
	done: Promise<void>;
}

const KEY = Symbol.for('switchboard.import-runs');
type Holder = { [KEY]?: Map<string, Run> };

function runs(): Map<string, Run> {
	const holder = globalThis as Holder;
	holder[KEY] ??= new Map();
	return holder[KEY];
}

export function isRunning(importId: string): boolean {
	return runs().has(importId);
}

export function runProgress(importId: string): ImportProgress | null {
	return runs().get(importId)?.progress ?? null;
}

export function cancelRun(importId: string): boolean {
	const run = runs().get(importId);
	run?.controller.abort();
	return !!run;
}

/** Starts the import without waiting for it; `onFinish` gets the error, if any (already recorded on the row). */
export function startRun(
	db: Db,
	filePath: string,
	options: Omit<ImportLeadsOptions, 'file' | 'signal' | 'onProgress' | 'importId'> & { importId: string; fileName: string },
	onFinish?: (error: unknown) => void
): void {
	if (runs().has(options.importId)) return;
	const controller = new AbortController();
	const run: Run = { controller, progress: null, done: Promise.resolve() };
	runs().set(options.importId, run);
	run.done = (async () => {
		try {
			await importLeads(db, {
				...options,
				file: { name: options.fileName, path: filePath },
				signal: controller.signal,
				onProgress: (p) => {
					run.progress = p;
				}
			});
			onFinish?.(null);
		} catch (e) {
			onFinish?.(e);
		} finally {
			runs().delete(options.importId);
		}
	})();
}

/** For tests and shutdown: wait until a run is over. */
export async function waitForRun(importId: string): Promise<void> {
	await runs().get(importId)?.done;
}
