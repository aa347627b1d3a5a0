/**
 * Today's row of `project_progress_days` for every project, recounted from project_leads and
 * agent_day_stats in one statement (idempotent: any node may run it, any number of times). The
 * leader refreshes it every SNAPSHOT_MS; the progress report takes one itself when a project in
 * its scope has none yet.
 *
 * "Today" is the project's local day (projects.timezone): the list is worked in the project's
 * hours, so the day's last snapshot — the one the history keeps — is the list at the end of the
 * project's working day, wherever the server or the viewer is.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { NIL_UUID } from '../db/schema';
import type { Day } from '$lib/reports/dates';

export const SNAPSHOT_MS = 5 * 60_000;

/**
 * A project's "today" in SQL, for a query over `projects p`: the local day of the instant `at` in
 * the project's zone, or `at` itself when it is a calendar day (one day for every project: backfills).
 */
export function projectToday(at: Date | Day): SQL {
	return typeof at === 'string' ? sql`${at}::date` : sql`(${at.toISOString()}::timestamptz at time zone p.timezone)::date`;
}

/** `at`: an instant (each project's local day at that instant) or one calendar day for every project (backfills). */
export async function snapshotProgress(db: DbOrTx, at: Date | Day = new Date()): Promise<void> {
	const day = projectToday(at);
	await db.execute(sql`with counts as (
			select project_id, status, count(*)::integer as n, (count(*) filter (where attempts > 0))::integer as dialled
			from project_leads
			group by project_id, status
		),
		by_project as (
			select project_id, jsonb_object_agg(status, jsonb_build_array(n, dialled)) as by_status
			from counts
			group by project_id
		),
		calling as (
			select project_id, count(distinct day)::integer as days
			from agent_day_stats
			where dials > 0 and project_id <> ${NIL_UUID}::uuid
			group by project_id
		)
		insert into project_progress_days as x (project_id, day, by_status, calling_days, updated_at)
		select p.id, ${day}, coalesce(b.by_status, '{}'::jsonb), coalesce(c.days, 0), now()
		from projects p
		left join by_project b on b.project_id = p.id
		left join calling c on c.project_id = p.id
		on conflict (project_id, day) do update set
			by_status = excluded.by_status, calling_days = excluded.calling_days, updated_at = excluded.updated_at`);
}

export interface SnapshotLog {
	error(obj: object, msg: string): void;
}

/** Runs snapshotProgress now and every `everyMs` until stopped. */
export function startProgressSnapshots(db: DbOrTx, log: SnapshotLog, everyMs = SNAPSHOT_MS): () => void {
	let running = false;
	const tick = () => {
		if (running) return;
		running = true;
		snapshotProgress(db)
			.catch((err: unknown) => log.error({ err }, 'reports: progress snapshot failed'))
			.finally(() => (running = false));
	};
	tick();
	const timer = setInterval(tick, everyMs);
	timer.unref?.();
	return () => clearInterval(timer);
}
