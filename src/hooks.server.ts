import type { Handle, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { cookieName, isLocale } from '$lib/paraglide/runtime';
import { getServices } from '$lib/server/app';
import { isAllowed, requiredRoleFor } from '$lib/server/auth/guard';
import { SESSION_COOKIE, validateSession } from '$lib/server/auth/session';

export const init: ServerInit = async () => {
	await getServices();
};

/** Paths a session that still owes its second factor may open. */
const TOTP_PENDING_ALLOWED = ['/login/totp', '/logout'];

const authenticate: Handle = async ({ event, resolve }) => {
	const { database, config } = await getServices();
	event.locals.user = null;
	event.locals.sessionId = null;
	const token = event.cookies.get(SESSION_COOKIE);
	if (token) {
		const session = await validateSession(database.db, token, config.SB_SESSION_DAYS);
		if (!session) {
			event.cookies.delete(SESSION_COOKIE, { path: '/' });
		} else if (session.pendingTotp) {
			event.locals.sessionId = session.sessionId;
			if (!TOTP_PENDING_ALLOWED.includes(event.url.pathname)) return seeOther('/login/totp');
		} else {
			event.locals.user = session.user;
			event.locals.sessionId = session.sessionId;
			if (session.renewed) {
				event.cookies.set(SESSION_COOKIE, token, {
					path: '/',
					httpOnly: true,
					sameSite: 'lax',
					secure: event.url.protocol === 'https:',
					expires: session.expiresAt
				});
			}
		}
	}
	return resolve(event);
};

function seeOther(location: string): Response {
	return new Response(null, { status: 303, headers: { location } });
}

/**
 * Role check for every route group, form actions and endpoints included. A page GET that is
 * forbidden still renders (its group layout turns `locals.forbidden` into the 403 page);
 * anything else is refused here.
 */
const authorize: Handle = async ({ event, resolve }) => {
	event.locals.forbidden = false;
	const needed = requiredRoleFor(event.route.id);
	if (needed) {
		const user = event.locals.user;
		if (!user) {
			if (event.request.method !== 'GET') return new Response('Sign in first.', { status: 401 });
			return seeOther(`/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
		}
		if (!isAllowed(user, needed, event.route.id)) {
			if (event.request.method !== 'GET') return new Response('You do not have access to this action.', { status: 403 });
			event.locals.forbidden = true;
		}
	}
	return resolve(event);
};

/** The user's saved language wins; otherwise the cookie, then Accept-Language (paraglide strategies). */
const localize: Handle = ({ event, resolve }) => {
	let request = event.request;
	const saved = event.locals.user?.locale;
	if (saved && isLocale(saved) && event.cookies.get(cookieName) !== saved) {
		event.cookies.set(cookieName, saved, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: 34_560_000 });
		const headers = new Headers(request.headers);
		const others = (headers.get('cookie') ?? '')
			.split(';')
			.map((c) => c.trim())
			.filter((c) => c && !c.startsWith(`${cookieName}=`));
		headers.set('cookie', [...others, `${cookieName}=${saved}`].join('; '));
		request = new Request(request, { headers });
	}
	return paraglideMiddleware(request, ({ request: localized, locale }) => {
		event.request = localized;
		event.locals.locale = locale;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		});
	});
};

const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('referrer-policy', 'same-origin');
	response.headers.set('x-frame-options', 'SAMEORIGIN');
	return response;
};

export const handle = sequence(securityHeaders, authenticate, authorize, localize);
