/**
 * Imports running in the background of this process: their live progress, a cancel handle, and
 * the listeners the realtime hub registers to push each committed batch to the managers watching.
 * The database row is the durable truth; this registry only adds what lives between batches.
 * A row left `running` without an entry here was interrupted (crash, restart, Postgres gone):
 * `resumeInterruptedImports` continues each after its last committed batch, creating no duplicate.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { ImportProgressEvent } from '../../protocol';
import type { Db } from '../db';
import { imports } from '../db/schema';
import { importLeads, type ImportLeadsOptions, type ImportProgress } from './import';

interface Run {
	controller: AbortController;
	progress: ImportProgress | null;
	done: Promise<void>;
}

type ProgressListener = (event: ImportProgressEvent) => void;

const KEY = Symbol.for('switchboard.import-runs');
type Holder = { [KEY]?: { runs: Map<string, Run>; listeners: Set<ProgressListener> } };

// on globalThis: the SvelteKit handler and the realtime hub are separate module graphs of one process
function registry(): { runs: Map<string, Run>; listeners: Set<ProgressListener> } {
	const holder = globalThis as Holder;
	holder[KEY] ??= { runs: new Map(), listeners: new Set() };
	return holder[KEY];
}

export function isRunning(importId: string): boolean {
	return registry().runs.has(importId);
}

export function runProgress(importId: string): ImportProgress | null {
	return registry().runs.get(importId)?.progress ?? null;
}

/** Stops the run at its next batch boundary (see `cancelImport` for the durable part). */
export function cancelRun(importId: string): boolean {
	const run = registry().runs.get(importId);
	run?.controller.abort();
	return !!run;
}

/** Every committed batch and every end of a run in this process; returns the unsubscribe. */
export function onImportProgress(listener: ProgressListener): () => void {
	registry().listeners.add(listener);
	return () => registry().listeners.delete(listener);
}

function publish(event: ImportProgressEvent): void {
	for (const listener of registry().listeners) {
		try {
			listener(event);
		} catch {
			// a broken listener must not stop the import
		}
	}
}

export type RunOptions = Omit<ImportLeadsOptions, 'file' | 'signal' | 'onProgress' | 'importId'> & { importId: string; fileName: string };

/** Starts the import without waiting for it; `onFinish` gets the error, if any (already recorded on the row). */
export function startRun(db: Db, filePath: string, options: RunOptions, onFinish?: (error: unknown) => void): void {
	const { runs } = registry();
	if (runs.has(options.importId)) return;
	const controller = new AbortController();
	const run: Run = { controller, progress: null, done: Promise.resolve() };
	runs.set(options.importId, run);
	const event = (status: ImportProgressEvent['status'], p: ImportProgress | null): ImportProgressEvent => ({
		importId: options.importId,
		projectId: options.projectId,
		status,
		processed: p?.processed ?? 0,
		created: p?.created ?? 0,
		merged: p?.merged ?? 0,
		duplicate: p?.duplicate ?? 0,
		invalid: p?.invalid ?? 0,
		bytesRead: p?.bytesRead ?? 0,
		bytesTotal: p?.bytesTotal ?? 0
	});
	run.done = (async () => {
		try {
			const result = await importLeads(db, {
				...options,
				file: { name: options.fileName, path: filePath },
				signal: controller.signal,
				onProgress: (p) => {
					run.progress = p;
					publish(event('running', p));
				}
			});
			const last = run.progress;
			publish(event(result.status, { ...result, processed: result.total, bytesRead: last?.bytesTotal ?? 0, bytesTotal: last?.bytesTotal ?? 0 }));
			onFinish?.(null);
		} catch (e) {
			publish(event('failed', run.progress));
			onFinish?.(e);
		} finally {
			runs.delete(options.importId);
		}
	})();
}

/** For tests and shutdown: wait until a run is over. */
export async function waitForRun(importId: string): Promise<void> {
	await registry().runs.get(importId)?.done;
}

/**
 * On start: every import left `running` (the process died, or lost Postgres, mid-import) continues
 * after its last committed batch with the settings it was started with. Returns their ids.
 */
export async function resumeInterruptedImports(
	db: Db,
	options: { dataDir: string; onFinish?: (importId: string, error: unknown) => void }
): Promise<string[]> {
	const rows = await db
		.select()
		.from(imports)
		.where(and(eq(imports.status, 'running'), isNotNull(imports.filePath)));
	const started: string[] = [];
	for (const row of rows) {
		if (isRunning(row.id)) continue;
		startRun(
			db,
			row.filePath!,
			{
				importId: row.id,
				fileName: row.fileName,
				projectId: row.projectId,
				mapping: row.mapping,
				headerRow: row.headerRow,
				region: row.region ?? 'US',
				actorId: row.createdBy,
				dataDir: options.dataDir,
				resume: true
			},
			(e) => options.onFinish?.(row.id, e)
		);
		started.push(row.id);
	}
	return started;
}
