/**
 * Telling bad data from a database that is away. Only Postgres itself can say a row is bad: SQLSTATE
 * class 22 (data exception: out of range, invalid text, NUL byte…) or 23 (integrity constraint).
 * Anything else (connection refused, closed client, admin shutdown, serialization failure, a bug)
 * is treated as transient: the effects are kept and retried, never dropped.
 */

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** SQLSTATE of a database error, looking through wrappers (drizzle keeps the driver's error as `cause`). */
export function sqlState(err: unknown): string | null {
	let cur: unknown = err;
	for (let depth = 0; depth < 8 && typeof cur === 'object' && cur !== null; depth++) {
		const code = (cur as { code?: unknown }).code;
		if (typeof code === 'string' && SQLSTATE.test(code)) return code;
		cur = (cur as { cause?: unknown }).cause;
	}
	return null;
}

/** The database refused the data itself: retrying the same row can never succeed. */
export function isBadData(err: unknown): boolean {
	const code = sqlState(err);
	return code !== null && (code.startsWith('22') || code.startsWith('23'));
}

/** A short description for logs (the driver's message, not the whole query with its parameters). */
export function describeError(err: unknown): { message: string; code: string | null } {
	let cur: unknown = err;
	let message = String(err);
	for (let depth = 0; depth < 8 && cur instanceof Error; depth++) {
		message = cur.message;
		cur = cur.cause;
	}
	return { message, code: sqlState(err) };
}
