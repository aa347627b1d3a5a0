/**
 * The time zone that makes an agent's "day" in the rollups (src/lib/reports/dates.ts): the zone of
 * the project the agent works — an active one first, the newest of those — else UTC. Users carry no
 * zone of their own: an agent dials a project's market in that market's hours, and taking the zone
 * from the project keeps one setting (projects.timezone) instead of two that could disagree.
 * The live persister, a disposition's rollup refresh and the rebuild all use this one rule, so the
 * live rows and a rebuild stay identical.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import type { TimezoneOf } from '../../../../realtime/persist/rollups';

/** agent id → IANA zone, for every user or only `agentIds` */
export async function loadAgentZones(db: DbOrTx, agentIds?: readonly string[]): Promise<Map<string, string>> {
	if (agentIds && agentIds.length === 0) return new Map();
	const only = agentIds ? sql`where u.id in (${sql.join(agentIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``;
	const rows = await queryRows<{ id: string; tz: string }>(
		db,
		sql`select u.id, coalesce((
				select p.timezone from project_agents pa join projects p on p.id = pa.project_id
				where pa.user_id = u.id
				order by (p.status = 'active') desc, p.created_at desc, p.id limit 1
			), 'UTC') as tz
			from users u ${only}`
	);
	return new Map(rows.map((r) => [r.id, r.tz]));
}

/** a resolver over loaded zones (UTC for an agent not loaded) */
export function zoneOf(zones: ReadonlyMap<string, string>): TimezoneOf {
	return (agentId) => zones.get(agentId) ?? 'UTC';
}

/** the resolver for every agent, read now */
export async function agentZones(db: DbOrTx): Promise<TimezoneOf> {
	return zoneOf(await loadAgentZones(db));
}
