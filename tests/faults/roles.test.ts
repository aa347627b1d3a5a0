/**
 * Role matrix (issue 10 item 6): every route, every form action and every socket event × every
 * role (anonymous, agent, supervisor of team A, supervisor of team B, manager, admin), checked
 * against the built app over HTTP with real sessions from the real login form, and against its
 * real hub over Socket.IO.
 *
 * The tables below are the specification. Routes and actions are discovered from src/routes (the
 * files SvelteKit builds its manifest from; actions read with the TypeScript parser), events from
 * `ClientToServerEvents` in src/lib/protocol: a route, action or event without an entry here, or an
 * entry for something that no longer exists, fails the suite. Add the entry with the least role
 * that may use it.
 *
 * Allowed means "passed the role and scope checks": a 404 for the made-up ids used in URLs, or a
 * validation error for an empty form, is allowed. Denied means: anonymous GET → redirect to
 * /login?next=…; signed-in GET → 403; POST → 401/403; socket → connection refused (anonymous) or
 * an Ack with code `forbidden`.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, FloorSnapshot, Role } from '../../src/lib/protocol';
import { startBuiltServer, type BuiltServer } from '../built-server';
import { cookieOf, login, postForm } from './http';
import { socketClient, until, type ClientSocket } from './support';

type Actor = 'anonymous' | 'agent' | 'supervisorA' | 'supervisorB' | 'manager' | 'admin';
const ACTORS: Actor[] = ['anonymous', 'agent', 'supervisorA', 'supervisorB', 'manager', 'admin'];
/**
 * Who may: everybody, any signed-in user, the agent role only (the workstation: agents stand apart),
 * or at least this role (admin ⊃ manager ⊃ supervisor, like VICIdial's user levels).
 */
type Access = 'public' | 'signed-in' | Role;
const RANK: Record<Exclude<Role, 'agent'>, number> = { supervisor: 2, manager: 3, admin: 4 };
const roleOf = (a: Actor): Role | null => (a === 'anonymous' ? null : a.startsWith('supervisor') ? 'supervisor' : (a as Role));
const mayUse = (access: Access, actor: Actor): boolean => {
	if (access === 'public') return true;
	const role = roleOf(actor);
	if (role === null) return false;
	if (access === 'signed-in') return true;
	if (access === 'agent' || role === 'agent') return role === access;
	return RANK[role] >= RANK[access];
};

// ─── the specification ───────────────────────────────────────────────────────────────────────
/** route id → who may GET it */
const ROUTES: Record<string, Access> = {
	'/': 'public',
	'/(agent)/agent': 'agent',
	'/(agent)/agent/caller': 'agent',
	'/(agent)/agent/recordings/[callId]': 'agent',
	// POST only: a signed-in GET is a 405 whatever the role; the POST checks the agent role itself
	'/(agent)/api/letters': 'signed-in',
	'/(agent)/api/meetings/slots': 'agent',
	'/(app)/account': 'signed-in',
	'/(app)/outbox': 'signed-in',
	'/(auth)/login': 'public',
	'/(auth)/login/totp': 'public',
	'/(auth)/setup/[token]': 'public',
	'/(manager)/inbound': 'manager',
	'/(manager)/leads': 'manager',
	'/(manager)/leads/[id]': 'manager',
	'/(manager)/leads/dnc': 'manager',
	'/(manager)/leads/duplicates': 'manager',
	'/(manager)/projects': 'manager',
	'/(manager)/projects/[id]': 'manager',
	'/(manager)/projects/[id]/dispositions': 'manager',
	'/(manager)/projects/[id]/imports': 'manager',
	'/(manager)/projects/[id]/imports/[importId]': 'manager',
	'/(manager)/projects/[id]/imports/[importId]/errors.csv': 'manager',
	'/(manager)/projects/[id]/leads': 'manager',
	'/(manager)/projects/[id]/letter': 'manager',
	'/(manager)/projects/[id]/letter/attachments/[file]': 'manager',
	'/(manager)/projects/[id]/performers': 'manager',
	'/(manager)/projects/[id]/script': 'manager',
	'/(manager)/projects/[id]/survey': 'manager',
	'/(manager)/projects/[id]/survey/export': 'manager',
	'/(supervisor)/floor': 'supervisor',
	'/(supervisor)/floor/alerts': 'supervisor',
	'/(supervisor)/floor/alerts/rules': 'supervisor',
	'/(supervisor)/floor/service-level': 'supervisor',
	'/(supervisor)/floor/settings': 'supervisor',
	'/(supervisor)/floor/tv': 'supervisor',
	'/(supervisor)/meetings': 'supervisor',
	'/(supervisor)/reports': 'supervisor',
	'/(supervisor)/reports/calls': 'supervisor',
	'/(supervisor)/reports/conversion': 'supervisor',
	'/(supervisor)/reports/export/[report]': 'supervisor',
	'/(supervisor)/reports/failures': 'supervisor',
	'/(supervisor)/reports/intensity': 'supervisor',
	'/(supervisor)/reports/pay': 'supervisor',
	'/(supervisor)/reports/progress': 'supervisor',
	'/(supervisor)/reports/recording/[callId]': 'supervisor',
	'/(supervisor)/reports/weekly': 'supervisor',
	'/admin/audit': 'admin',
	'/admin/teams': 'admin',
	'/admin/users': 'admin',
	'/admin/users/[id]': 'admin',
	'/admin/users/new': 'admin',
	'/healthz': 'public',
	'/logout': 'public',
	'/readyz': 'public'
};

