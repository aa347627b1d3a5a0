/**
 * What /readyz answers: the database reachable and migrated, the AMI links up, and Redis as the
 * realtime layer reports it. A node that lost Redis but still leads serves the floor on its own:
 * it stays ready and says it runs degraded; a follower without Redis has no live floor to serve.
 */
import type { Services, RealtimeStatus } from './app';
import { isMigrated } from './db/migrate';

export interface Readiness {
	ok: boolean;
	/** parts running in a fallback mode while the node still serves ('redis': single node) */
	degraded: 'redis'[];
	database: { kind: string; reachable: boolean; migrated: boolean };
	ami: RealtimeStatus['ami'];
	redis: RealtimeStatus['redis'];
}

export async function readiness(services: Services): Promise<Readiness> {
	const [reachable, migrated] = await Promise.all([services.database.ping(), isMigrated(services.database)]);
	const realtime = services.realtime?.status() ?? null;
	const amiOk = realtime ? realtime.ami.every((l) => l.connected) : true;
	const redis = realtime?.redis ?? null;
	const redisDown = redis !== null && !redis.connected;
	const redisOk = !redisDown || redis.leader;
	return {
		ok: reachable && migrated && amiOk && redisOk,
		degraded: redisDown && redis.leader ? ['redis'] : [],
		database: { kind: services.database.kind, reachable, migrated },
		ami: realtime?.ami ?? [],
		redis
	};
}
