/**
 * The supervisor side of the cockpit in the browser: open alerts (raised and claimed live), who
 * else is on the floor, and the notes pinned on agents. Fed by the same socket as the floor store;
 * reloads its lists on every (re)connect, so a dropped link never leaves a stale alert list.
 */
import { createContext } from 'svelte';
import type { AgentNoteView, AlertView, PresenceEntry } from '$lib/protocol';
import type { FloorStore } from '$lib/realtime/floor.svelte';
import type { HubSocket } from '$lib/realtime/socket';
import { beep } from './beep';

const SOUND_KEY = 'sb.cockpit.sound';
const NO_NOTES: readonly AgentNoteView[] = Object.freeze([]);

export class CockpitStore {
	#alerts = $state.raw<readonly AlertView[]>([]);
	#presence = $state.raw<readonly PresenceEntry[]>([]);
	#notes = $state.raw<Readonly<Record<string, readonly AgentNoteView[]>>>({});
	#sound = $state(false);
	readonly #socket: HubSocket;
	readonly #floor: FloorStore;
	readonly #teams: () => string[];

	constructor(socket: HubSocket, floor: FloorStore, watchedTeams: () => string[]) {
		this.#socket = socket;
		this.#floor = floor;
		this.#teams = watchedTeams;
		if (typeof localStorage !== 'undefined') this.#sound = localStorage.getItem(SOUND_KEY) === 'on';
	}

	get alerts(): readonly AlertView[] {
		return this.#alerts;
	}
	get presence(): readonly PresenceEntry[] {
		return this.#presence;
	}
	get sound(): boolean {
		return this.#sound;
	}
	set sound(on: boolean) {
		this.#sound = on;
		localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
	}
	notesFor(agentId: string): readonly AgentNoteView[] {
		return this.#notes[agentId] ?? NO_NOTES;
	}

	connect(): void {
		const s = this.#socket;
		s.on('connect', this.#load);
		s.on('alert:raised', this.#onRaised);
		s.on('alert:updated', this.#onUpdated);
		s.on('presence:update', this.#onPresence);
		s.on('note:added', this.#onNote);
		s.on('note:removed', this.#onNoteRemoved);
		if (s.connected) this.#load();
	}

	destroy(): void {
		const s = this.#socket;
		s.off('connect', this.#load);
		s.off('alert:raised', this.#onRaised);
		s.off('alert:updated', this.#onUpdated);
		s.off('presence:update', this.#onPresence);
		s.off('note:added', this.#onNote);
		s.off('note:removed', this.#onNoteRemoved);
	}

	/** Tells the others which teams this viewer watches (after a filter change too). */
	async watch(): Promise<void> {
		const ack = await this.#floor.command('presence:watch', { teams: this.#teams() });
		if (ack.ok) this.#presence = ack.data;
	}

	readonly #load = async () => {
		void this.watch();
		const [alerts, notes] = await Promise.all([
			this.#floor.command('alert:list', {}),
			this.#floor.command('note:list', {})
		]);
		if (alerts.ok) this.#alerts = alerts.data;
		if (notes.ok) {
			const byAgent: Record<string, AgentNoteView[]> = {};
			for (const n of notes.data) (byAgent[n.agentId] ??= []).push(n);
			this.#notes = byAgent;
		}
	};

	readonly #onRaised = (alert: AlertView) => {
		if (this.#alerts.some((a) => a.id === alert.id)) return;
		this.#alerts = [alert, ...this.#alerts];
		if (this.#sound) beep();
	};

	readonly #onUpdated = (alert: AlertView) => {
		this.#alerts =
			alert.resolvedAt !== null
				? this.#alerts.filter((a) => a.id !== alert.id)
				: this.#alerts.map((a) => (a.id === alert.id ? alert : a));
	};

	readonly #onPresence = (entries: PresenceEntry[]) => {
		this.#presence = entries;
	};

	readonly #onNote = (note: AgentNoteView) => {
		const list = this.#notes[note.agentId] ?? [];
		if (list.some((n) => n.id === note.id)) return;
		this.#notes = { ...this.#notes, [note.agentId]: [note, ...list] };
	};

	readonly #onNoteRemoved = (removed: { id: string; agentId: string }) => {
		const list = this.#notes[removed.agentId];
		if (!list) return;
		this.#notes = { ...this.#notes, [removed.agentId]: list.filter((n) => n.id !== removed.id) };
	};
}

export const [getCockpit, setCockpit] = createContext<CockpitStore>();