/** `${route id} ?/${action}` → who may post it */
const ACTIONS: Record<string, Access> = {
	'/(agent)/agent ?/next': 'agent',
	'/(agent)/agent ?/dispose': 'agent',
	'/(agent)/agent ?/release': 'agent',
	'/(agent)/agent ?/portrait': 'agent',
	'/(agent)/agent ?/note': 'agent',
	'/(app)/account ?/language': 'signed-in',
	// a second factor is for managers and admins
	'/(app)/account ?/totpStart': 'manager',
	'/(app)/account ?/totpEnable': 'manager',
	'/(app)/account ?/totpDisable': 'manager',
	'/(auth)/login ?/default': 'public',
	'/(auth)/login/totp ?/default': 'public',
	'/(auth)/setup/[token] ?/default': 'public',
	'/(manager)/inbound ?/createSkill': 'manager',
	'/(manager)/inbound ?/deleteSkill': 'manager',
	'/(manager)/inbound ?/levels': 'manager',
	'/(manager)/inbound ?/saveQueue': 'manager',
	'/(manager)/inbound ?/deleteQueue': 'manager',
	'/(manager)/leads/[id] ?/block': 'manager',
	'/(manager)/leads/[id] ?/unblock': 'manager',
	'/(manager)/leads/[id] ?/erase': 'manager',
	'/(manager)/leads/[id] ?/dnc': 'manager',
	'/(manager)/leads/dnc ?/add': 'manager',
	'/(manager)/leads/dnc ?/remove': 'manager',
	'/(manager)/leads/dnc ?/import': 'manager',
	'/(manager)/leads/duplicates ?/merge': 'manager',
	'/(manager)/leads/duplicates ?/keepApart': 'manager',
	'/(manager)/projects ?/create': 'manager',
	'/(manager)/projects/[id] ?/save': 'manager',
	'/(manager)/projects/[id] ?/status': 'manager',
	'/(manager)/projects/[id]/dispositions ?/default': 'manager',
	'/(manager)/projects/[id]/imports ?/upload': 'manager',
	'/(manager)/projects/[id]/imports/[importId] ?/apply': 'manager',
	'/(manager)/projects/[id]/imports/[importId] ?/run': 'manager',
	'/(manager)/projects/[id]/imports/[importId] ?/cancel': 'manager',
	'/(manager)/projects/[id]/leads ?/add': 'manager',
	'/(manager)/projects/[id]/leads ?/saveFilter': 'manager',
	'/(manager)/projects/[id]/leads ?/deleteFilter': 'manager',
	'/(manager)/projects/[id]/letter ?/save': 'manager',
	'/(manager)/projects/[id]/letter ?/attach': 'manager',
	'/(manager)/projects/[id]/letter ?/detach': 'manager',
	'/(manager)/projects/[id]/performers ?/default': 'manager',
	'/(manager)/projects/[id]/script ?/default': 'manager',
	'/(manager)/projects/[id]/survey ?/default': 'manager',
	'/(supervisor)/floor/alerts/rules ?/save': 'supervisor',
	'/(supervisor)/floor/settings ?/save': 'supervisor',
	'/(supervisor)/meetings ?/outcome': 'supervisor',
	// pay is the managers' decision; supervisors read it
	'/(supervisor)/reports/pay ?/approve': 'manager',
	'/(supervisor)/reports/pay ?/rule': 'manager',
	'/(supervisor)/reports/pay ?/salary': 'manager',
	'/(supervisor)/reports/pay ?/addHoliday': 'manager',
	'/(supervisor)/reports/pay ?/removeHoliday': 'manager',
	'/admin/teams ?/create': 'admin',
	'/admin/teams ?/rename': 'admin',
	'/admin/teams ?/delete': 'admin',
	'/admin/users/[id] ?/update': 'admin',
	'/admin/users/[id] ?/disable': 'admin',
	'/admin/users/[id] ?/enable': 'admin',
	'/admin/users/[id] ?/password': 'admin',
	'/admin/users/new ?/default': 'admin',
	'/logout ?/default': 'public'
};

