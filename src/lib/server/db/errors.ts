/**
 * Whether `e` is the Postgres error `code` (its SQLSTATE), from either driver: drizzle may wrap the
 * driver's error in `cause`, so the chain is walked.
 */
export function hasSqlState(e: unknown, code: string): boolean {
	for (let x: unknown = e; x !== null && typeof x === 'object'; x = (x as { cause?: unknown }).cause)
		if ((x as { code?: unknown }).code === code) return true;
	return false;
}

export const isUniqueViolation = (e: unknown): boolean => hasSqlState(e, '23505');
export const isForeignKeyViolation = (e: unknown): boolean => hasSqlState(e, '23503');
