/**
 * The browser's Socket.IO connection to the realtime hub: typed with the wire contract,
 * websocket only, same origin (the session cookie authenticates the handshake), never connects
 * on its own and, once started, reconnects forever with a capped backoff.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '$lib/protocol';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function createHubSocket(): HubSocket {
	return io({
		transports: ['websocket'],
		autoConnect: false,
		reconnection: true,
		reconnectionAttempts: Infinity,
		reconnectionDelay: 500,
		reconnectionDelayMax: 5_000,
		randomizationFactor: 0.5
	});
}