interface EventCtx {
	/** an agent of team A (not the agent actor) */
	agentA: string;
	/** the agent actor's own id */
	self: string;
	/** supervisor A's team */
	teamA: string;
}
interface EventRule {
	/** expected outcome per actor */
	allow: (actor: Actor) => boolean;
	payload: (ctx: EventCtx) => unknown;
	/** a `forbidden` Ack that is a business refusal, not a role check */
	business?: RegExp;
}
const supervisesA = (a: Actor) => a === 'supervisorA' || a === 'manager' || a === 'admin';
const signedIn = (a: Actor) => a !== 'anonymous';
const supervisor = (a: Actor) => signedIn(a) && a !== 'agent';
const agentOnly = (a: Actor) => a === 'agent';
const EVENTS: Record<keyof ClientToServerEvents, EventRule> = {
	'floor:subscribe': { allow: signedIn, payload: () => ({}) },
	'floor:snapshot': { allow: signedIn, payload: () => undefined },
	'agent:pause': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA, reason: 'training' }) },
	'agent:unpause': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA }) },
	'monitor:start': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA, mode: 'listen', ringTo: { number: '0600000000' } }) },
	// no monitor exists: every supervisor gets not_found, an agent is refused before the lookup
	'monitor:switch': { allow: (a) => signedIn(a) && a !== 'agent', payload: () => ({ monitorId: 'none', mode: 'whisper' }) },
	'monitor:stop': { allow: (a) => signedIn(a) && a !== 'agent', payload: () => ({ monitorId: 'none' }) },
	'call:dial': { allow: (a) => a === 'agent', payload: () => ({ leadId: randomUUID(), phoneId: randomUUID() }), business: /with Next/ },
	'call:hangup': { allow: (a) => a === 'agent', payload: () => ({ callId: randomUUID() }), business: /not your call/ },
	'queue:member': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA, queue: 'sales', change: { kind: 'reset' } }) },
	'hand:raise': { allow: agentOnly, payload: () => ({}) },
	'hand:lower': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA }) },
	'agent:logoff': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA }) },
	'agent:projects': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA }) },
	'agent:move': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA, fromProjectId: null, toProjectId: randomUUID() }) },
	'message:send': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA, body: 'role matrix' }) },
	'message:broadcast': { allow: supervisesA, payload: (c) => ({ teamId: c.teamA, body: 'role matrix' }) },
	'message:list': { allow: agentOnly, payload: () => ({}) },
	'message:read': { allow: agentOnly, payload: () => ({ messageId: randomUUID() }) },
	'alert:list': { allow: supervisor, payload: () => ({}) },
	'alert:claim': { allow: supervisor, payload: () => ({ alertId: randomUUID() }) },
	'alert:resolve': { allow: supervisor, payload: () => ({ alertId: randomUUID() }) },
	'presence:watch': { allow: supervisor, payload: () => ({ teams: [] }) },
	'note:list': { allow: supervisor, payload: () => ({}) },
	'note:add': { allow: supervisesA, payload: (c) => ({ agentId: c.agentA, body: 'role matrix' }) },
	'note:remove': { allow: supervisor, payload: () => ({ noteId: randomUUID() }) },
	'import:watch': { allow: (a) => a === 'manager' || a === 'admin', payload: () => ({ projectId: randomUUID() }) },
	'floorcharts:subscribe': { allow: supervisor, payload: () => undefined }
};

// ─── discovery ───────────────────────────────────────────────────────────────────────────────
const ROUTES_DIR = path.resolve('src/routes');

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const p = path.join(dir, name);
		return statSync(p).isDirectory() ? walk(p) : [p];
	});
}
const routeIdOf = (file: string) => '/' + path.relative(ROUTES_DIR, path.dirname(file)).split(path.sep).join('/');

