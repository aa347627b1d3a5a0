/**
 * The supervisor cockpit in Chromium against the built app and the simulator: two supervisors in
 * two browser contexts follow one monitoring session (badge, presence line, audit rows) while the
 * agent's workstation shows the coaching notice for whisper and barge but not for a listen, an alert
 * raised by a pause over a tiny threshold is claimed by one and shown claimed to the other, an
 * agent's raised hand reaches the board, and a supervisor cannot see or monitor another team.
 * Screenshots go to tests/e2e/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { io as connect } from 'socket.io-client';
import { describe, expect, inject, it } from 'vitest';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../src/lib/protocol';
import type { Socket } from 'socket.io-client';
import { demoAccount as demo, listenToTalkingAgent, login, open, openFloor, useBrowser } from './browser';

const SHOTS = path.resolve('tests/e2e/screenshots');
/** Sam supervises the demo's second team: agents on odd indexes, PJSIP/1002, 1004, … (members of the support queue). */
const SAM = () => demo('supervisor', 1);
const SAMS_TILE = '[data-agent-id][data-endpoint^="PJSIP/10"]';
/** the tile of demo agent #3 (PJSIP/1004, Sam's team), who has the workstation open in the first test */
const AGENT_TILE = '[data-agent-id][data-endpoint="PJSIP/1004"]';

