/**
 * What the agent's workstation hears from the cockpit: messages (direct and team broadcasts), the
 * coaching notice while a supervisor whispers or barges, project moves, and their own raised hand
 * (read back from their floor tile, so the button shows what the hub holds, not what was clicked).
 * Its own socket: the workstation page keeps its floor store to itself.
 */
import { invalidateAll } from '$app/navigation';
import type { Ack, AgentView, CoachNotice, MessageView } from '$lib/protocol';
import { createHubSocket, type HubSocket } from '$lib/realtime/socket';

const NO_NOTICE: CoachNotice = { active: false, mode: null, text: null };

export class AgentNoticesStore {
	#messages = $state.raw<readonly MessageView[]>([]);
	#coach = $state.raw<CoachNotice>(NO_NOTICE);
	#handRaised = $state(false);
	#moved = $state<string | null>(null);
	#error = $state<string | null>(null);
	readonly #agentId: string;
	#socket: HubSocket | null = null;

	constructor(agentId: string) {
		this.#agentId = agentId;
	}

	get messages(): readonly MessageView[] {
		return this.#messages;
	}
	get unread(): number {
		return this.#messages.filter((m) => m.readAt === null).length;
	}
	get coach(): CoachNotice {
		return this.#coach;
	}
	get handRaised(): boolean {
		return this.#handRaised;
	}
	get moved(): string | null {
		return this.#moved;
	}
	get error(): string | null {
		return this.#error;
	}

	connect(): void {
		const s = createHubSocket();
		this.#socket = s;
		s.on('connect', () => {
			s.emit('floor:subscribe', {}, (ack) => {
				if (ack.ok) this.#track(ack.data.agents);
			});
			s.emit('message:list', {}, (ack) => {
				if (ack.ok) this.#messages = ack.data;
			});
		});
		s.on('disconnect', () => (this.#coach = NO_NOTICE));
		s.on('floor:snapshot', (snap) => this.#track(snap.agents));
		s.on('floor:patch', (msg) => {
			for (const p of msg.patches) if (p.kind === 'agent') this.#track([p.agent]);
		});
		s.on('message:received', (message) => {
			if (!this.#messages.some((m) => m.id === message.id)) this.#messages = [message, ...this.#messages];
		});
		s.on('coach:notice', (notice) => (this.#coach = notice));
		s.on('project:moved', (change) => {
			this.#moved = change.projectName;
			void invalidateAll();
		});
		s.connect();
	}

	destroy(): void {
		this.#socket?.disconnect();
		this.#socket = null;
	}

	#track(agents: readonly AgentView[]): void {
		const me = agents.find((a) => a.id === this.#agentId);
		if (me) this.#handRaised = me.handRaised;
	}

	#emit(send: (s: HubSocket, ack: (a: Ack) => void) => void): Promise<Ack> {
		const s = this.#socket;
		if (!s?.connected) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: '' } });
		return new Promise((resolve) => send(s, resolve));
	}

	async toggleHand(): Promise<void> {
		const raise = !this.#handRaised;
		const ack = await this.#emit((s, a) =>
			raise ? s.emit('hand:raise', {}, a) : s.emit('hand:lower', {}, a)
		);
		this.#error = ack.ok ? null : ack.error.message || ack.error.code;
	}

	async markRead(messageId: string): Promise<void> {
		const ack = await this.#emit((s, a) => s.emit('message:read', { messageId }, a));
		if (ack.ok)
			this.#messages = this.#messages.map((m) => (m.id === messageId ? { ...m, readAt: Date.now() } : m));
		else this.#error = ack.error.message || ack.error.code;
	}

	dismissMoved(): void {
		this.#moved = null;
	}
}
