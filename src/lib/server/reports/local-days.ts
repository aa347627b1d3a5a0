/**
 * Instants on calendar days of a time zone, in SQL: the one filter behind every report that reads
 * raw rows by local day (meetings on the project's days, drill-down calls on the agent's days; see
 * src/lib/reports/dates.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Day } from '$lib/reports/dates';

/**
 * `column` (a timestamptz) on the local days [from, toExclusive) of `zone` (a time zone name, per
 * row): the plain UTC range widened by 14 h either side (UTC offsets run from −12 to +14) lets an
 * index on `column` find the candidates, and the zone's own midnights keep the right ones.
 */
export function onLocalDays(column: SQL, zone: SQL, from: Day, toExclusive: Day): SQL {
	return sql`${column} >= ${from}::timestamp at time zone 'UTC' - interval '14 hours'
		and ${column} < ${toExclusive}::timestamp at time zone 'UTC' + interval '14 hours'
		and ${column} >= ${from}::timestamp at time zone ${zone}
		and ${column} < ${toExclusive}::timestamp at time zone ${zone}`;
}
