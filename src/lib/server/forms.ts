import type { ZodError } from 'zod';

/** Field → first message, for re-rendering a form next to each input. */
export function fieldErrors(error: ZodError): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of error.issues) {
		const key = String(issue.path[0] ?? 'form');
		out[key] ??= issue.message;
	}
	return out;
}

/** FormData → plain object; repeated keys (checkbox groups) become arrays. */
export function formObject(data: FormData, arrays: string[] = []): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const key of new Set(data.keys())) {
		const values = data.getAll(key).map(String);
		out[key] = arrays.includes(key) ? values : (values[0] ?? '');
	}
	for (const key of arrays) out[key] ??= [];
	return out;
}
