import type { Ack } from '$lib/protocol';

/** A socket command with its ack, or a timeout error when the hub does not answer. */
export function emitAck<T>(send: (ack: (a: Ack<T>) => void) => void, timeoutMs = 8000): Promise<Ack<T>> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve({ ok: false, error: { code: 'unavailable', message: 'timeout' } }), timeoutMs);
		send((a) => {
			clearTimeout(timer);
			resolve(a);
		});
	});
}