async function shot(p: Page, name: string) {
	mkdirSync(SHOTS, { recursive: true });
	await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

describe.sequential('the supervisor cockpit in Chromium', () => {
	const { page, newPage, baseURL } = useBrowser();
	const ctx = inject('e2e');

	it(
		'one supervisor listens, the other sees the badge and the presence line; whisper and barge show the agent the coaching notice, a listen does not; stop; audited',
		// up to three rounds, each possibly waiting minutes for this one bot's next answered call
		{ timeout: 900_000 },
		async () => {
			// the agent on PJSIP/1004 (demo agent #3, Sam's team) has the workstation open
			const agent = page();
			await login(agent, demo('agent', 3));
			await open(agent, '/agent');
			await agent.waitForSelector('[data-testid=agent-notices]');
			const sam = await newPage();
			await login(sam, SAM());
			await openFloor(sam);
			const marie = await newPage();
			await login(marie, demo('manager'));
			await openFloor(marie);
			// both are on the floor: each sees the other in the presence strip
			await sam.waitForSelector('[data-testid=presence-entry]:has-text("Marie")', { timeout: 10_000 });
			await marie.waitForSelector('[data-testid=presence-entry]:has-text("Sam")', { timeout: 10_000 });

			const notice = '[data-testid=coach-notice]';
			const modeButton = (mode: string) => `[data-testid=panel-monitoring] button[data-mode=${mode}]`;
			/**
			 * Listen → whisper → barge → listen on the agent's live call, checking both boards and the
			 * agent's workstation; false when the bot's call (and ChanSpy with it) ended on the way.
			 */
			async function coachingRound(): Promise<string | null> {
				const agentId = await listenToTalkingAgent(sam, AGENT_TILE, { waitMs: 240_000 });
				const tile = `[data-agent-id="${agentId}"]`;
				try {
					// the other supervisor's board shows the badge and the "Sam listens to …" line
					await marie.waitForSelector(`${tile}[data-monitored] .badge-monitor[data-mode=listen]`, {
						timeout: 5_000
					});
					await marie.waitForSelector('[data-testid=presence-monitor][data-mode=listen]:has-text("Sam")');
					await shot(marie, 'cockpit-badge-listen');
					// a silent listen: the agent is not told
					await expect(agent.locator(notice).count()).resolves.toBe(0);

					await sam.click(modeButton('whisper'));
					await sam.waitForSelector('[data-testid=panel-monitoring][data-mode=whisper]', { timeout: 8_000 });
					await marie.waitForSelector(`${tile} .badge-monitor[data-mode=whisper]`, { timeout: 5_000 });
					await agent.waitForSelector(`${notice}[data-mode=whisper]`, { timeout: 5_000 });
					await shot(sam, 'cockpit-panel-whisper');
					await shot(agent, 'cockpit-agent-coached');

					await sam.click(modeButton('barge'));
					await marie.waitForSelector(`${tile} .badge-monitor[data-mode=barge]`, { timeout: 8_000 });
					await agent.waitForSelector(`${notice}[data-mode=barge]`, { timeout: 5_000 });

					// back to a silent listen: the notice goes away
					await sam.click(modeButton('listen'));
					await marie.waitForSelector(`${tile} .badge-monitor[data-mode=listen]`, { timeout: 8_000 });
					await agent.waitForSelector(notice, { state: 'detached', timeout: 5_000 });
					return agentId;
				} catch (err) {
					// the call ended under us: the session is gone from the board, try the next call
					if ((await marie.locator(`${tile}[data-monitored]`).count()) === 0) return null;
					throw err;
				}
			}
			let agentId: string | null = null;
			for (let round = 0; round < 3 && !agentId; round++) agentId = await coachingRound();
			expect(agentId).not.toBeNull();
			const tile = `[data-agent-id="${agentId}"]`;

			// stop; a bot's call may have ended first, and ChanSpy with it (option E): then there is nothing to stop
			const stopped = await sam
				.click('[data-testid=monitor-stop]', { timeout: 3_000 })
				.then(() => true)
				.catch(() => false);
			await marie.waitForSelector(`${tile}:not([data-monitored])`, { timeout: 10_000 });
			await agent.waitForSelector(notice, { state: 'detached' });

			// a note pinned from Sam's panel marks the tile on the other supervisor's board, and goes with it
			await sam.fill('[data-testid=note-input]', 'Ask about the Q3 renewal first');
			await sam.press('[data-testid=note-input]', 'Enter');
			await marie.waitForSelector(`${tile} [data-testid=tile-note]:has-text("Ask about the Q3 renewal")`, {
				timeout: 5_000
			});
			await shot(marie, 'cockpit-tile-note');
			await sam.click('[data-testid=agent-notes] li:has-text("Ask about the Q3 renewal") button');
			await marie.waitForSelector(`${tile} [data-testid=tile-note]`, { state: 'detached', timeout: 5_000 });

			if (ctx.databaseUrl) {
				const { default: postgres } = await import('postgres');
				const sql = postgres(ctx.databaseUrl, { max: 1, onnotice: () => {} });
				try {
					const rows = await sql<
						{ action: string }[]
					>`select action from audit_log where target = ${agentId!} and action like 'monitor.%' order by id`;
					expect(rows.map((r) => r.action)).toEqual(
						expect.arrayContaining(['monitor.start', 'monitor.switch', ...(stopped ? ['monitor.stop'] : [])])
					);
				} finally {
					await sql.end({ timeout: 5 });
				}
			}
		}
	);

	it(
		'an alert raised by a pause over the team threshold is claimed by one supervisor and shown claimed to the other',
		{ timeout: 180_000 },
		async () => {
			const sam = page();
			await login(sam, SAM());
			// a tiny threshold through the rules editor: paused longer than 0.05 min (3 s)
			await open(sam, '/floor/alerts/rules');
			const form = sam.locator('[data-testid=rules-form]');
			await expect(form.count()).resolves.toBe(1);
			await form.locator('[data-testid=rule-threshold-paused_too_long]').fill('0.05');
			await form.locator('[data-testid=rule-enabled-no_connect]').uncheck();
			await form.locator('[data-testid=rules-save]').click();
			await sam.waitForSelector('[data-testid=rules-saved]');

			await openFloor(sam);
			const marie = await newPage();
			await login(marie, demo('manager'));
			await openFloor(marie);

			// pause an idle agent of Sam's team with a reason from the pick list
			const tile = await sam.waitForSelector(`${SAMS_TILE}[data-state=idle]`, { timeout: 30_000 });
			const agentId = (await tile.getAttribute('data-agent-id'))!;
			await tile.click();
			await sam.selectOption('[data-testid=pause-reason]', 'coaching');
			await sam.click('[data-testid=agent-pause]');
			await sam.waitForSelector(`[data-agent-id="${agentId}"][data-state=paused]`, { timeout: 10_000 });
			await sam.keyboard.press('Escape');

			// the leader re-reads rules every 10 s and evaluates every 5 s
			const alert = `[data-testid=alert][data-kind=paused_too_long][data-subject="${agentId}"]`;
			await sam.waitForSelector(alert, { timeout: 40_000 });
			await marie.waitForSelector(alert, { timeout: 5_000 });
			await marie.click(`${alert} [data-testid=alert-claim]`);
			await sam.waitForSelector(`${alert}[data-claimed] [data-testid=alert-claim-state]:has-text("Marie")`, {
				timeout: 5_000
			});
			await shot(sam, 'cockpit-alert-claimed');

			// resolved by the claimer: gone from both, in the history as resolved
			await marie.click(`${alert} [data-testid=alert-resolve]`);
			await sam.waitForSelector(alert, { state: 'detached', timeout: 5_000 });
			await open(sam, '/floor/alerts?status=resolved&kind=paused_too_long');
			await expect(sam.locator('[data-testid=history-row]').count()).resolves.toBeGreaterThan(0);
			await shot(sam, 'cockpit-alert-history');

			// back to work, and the default threshold again
			await openFloor(sam);
			await sam.click(`[data-agent-id="${agentId}"]`);
			await sam.click('[data-testid=agent-unpause]');
			await sam.waitForSelector(`[data-agent-id="${agentId}"]:not([data-state=paused])`, { timeout: 10_000 });
			await open(sam, '/floor/alerts/rules');
			await sam.locator('[data-testid=rule-threshold-paused_too_long]').fill('15');
			await sam.locator('[data-testid=rule-enabled-no_connect]').check();
			await sam.locator('[data-testid=rules-save]').click();
			await sam.waitForSelector('[data-testid=rules-saved]');
		}
	);

	it(
		"an agent's raised hand shows on the board, with a one-click whisper in the panel",
		{ timeout: 120_000 },
		async () => {
			// demo agent #1 is PJSIP/1002, in Sam's team
			const agent = page();
			await login(agent, demo('agent', 1));
			await open(agent, '/agent');
			await agent.waitForSelector('[data-testid=hand-toggle]');
			const sam = await newPage();
			await login(sam, SAM());
			await openFloor(sam);
			const tile = '[data-agent-id][data-endpoint="PJSIP/1002"]';

			await agent.waitForSelector('[data-testid=hand-toggle][aria-pressed=false]');
			await agent.keyboard.press('Alt+KeyH');
			await agent.waitForSelector('[data-testid=hand-toggle][aria-pressed=true]', { timeout: 5_000 });
			await sam.waitForSelector(`${tile}[data-hand] [data-testid=hand-raised]`, { timeout: 5_000 });
			await sam.click(tile);
			await sam.waitForSelector('[data-testid=panel-hand] [data-testid=hand-whisper]');
			await shot(sam, 'cockpit-raised-hand');
			await shot(agent, 'cockpit-agent-hand');

			// a message from the panel reaches the agent live; the agent marks it read
			await sam.fill('[data-testid=agent-message]', 'I am coming to help');
			await sam.press('[data-testid=agent-message]', 'Enter');
			await agent.waitForSelector(
				'[data-testid=agent-message][data-unread]:has-text("I am coming to help")',
				{ timeout: 5_000 }
			);
			await agent.click('[data-testid=agent-message][data-unread] [data-testid=mark-read]');
			await agent.waitForSelector(
				'[data-testid=agent-message]:not([data-unread]):has-text("I am coming to help")'
			);

			// the agent lowers the hand again (Alt+H): the board follows
			await agent.keyboard.press('Alt+KeyH');
			await sam.waitForSelector(`${tile}:not([data-hand])`, { timeout: 5_000 });
		}
	);

	it(
		'a supervisor of one team neither sees nor may monitor an agent of the other team',
		{ timeout: 120_000 },
		async () => {
			const sam = page();
			await login(sam, SAM());
			await openFloor(sam);
			const endpoints = await sam.$$eval(SAMS_TILE, (tiles) =>
				tiles.map((t) => t.getAttribute('data-endpoint') ?? '')
			);
			expect(endpoints).toHaveLength(10);
			expect(endpoints.every((e) => Number(e.slice(-2)) % 2 === 0)).toBe(true);

			// PJSIP/1001 belongs to the other team: its id, from the manager's board
			const marie = await newPage();
			await login(marie, demo('manager'));
			await openFloor(marie);
			const foreignId = await marie.getAttribute(
				'[data-agent-id][data-endpoint="PJSIP/1001"]',
				'data-agent-id'
			);
			expect(foreignId).toBeTruthy();

			// a real socket with Sam's session cookie asks anyway: the hub refuses
			const cookies = await sam.context().cookies();
			const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
			const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(baseURL, {
				transports: ['websocket'],
				extraHeaders: { cookie },
				reconnection: false,
				forceNew: true
			});
			try {
				const ack = await new Promise<Ack<{ monitorId: string }>>((resolve) =>
					socket.emit('monitor:start', { agentId: foreignId!, mode: 'listen', ringTo: 'endpoint' }, resolve)
				);
				expect(ack).toEqual({
					ok: false,
					error: { code: 'forbidden', message: 'this agent is not in your teams' }
				});
				const note = await new Promise<Ack<unknown>>((resolve) =>
					socket.emit('note:add', { agentId: foreignId!, body: 'x' }, resolve)
				);
				expect(!note.ok && note.error.code).toBe('forbidden');
			} finally {
				socket.close();
			}
			await shot(sam, 'cockpit-team-scope');
		}
	);
});
