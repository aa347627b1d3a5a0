import { json } from '@sveltejs/kit';
import { getServices } from '$lib/server/app';
import { isMigrated } from '$lib/server/db/migrate';
import type { RequestHandler } from './$types';

/** Ready to serve: database reachable and migrated, AMI links and Redis as the realtime layer reports them. */
export const GET: RequestHandler = async () => {
	const services = await getServices();
	const [reachable, migrated] = await Promise.all([services.database.ping(), isMigrated(services.database)]);
	const realtime = services.realtime?.status() ?? null;
	const amiOk = realtime ? realtime.ami.every((l) => l.connected) : true;
	const redisOk = realtime?.redis ? realtime.redis.connected : true;
	const ok = reachable && migrated && amiOk && redisOk;
	return json(
		{
			ok,
			database: { kind: services.database.kind, reachable, migrated },
			ami: realtime?.ami ?? [],
			redis: realtime?.redis ?? null
		},
		{ status: ok ? 200 : 503 }
	);
};
