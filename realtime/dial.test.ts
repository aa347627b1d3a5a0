/**
 * Click-to-call over the whole live spine: hub → leader commands → AMI Originate over TCP to the
 * simulator → events → reducer → the agent's own tile, and the call row keyed by our SB_CALL id.
 * A busy customer is dispositioned automatically when the call's final fact is persisted.
 */
import { eq, sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
	Ack,
	AgentView,
	ClientToServerEvents,
	FloorSnapshot,
	ServerToClientEvents
} from '../src/lib/protocol';
import type { Services } from '../src/lib/server/app';
import { createSession } from '../src/lib/server/auth/session';
import {
	calls,
	dispositions,
	leadPhones,
	leads,
	projectAgents,
	projectLeads,
	projects
} from '../src/lib/server/db/schema';
import { recordDisposition } from '../src/lib/server/leads/dispositions';
import { claimNextLead } from '../src/lib/server/leads/hopper';
import { listUsers } from '../src/lib/server/users';
import type { RealtimeRuntime } from './runtime';
import { floorUsers, startLiveSpine, type LiveSpine } from './testing';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('click-to-call through the hub and the simulator over AMI', () => {
	let services: Services;
	let spine: LiveSpine;
	let runtime: RealtimeRuntime;
	let url: string;
	const sockets: ClientSocket[] = [];
	let agent: { id: string; endpoint: string | null };
	let projectId: string;

	async function cookieFor(userId: string): Promise<string> {
		const { token } = await createSession(services.database.db, userId, { days: 1, verified: true });
		return `sb_session=${token}`;
	}

	function client(cookie: string): ClientSocket {
		const s: ClientSocket = connect(url, {
			transports: ['websocket'],
			extraHeaders: { cookie },
			reconnection: false,
			forceNew: true
		});
		sockets.push(s);
		return s;
	}

	const emit = {
		subscribe: (s: ClientSocket) =>
			new Promise<Ack<FloorSnapshot>>((resolve) => s.emit('floor:subscribe', {}, resolve)),
		dial: (s: ClientSocket, leadId: string, phoneId: string) =>
			new Promise<Ack<{ callId: string }>>((resolve) => s.emit('call:dial', { leadId, phoneId }, resolve)),
		hangup: (s: ClientSocket, callId: string) =>
			new Promise<Ack>((resolve) => s.emit('call:hangup', { callId }, resolve))
	};

	/** resolves with the first view of our agent that satisfies `test` */
	function waitFor(s: ClientSocket, test: (a: AgentView) => boolean, ms = 20_000): Promise<AgentView> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('timed out waiting for the agent tile')), ms);
			s.on('floor:patch', (msg) => {
				for (const p of msg.patches)
					if (p.kind === 'agent' && p.agent.id === agent.id && test(p.agent)) {
						clearTimeout(timer);
						resolve(p.agent);
					}
			});
		});
	}

	async function claim() {
		const r = await claimNextLead(services.database.db, { agentId: agent.id, projectId });
		if (!r.ok) throw new Error(r.reason);
		const [phone] = await services.database.db
			.select()
			.from(leadPhones)
			.where(eq(leadPhones.leadId, r.claim.leadId));
		return { ...r.claim, phone: phone! };
	}

	beforeAll(async () => {
		// calls may be placed at any hour in tests
		spine = await startLiveSpine({ agents: 4, leads: 12, seed: 11 }, (db) =>
			db
				.update(projects)
				.set({ workingHours: null })
				.then(() => undefined)
		);
		({ services, runtime, url } = spine);
		const agents = await listUsers(services.database.db, { role: 'agent' });
		agent = agents[0]!;
		const [pa] = await services.database.db
			.select()
			.from(projectAgents)
			.where(eq(projectAgents.userId, agent.id));
		projectId = pa!.projectId;
	});

	afterAll(async () => {
		for (const s of sockets) s.close();
		await spine?.close();
	});

	it('refuses supervisors, leads not claimed and strangers hanging up', async () => {
		const supervisor = (await floorUsers(services.database.db, 'supervisor'))[0]!;
		const sup = client(await cookieFor(supervisor.id));
		const lead = await services.database.db.select().from(leadPhones).limit(1);
		const refused = await emit.dial(sup, lead[0]!.leadId, lead[0]!.id);
		expect(!refused.ok && refused.error.code).toBe('forbidden');
		const s = client(await cookieFor(agent.id));
		const notMine = await emit.dial(s, lead[0]!.leadId, lead[0]!.id);
		expect(!notMine.ok && notMine.error.code).toBe('forbidden');
		const bad = await emit.dial(s, 'not-a-uuid', lead[0]!.id);
		expect(!bad.ok && bad.error.code).toBe('bad_request');
		const stranger = await emit.hangup(s, '00000000-0000-4000-8000-000000000000');
		expect(!stranger.ok && stranger.error.code).toBe('forbidden');
	});

	it('dials the claimed lead: the tile shows the call with our ids and the company, hang-up ends it, the row has our id', async () => {
		const s = client(await cookieFor(agent.id));
		const snap = await emit.subscribe(s);
		expect(snap.ok && snap.data.agents.map((a) => a.id)).toEqual([agent.id]);
		const c = await claim();
		// an imported name with a comma (Asterisk splits Variable on commas) and a line break (AMI header injection)
		await services.database.db.update(leads).set({ company: 'Durand, Fils\r\nAction: Hangup' }).where(eq(leads.id, c.leadId));
		const talking = waitFor(s, (a) => a.state === 'talking' && a.call?.callId != null);
		const ack = await emit.dial(s, c.leadId, c.phone.id);
		expect(ack.ok).toBe(true);
		const callId = ack.ok ? ack.data.callId : '';
		const view = await talking;
		// the company came through the PBX (Originate Variable → VarSet) with our ids, whole and harmless
		expect(view.call).toMatchObject({ callId, leadId: c.leadId, projectId, direction: 'out', company: 'Durand\u201a Fils Action: Hangup' });
		expect(runtime.leader!.simulator!.model.isBot(agent.endpoint!)).toBe(false);

		const ended = waitFor(s, (a) => a.call === null);
		expect(await emit.hangup(s, callId)).toEqual({ ok: true, data: null });
		await ended;
		await runtime.leader!.persister.flush();
		const [row] = await services.database.db.select().from(calls).where(eq(calls.id, callId));
		expect(row).toMatchObject({ leadId: c.leadId, projectId, agentId: agent.id, direction: 'out' });
		expect(row!.answeredAt).not.toBeNull();
		// answered calls are dispositioned by the agent, not automatically
		const [pl] = await services.database.db
			.select()
			.from(projectLeads)
			.where(eq(projectLeads.id, c.projectLeadId));
		expect(pl).toMatchObject({ status: 'in_progress', lockedBy: agent.id });
		await services.database.db
			.update(projectLeads)
			.set({ status: 'done', lockedBy: null })
			.where(eq(projectLeads.id, c.projectLeadId));
	});

	it('the agent records the outcome: the floor tile leaves wrap-up at once, not when its timer runs out', async () => {
		const s = client(await cookieFor(agent.id));
		await emit.subscribe(s);
		const c = await claim();
		const talking = waitFor(s, (a) => a.state === 'talking' && a.call?.callId != null);
		const ack = await emit.dial(s, c.leadId, c.phone.id);
		const callId = ack.ok ? ack.data.callId : '';
		await talking;
		const wrapup = waitFor(s, (a) => a.state === 'wrapup');
		await emit.hangup(s, callId);
		const inWrapup = await wrapup;

		const [done] = await services.database.db
			.select()
			.from(dispositions)
			.where(sql`${dispositions.projectId} = ${projectId} and ${dispositions.kind} = 'final'`)
			.limit(1);
		const idle = waitFor(s, (a) => a.state !== 'wrapup');
		// what the workstation's dispose action does: store the outcome, then tell the floor
		await recordDisposition(services.database.db, { agentId: agent.id, projectLeadId: c.projectLeadId, dispositionId: done!.id, callId });
		await services.realtime!.outcomeRecorded(agent.id);
		const after = await idle;
		expect(after.state).toBe('idle');
		// server times: the wrap-up lasted less than its 30 s timer
		expect(after.since - inWrapup.since).toBeLessThan(30_000);
	});

	it('records a busy customer as the project busy disposition, automatically and once', async () => {
		const s = client(await cookieFor(agent.id));
		await emit.subscribe(s);
		const c = await claim();
		await services.database.db
			.update(leadPhones)
			.set({ e164: '+33199990486' })
			.where(eq(leadPhones.id, c.phone.id));
		const ack = await emit.dial(s, c.leadId, c.phone.id);
		expect(ack.ok).toBe(true);
		const callId = ack.ok ? ack.data.callId : '';
		const db = services.database.db;
		const [busy] = await db
			.select()
			.from(dispositions)
			.where(sql`${dispositions.projectId} = ${projectId} and ${dispositions.code} = 'busy'`);
		const deadline = Date.now() + 20_000;
		let pl = (await db.select().from(projectLeads).where(eq(projectLeads.id, c.projectLeadId)))[0]!;
		while (pl.lastDispositionId === null && Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, 200));
			await runtime.leader!.persister.flush();
			pl = (await db.select().from(projectLeads).where(eq(projectLeads.id, c.projectLeadId)))[0]!;
		}
		expect(pl).toMatchObject({ status: 'new', attempts: 1, lockedBy: null, lastDispositionId: busy!.id });
		const [row] = await db.select().from(calls).where(eq(calls.id, callId));
		expect(row).toMatchObject({ dialStatus: 'BUSY', dispositionId: busy!.id, answeredAt: null });
	});
});
