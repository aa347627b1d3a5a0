/**
 * Inbound calls through the live spine: a customer calls the `sales` queue of the simulator over
 * real AMI TCP (Originate into `Local/sales@inbound`, held for one agent), the agent's phone answers,
 * and the stored call (PGlite) is an inbound call linked to the caller's lead and project, with the
 * recording the queue made — in the project of the lead's missed attempt when the lead calls back —
 * and it shows in the lead's history. A caller who is no lead stays unlinked.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, leadPhones, projectAgents, projectLeads, projects } from '../src/lib/server/db/schema';
import { loadLeadCard } from '../src/lib/server/leads/workstation';
import { recordingsRoot, resolveRecording } from '../src/lib/server/recordings/files';
import { listUsers, type UserRow } from '../src/lib/server/users';
import { first } from './ami/parser';
import { parseAmiUrls } from './ami/url';
import type { SimulatorHandle } from './simulator/server';
import { AmiTestClient } from './simulator/test-client';
import { startLiveSpine, type LiveSpine } from './testing';

describe('an inbound call is stored like an outbound one', () => {
	let spine: LiveSpine;
	let sim: SimulatorHandle;
	let ami: AmiTestClient;
	let agent: UserRow;

	async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 20_000): Promise<T> {
		const deadline = Date.now() + ms;
		for (;;) {
			const v = await probe();
			if (v !== undefined && v !== false) return v;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	/** A customer with `callerId` calls `sales`, offered to `agent` only, talking 1 s once answered. */
	async function callIn(callerId: string): Promise<string> {
		const from = ami.mark();
		const response = await ami.action({
			Action: 'Originate',
			Channel: 'Local/sales@inbound',
			Application: 'Wait',
			Data: '600',
			CallerID: callerId,
			Variable: [`SIM_MEMBER=${agent.endpoint!}`, 'SIM_TALK=1'],
			Async: 'true'
		});
		expect(first(response, 'Response')).toBe('Success');
		const join = await ami.waitEvent('QueueCallerJoin', { Queue: 'sales' }, { from, timeoutMs: 10_000 });
		const linkedid = first(join, 'Linkedid');
		await ami.waitEvent('AgentConnect', { Linkedid: linkedid!, Interface: agent.endpoint! }, { from, timeoutMs: 20_000 });
		await ami.waitEvent('Hangup', { Linkedid: linkedid! }, { from, timeoutMs: 20_000 });
		return linkedid!;
	}

	async function storedCall(linkedid: string) {
		const db = spine.services.database.db;
		return until(async () => {
			await spine.runtime.leader!.persister.flush();
			const [row] = await db
				.select()
				.from(calls)
				.where(and(eq(calls.linkedid, linkedid), isNotNull(calls.endedAt), isNotNull(calls.agentId)));
			return row;
		}, `the stored call ${linkedid}`);
	}

	beforeAll(async () => {
		spine = await startLiveSpine({ agents: 4, leads: 20, seed: 11 });
		sim = spine.runtime.leader!.simulator!;
		const db = spine.services.database.db;
		agent = (await listUsers(db, { role: 'agent' })).sort((a, b) => a.endpoint!.localeCompare(b.endpoint!))[0]!;
		// a person on the workstation, not a bot: the simulated phone answers queue calls on its own
		sim.model.setBot(agent.endpoint!, false);
		await until(() => sim.model.queues().find((q) => q.name === 'sales')?.members.some((m) => m.iface === agent.endpoint), 'the agent in sales');
		const link = parseAmiUrls(sim.url)[0]!;
		ami = await AmiTestClient.connect(link.port, link.host);
		expect(first(await ami.login(link.username, link.secret), 'Response')).toBe('Success');
		// a call the bot was still on ends now
		await ami.action({ Action: 'Hangup', Channel: `/^${agent.endpoint!.replace('/', '\\/')}-/` });
		await until(() => sim.model.agentActivity(agent.endpoint!) === 'idle', 'the agent free of bot calls');
	});

	afterAll(async () => {
		ami?.close();
		await spine?.close();
	});

	it('a lead calling back after a missed attempt: lead, the attempt’s project, direction in, recording, history', async () => {
		const db = spine.services.database.db;
		const [own] = await db.select({ projectId: projectAgents.projectId }).from(projectAgents).where(eq(projectAgents.userId, agent.id));
		const [other] = (await db.select({ id: projects.id }).from(projects)).filter((p) => p.id !== own!.projectId);
		// a lead of the agent's project, also in the other project, missed there an hour ago
		const [lead] = await db
			.select({ leadId: projectLeads.leadId, e164: leadPhones.e164 })
			.from(projectLeads)
			.innerJoin(leadPhones, eq(leadPhones.leadId, projectLeads.leadId))
			.where(eq(projectLeads.projectId, own!.projectId))
			.limit(1);
		await db.insert(projectLeads).values({ projectId: other!.id, leadId: lead!.leadId, attempts: 1, status: 'callback' });
		const missedAt = new Date(Date.now() - 3600_000);
		await db.insert(calls).values({
			pbx: 'sim',
			linkedid: 'missed-attempt',
			direction: 'out',
			projectId: other!.id,
			leadId: lead!.leadId,
			number: lead!.e164,
			startedAt: missedAt,
			endedAt: missedAt,
			dialStatus: 'NOANSWER'
		});

		// the trunk presents the national number (+33 1 40 00 00 00 → 0140000000)
		const national = lead!.e164.replace(/^\+33/, '0');
		const linkedid = await callIn(`"Calling Back" <${national}>`);
		const row = await storedCall(linkedid);
		expect(row).toMatchObject({
			direction: 'in',
			queue: 'sales',
			agentId: agent.id,
			leadId: lead!.leadId,
			projectId: other!.id,
			number: national,
			dialStatus: 'ANSWER'
		});
		expect(row.answeredAt).not.toBeNull();
		// the queue recorded the caller (monitor-format) and the file is where the app serves it from
		expect(row.recordingPath).toMatch(/\.wav$/);
		await sim.flushRecordings();
		expect(await resolveRecording(recordingsRoot(spine.services.config.dataDir), row.recordingPath!)).not.toBeNull();

		const card = await loadLeadCard(db, lead!.leadId);
		const item = card!.history.find((h) => h.kind === 'call' && h.callId === row.id);
		expect(item).toMatchObject({ title: 'ANSWER', detail: national, by: agent.name, recording: true, direction: 'in' });
	});

	it('a caller who is no lead is stored as an inbound call of no lead', async () => {
		await until(() => sim.model.agentActivity(agent.endpoint!) === 'idle', 'the agent free again');
		const linkedid = await callIn('"Someone New" <0199999999>');
		const row = await storedCall(linkedid);
		expect(row).toMatchObject({ direction: 'in', queue: 'sales', agentId: agent.id, leadId: null, projectId: null, dialStatus: 'ANSWER' });
	});
});
