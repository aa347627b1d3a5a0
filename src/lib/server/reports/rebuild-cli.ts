/**
 * `npm run rollups:rebuild -- [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: recomputes the report rollups
 * (agent_day_stats: calls, pauses, dispositions; then meetings and deals) from the raw rows, against
 * DATABASE_URL or the embedded database in DATA_DIR (default ./data). For after a restore, a bulk
 * change of raw rows, or a crash between a batch and its rollups. Whole days are recomputed on each
 * agent's own day (agent-zones.ts), exactly as the live persister keys them, so a rebuild of intact
 * rollups changes nothing. Prints one JSON line: {from, to, rollup_rows_changed, meeting_rows_changed}.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db';
import { rebuildRollups } from '../../../../realtime/persist/rollups';
import { rebuildMeetingStats } from '../meetings/stats';
import { agentZones } from './agent-zones';

const USAGE = 'usage: npm run rollups:rebuild -- [--from YYYY-MM-DD] [--to YYYY-MM-DD]';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

class UsageError extends Error {}

function day(value: string | undefined, name: string): Date | undefined {
	if (value === undefined) return undefined;
	const d = new Date(`${value}T00:00:00Z`);
	if (!DAY.test(value) || Number.isNaN(d.getTime())) throw new UsageError(`--${name} "${value}" is not a date (YYYY-MM-DD).\n${USAGE}`);
	return d;
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
	const from = day(values.from, 'from');
	const to = day(values.to, 'to');
	if (from && to && from >= to) throw new UsageError(`--from must be before --to.\n${USAGE}`);
	const dataDir = path.resolve(process.env.DATA_DIR ?? './data');
	const handle = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir, max: 2 });
	try {
		const timezone = await agentZones(handle.db);
		const rollups = await rebuildRollups(handle.db, { from, to, timezone });
		const meetings = await rebuildMeetingStats(handle.db, { from, to });
		process.stdout.write(
			JSON.stringify({ from: values.from ?? null, to: values.to ?? null, rollup_rows_changed: rollups, meeting_rows_changed: meetings }) + '\n'
		);
	} finally {
		await handle.close();
	}
}

main().then(
	() => process.exit(0),
	(e: unknown) => {
		process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
		process.exit(e instanceof UsageError ? 2 : 1);
	}
);
