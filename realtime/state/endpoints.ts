/**
 * Endpoints: what the PBX says about one device (its live channels, queue memberships, device state),
 * whether or not an agent of the directory sits behind it.
 */
import { pk } from './context';
import type { Ctx } from './context';
import type { DeviceAvailability, EndpointRec } from './types';

export function getEndpoint(ctx: Ctx, pbx: string, endpoint: string): EndpointRec | undefined {
	return ctx.endpoints.get(pk(pbx, endpoint));
}

export function ensureEndpoint(ctx: Ctx, pbx: string, endpoint: string): EndpointRec {
	const cur = ctx.endpoints.get(pk(pbx, endpoint));
	if (cur !== undefined) return cur;
	const rec: EndpointRec = {
		pbx,
		endpoint,
		channels: [],
		members: {},
		device: 'unknown',
		pauseReason: null,
		seen: false,
		openTalks: []
	};
	ctx.endpoints.set(pk(pbx, endpoint), rec);
	return rec;
}

/** Store an endpoint; one that holds nothing and has no agent is forgotten. */
export function putEndpoint(ctx: Ctx, rec: EndpointRec): void {
	const key = pk(rec.pbx, rec.endpoint);
	if (
		rec.channels.length === 0 &&
		rec.openTalks.length === 0 &&
		isEmpty(rec.members) &&
		!ctx.agentByEndpoint.has(key)
	) {
		ctx.endpoints.delete(key);
		return;
	}
	ctx.endpoints.set(key, rec);
}

export function isPaused(rec: EndpointRec): boolean {
	for (const q in rec.members) if (rec.members[q]?.paused === true) return true;
	return false;
}

/** AST_DEVICE_* status of a queue member → availability (0 unknown keeps what we had). */
export function availabilityOfStatus(status: number, current: DeviceAvailability): DeviceAvailability {
	if (status === 4 || status === 5) return 'unavailable';
	if (status === 0) return current;
	return 'available';
}

/** DeviceStateChange State → availability */
export function availabilityOfDeviceState(state: string, current: DeviceAvailability): DeviceAvailability {
	if (state === 'UNAVAILABLE' || state === 'INVALID') return 'unavailable';
	if (state === 'UNKNOWN' || state === '') return current;
	return 'available';
}

function isEmpty(o: Readonly<Record<string, unknown>>): boolean {
	for (const _ in o) return false;
	return true;
}
