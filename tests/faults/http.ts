/**
 * HTTP against the built app as a browser would speak it: form posts carry the page's Origin
 * (SvelteKit's CSRF check), sessions are the real `sb_session` cookie from the real login form.
 */
import { SESSION_COOKIE } from '../../src/lib/server/auth/session';

export interface LoginAnswer {
	status: number;
	/** the new session token, when the login set one */
	token: string | null;
	location: string | null;
}

export function sessionFromSetCookie(res: Response): string | null {
	for (const c of res.headers.getSetCookie()) {
		const m = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(c);
		if (m && m[1] !== '') return decodeURIComponent(m[1]!);
	}
	return null;
}

/** POST a form the way the page does (Origin of the app, urlencoded, no redirect following). */
export function postForm(baseURL: string, path: string, fields: Record<string, string>, opts: { cookie?: string; origin?: string } = {}): Promise<Response> {
	return fetch(baseURL + path, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			origin: opts.origin ?? baseURL,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			...(opts.cookie ? { cookie: opts.cookie } : {})
		},
		body: new URLSearchParams(fields).toString()
	});
}

export async function login(baseURL: string, email: string, password: string, cookie?: string): Promise<LoginAnswer> {
	const res = await postForm(baseURL, '/login', { email, password }, { cookie });
	await res.arrayBuffer();
	return { status: res.status, token: sessionFromSetCookie(res), location: res.headers.get('location') };
}

export const cookieOf = (token: string): string => `${SESSION_COOKIE}=${encodeURIComponent(token)}`;