function discoverRoutes(): string[] {
	const files = walk(ROUTES_DIR).filter((f) => /\/\+(page\.svelte|page\.server\.ts|page\.ts|server\.ts)$/.test(f));
	return [...new Set(files.map((f) => routeIdOf(f).replace(/^\/$/, '/').replace(/\/$/, '') || '/'))].sort();
}

/** property names of `export const actions = { … }` (also `satisfies Actions`) */
function actionNames(file: string): string[] {
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
	const names: string[] = [];
	source.forEachChild((node) => {
		if (!ts.isVariableStatement(node)) return;
		for (const d of node.declarationList.declarations) {
			if (!ts.isIdentifier(d.name) || d.name.text !== 'actions' || !d.initializer) continue;
			let init: ts.Expression = d.initializer;
			while (ts.isSatisfiesExpression(init) || ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
			if (!ts.isObjectLiteralExpression(init)) throw new Error(`${file}: actions is not an object literal`);
			for (const p of init.properties) if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) names.push(p.name.text);
		}
	});
	return names;
}

function discoverActions(): string[] {
	return walk(ROUTES_DIR)
		.filter((f) => f.endsWith('/+page.server.ts'))
		.flatMap((f) => actionNames(f).map((a) => `${routeIdOf(f).replace(/\/$/, '') || '/'} ?/${a}`))
		.sort();
}

function discoverEvents(): string[] {
	const file = path.resolve('src/lib/protocol/index.ts');
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
	const names: string[] = [];
	source.forEachChild((node) => {
		if (ts.isInterfaceDeclaration(node) && node.name.text === 'ClientToServerEvents')
			for (const m of node.members) if (m.name && (ts.isStringLiteral(m.name) || ts.isIdentifier(m.name))) names.push(m.name.text);
	});
	return names.sort();
}

/** a concrete URL for a route id: groups dropped, params filled with ids that do not exist */
function urlOf(routeId: string): string {
	const p = routeId
		.split('/')
		.filter((s) => !/^\(.*\)$/.test(s))
		.map((s) => (s === '[token]' ? 'not-a-real-setup-token' : /^\[.*\]$/.test(s) ? randomUUID() : s))
		.join('/');
	return p === '' ? '/' : p;
}

// ─── the run ─────────────────────────────────────────────────────────────────────────────────
describe('role matrix: the tables cover everything that exists', () => {
	it('has an entry for every route', () => {
		expect(Object.keys(ROUTES).sort()).toEqual(discoverRoutes());
	});
	it('has an entry for every form action', () => {
		expect(Object.keys(ACTIONS).sort()).toEqual(discoverActions());
	});
	it('has an entry for every socket event', () => {
		expect(Object.keys(EVENTS).sort()).toEqual(discoverEvents());
	});
});

