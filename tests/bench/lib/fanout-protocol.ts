/** IPC between the `fanout` case and its viewer process (tests/bench/lib/fanout-clients.ts). */

export type ParentMessage = { type: 'start' } | { type: 'stop' };

export interface ViewerWindow {
	durationMs: number;
	clients: number;
	/** floor:patch messages per client over the window */
	framesMin: number;
	framesMean: number;
	framesMax: number;
	/** socket.io payload bytes received (engine.io message packets, all events) by all clients */
	payloadBytes: number;
	/** version gaps seen (a client missed a patch) */
	gaps: number;
	/** floor:snapshot pushes (a client was treated as lagging) */
	snapshots: number;
	/** clients that disconnected during the window */
	disconnects: number;
	/** receive time − serverTime of each patch, ms (same machine clock) */
	delayP50: number;
	delayP99: number;
	delayMax: number;
	/** this process's CPU over the window, % of one core */
	cpuPercent: number;
}

export type ChildMessage =
	| { type: 'ready'; clients: number; failed: number; connectMs: number; snapshotBytes: number }
	| { type: 'window'; window: ViewerWindow }
	| { type: 'error'; message: string };