describe('role matrix against the built app', () => {
	const ADMIN = { email: 'admin@matrix.switchboard', password: `matrix-${randomUUID()}` };
	let app: BuiltServer;
	const cookies = new Map<Actor, string | null>();

	async function signIn(actor: Actor): Promise<string | null> {
		if (actor === 'anonymous') return null;
		const account =
			actor === 'admin'
				? ADMIN
				: actor === 'supervisorA'
					? app.demo.find((d) => d.email.startsWith('sophie@'))!
					: actor === 'supervisorB'
						? app.demo.find((d) => d.email.startsWith('sam@'))!
						: app.demo.filter((d) => d.role === actor)[actor === 'agent' ? 1 : 0]!;
		const r = await login(app.baseURL, account.email, account.password);
		if (r.status !== 303 || !r.token) throw new Error(`login of ${actor} failed: ${r.status}`);
		return cookieOf(r.token);
	}

	beforeAll(async () => {
		app = await startBuiltServer({ SB_ADMIN_EMAIL: ADMIN.email, SB_ADMIN_PASSWORD: ADMIN.password });
		for (const a of ACTORS) cookies.set(a, await signIn(a));
	}, 600_000);
	afterAll(async () => {
		await app?.close();
	});

	it('GET of every route', async () => {
		const wrong: string[] = [];
		for (const [routeId, access] of Object.entries(ROUTES)) {
			const url = urlOf(routeId);
			for (const actor of ACTORS) {
				const cookie = cookies.get(actor);
				const res = await fetch(app.baseURL + url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
				await res.arrayBuffer();
				const location = res.headers.get('location') ?? '';
				const denied = actor === 'anonymous' ? res.status === 303 && location.startsWith('/login?next=') : res.status === 403;
				if (denied === mayUse(access, actor)) wrong.push(`${actor} GET ${url} (${routeId}): ${res.status} ${location}`);
			}
		}
		expect(wrong).toEqual([]);
	});

	it('POST of every form action (logout last)', async () => {
		const wrong: string[] = [];
		const entries = Object.entries(ACTIONS).sort(([a], [b]) => Number(a.startsWith('/logout')) - Number(b.startsWith('/logout')));
		for (const actor of ACTORS) {
			for (const [key, access] of entries) {
				const [routeId, action] = key.split(' ?/') as [string, string];
				const url = urlOf(routeId) + (action === 'default' ? '' : `?/${action}`);
				const cookie = cookies.get(actor) ?? undefined;
				const res = await postForm(app.baseURL, url, {}, { cookie });
				await res.arrayBuffer();
				const denied = res.status === 401 || res.status === 403;
				if (denied === mayUse(access, actor)) wrong.push(`${actor} POST ${url} (${key}): ${res.status}`);
			}
		}
		expect(wrong).toEqual([]);
	});

	it('every socket event, with team scope', async () => {
		// sessions again: the action pass logged everybody out
		for (const a of ACTORS) cookies.set(a, await signIn(a));
		const sockets = new Map<Actor, ClientSocket>();
		const refused = new Set<Actor>();
		for (const actor of ACTORS) {
			const s = socketClient(app.baseURL, cookies.get(actor) ?? '');
			s.io.opts.reconnection = false;
			await new Promise<void>((resolve) => {
				s.once('connect', () => resolve());
				s.once('connect_error', () => {
					refused.add(actor);
					resolve();
				});
			});
			sockets.set(actor, s);
		}
		try {
			expect([...refused]).toEqual(['anonymous']);
			const subscribe = (s: ClientSocket) => new Promise<Ack<FloorSnapshot>>((r) => s.emit('floor:subscribe', {}, r));
			let floorA: FloorSnapshot | null = null;
			await until(
				async () => {
					const a = await subscribe(sockets.get('supervisorA')!);
					floorA = a.ok && a.data.agents.length > 0 ? a.data : null;
					return floorA !== null;
				},
				30_000,
				'the floor to be loaded'
			);
			const own = await subscribe(sockets.get('agent')!);
			const self = own.ok ? own.data.agents.map((a) => a.id) : [];
			expect(self).toHaveLength(1);
			const b = await subscribe(sockets.get('supervisorB')!);
			const all = await subscribe(sockets.get('manager')!);
			// scope: each supervisor sees only their team, the agent only themself, the manager everybody
			const teamA = new Set(floorA!.agents.map((a) => a.id));
			const teamB = new Set(b.ok ? b.data.agents.map((a) => a.id) : []);
			expect([...teamA].some((id) => teamB.has(id))).toBe(false);
			expect(all.ok && all.data.agents.length).toBe(teamA.size + teamB.size);
			expect(teamB.has(self[0]!)).toBe(true);
			const ctx: EventCtx = { agentA: floorA!.agents[0]!.id, self: self[0]!, teamA: floorA!.agents[0]!.teamIds[0]! };

			const wrong: string[] = [];
			for (const [event, rule] of Object.entries(EVENTS) as [keyof ClientToServerEvents, EventRule][]) {
				for (const actor of ACTORS) {
					let denied: boolean;
					let got = 'refused at connect';
					if (refused.has(actor)) denied = true;
					else {
						const s = sockets.get(actor)!;
						const payload = rule.payload(ctx);
						const emit = s.timeout(10_000) as unknown as { emit(ev: string, ...args: unknown[]): void };
						const ack = await new Promise<Ack<unknown>>((resolve) => {
							const cb = (err: Error | null, a: Ack<unknown>) => resolve(err ? { ok: false, error: { code: 'internal', message: 'no ack' } } : a);
							if (payload === undefined) emit.emit(event, cb);
							else emit.emit(event, payload, cb);
						});
						got = ack.ok ? 'ok' : `${ack.error.code}: ${ack.error.message}`;
						denied = !ack.ok && (ack.error.code === 'forbidden' || ack.error.code === 'unauthorized') && !(rule.business?.test(ack.error.message) ?? false);
					}
					if (denied === rule.allow(actor)) wrong.push(`${actor} ${event}: ${got}`);
				}
			}
			expect(wrong).toEqual([]);
		} finally {
			for (const s of sockets.values()) s.close();
		}
	});
});
