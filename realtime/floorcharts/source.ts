/**
 * The leader's side of the live charts and colour thresholds: counts every outbound call it sees
 * (from the reducer's call facts) per agent and 15-minute slot, and reads the few aggregates that
 * need the database — team thresholds every THRESHOLDS_MS, lead counts per project and status
 * and call targets every PROJECTS_MS — once for all viewers. Publishes deltas to the hub, and the
 * whole state to the other nodes now and then.
 */
import type { FloorchartsDelta, FloorchartsState, AgentIntensityView, ProjectProgressView } from '../../src/lib/protocol';
import type { Db } from '../../src/lib/server/db';
import {
	activeProjectCounts,
	agentCallTargets,
	allTeamThresholds,
	outboundCallsSince,
	projectsToday
} from '../../src/lib/server/floorcharts';
import { IntensityCounter, targetPerSlot } from '../../src/lib/floorcharts/intensity';
import { appendPoint } from '../../src/lib/floorcharts/progress';
import { applyChartsDelta, emptyChartsState } from '../../src/lib/floorcharts/state';
import type { CallFact } from '../state';

export const THRESHOLDS_MS = 5_000;
export const PROJECTS_MS = 30_000;

export interface FloorchartsSink {
	publish(delta: FloorchartsDelta): void;
	publishFull(state: FloorchartsState): void;
}

export interface FloorchartsSourceOptions {
	db: Db;
	sink: FloorchartsSink;
	now?: () => number;
	log?: { warn(obj: object, msg: string): void };
}

/** local calendar day of `t` and the ms it began */
export function localDay(t: number): { day: string; dayStart: number } {
	const d = new Date(t);
	d.setHours(0, 0, 0, 0);
	const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
	return { day, dayStart: d.getTime() };
}

export class FloorchartsSource {
	readonly #db: Db;
	readonly #sink: FloorchartsSink;
	readonly #now: () => number;
	readonly #log: FloorchartsSourceOptions['log'];
	#counter: IntensityCounter;
	#targets = new Map<string, number>();
	#thresholdsJson = '';
	#state: FloorchartsState;
	#seq = 0;
	#timers: ReturnType<typeof setInterval>[] = [];
	/** calls seen before the start-up read finished */
	#early: CallFact[] = [];
	#ready = false;
	/** the first (reset) delta went out: later changes go out as deltas */
	#started = false;
	#stopped = false;

	constructor(options: FloorchartsSourceOptions) {
		this.#db = options.db;
		this.#sink = options.sink;
		this.#now = options.now ?? Date.now;
		this.#log = options.log;
		const { day, dayStart } = localDay(this.#now());
		this.#counter = new IntensityCounter(day, dayStart);
		this.#state = emptyChartsState(day, dayStart);
	}

	/** Loads today's calls and the aggregates, publishes a reset, then keeps publishing. */
	async start(): Promise<void> {
		await this.#seedCalls();
		await this.refreshProjects();
		await this.refreshThresholds();
		if (this.#stopped) return;
		this.#started = true;
		this.#emit({ reset: true, thresholds: this.#state.thresholds, intensity: this.#state.intensity, projects: this.#state.projects });
		this.#timers.push(
			setInterval(() => {
				this.flushIntensity();
				this.refreshThresholds().catch((err: unknown) => this.#warn(err));
			}, THRESHOLDS_MS),
			setInterval(() => void this.refreshProjects().then(() => this.#sink.publishFull(this.#state)).catch((err: unknown) => this.#warn(err)), PROJECTS_MS)
		);
		for (const t of this.#timers) t.unref?.();
	}

	stop(): void {
		this.#stopped = true;
		for (const t of this.#timers) clearInterval(t);
		this.#timers = [];
	}

	/** Every call fact the reducer emits (many per call; each call counts once). */
	onCall(call: CallFact): void {
		if (!this.#ready) {
			this.#early.push(call);
			return;
		}
		if (call.direction !== 'out' || !call.agentId) return;
		this.#rollDay();
		this.#counter.record(call.agentId, `${call.pbx}:${call.linkedid}`, call.startedAt);
	}

	state(): FloorchartsState {
		return this.#state;
	}

	/** Publishes the agents counted since the last flush. */
	flushIntensity(): void {
		this.#rollDay();
		const changed = this.#counter.changed();
		if (!changed.length) return;
		const intensity: Record<string, AgentIntensityView> = {};
		for (const id of changed) intensity[id] = this.#intensityOf(id);
		this.#emit({ reset: false, intensity });
	}

	async refreshThresholds(): Promise<void> {
		const thresholds = await allTeamThresholds(this.#db);
		const json = JSON.stringify(thresholds);
		if (json === this.#thresholdsJson) return;
		this.#thresholdsJson = json;
		if (this.#started) this.#emit({ reset: false, thresholds });
		else this.#state = { ...this.#state, thresholds };
	}

	async refreshProjects(): Promise<void> {
		const [rows, targets] = await Promise.all([activeProjectCounts(this.#db), agentCallTargets(this.#db)]);
		const today = await projectsToday(this.#db, rows.map((r) => r.projectId), new Date(this.#counter.dayStart));
		const t = this.#now();
		const appended: ProjectProgressView[] = [];
		const known = new Map(this.#state.projects.map((p) => [p.projectId, p]));
		for (const r of rows) {
			const old = known.get(r.projectId);
			const points = [...(old?.points ?? [])];
			const moved = appendPoint(points, { t, counts: r.counts });
			const day = today.get(r.projectId);
			// a project goes out when its list moved or its day's figures did (points: only the new one)
			if (moved || JSON.stringify(day) !== JSON.stringify(old?.today)) {
				appended.push({ projectId: r.projectId, name: r.name, teamId: r.teamId, points: moved ? points.slice(-1) : [], ...(day ? { today: day } : {}) });
			}
		}
		const targetsChanged = [...targets].some(([id, n]) => this.#targets.get(id) !== n) || targets.size !== this.#targets.size;
		const old = this.#targets;
		this.#targets = targets;
		const intensity: Record<string, AgentIntensityView> = {};
		if (targetsChanged) {
			for (const id of new Set([...old.keys(), ...targets.keys()])) {
				if (old.get(id) !== targets.get(id)) intensity[id] = this.#intensityOf(id);
			}
		}
		if (!this.#started) {
			this.#state = applyChartsDelta(this.#state, { seq: 0, reset: false, day: this.#state.day, dayStart: this.#state.dayStart, projects: appended, intensity });
			return;
		}
		if (appended.length || Object.keys(intensity).length) {
			this.#emit({ reset: false, projects: appended, ...(Object.keys(intensity).length ? { intensity } : {}) });
		}
	}

	#intensityOf(agentId: string): AgentIntensityView {
		return { slots: this.#counter.slotsOf(agentId), target: targetPerSlot(this.#targets.get(agentId) ?? null) };
	}

	async #seedCalls(): Promise<void> {
		try {
			const rows = await outboundCallsSince(this.#db, new Date(this.#counter.dayStart));
			for (const r of rows) this.#counter.record(r.agentId, `${r.pbx}:${r.linkedid}`, r.startedAt.getTime());
		} finally {
			this.#ready = true;
			for (const c of this.#early.splice(0)) this.onCall(c);
			this.#counter.changed();
			const intensity: Record<string, AgentIntensityView> = {};
			for (const id of this.#counter.agents()) intensity[id] = this.#intensityOf(id);
			this.#state = { ...this.#state, intensity };
		}
	}

	/** a new day: counters start at zero and the viewers get a reset */
	#rollDay(): void {
		const { day, dayStart } = localDay(this.#now());
		if (day === this.#counter.day) return;
		this.#counter = new IntensityCounter(day, dayStart);
		this.#state = emptyChartsState(day, dayStart);
		this.#emit({ reset: true, thresholds: JSON.parse(this.#thresholdsJson || '{}') as FloorchartsState['thresholds'], intensity: {}, projects: [] });
	}

	#emit(part: Omit<FloorchartsDelta, 'seq' | 'day' | 'dayStart'>): void {
		const delta: FloorchartsDelta = { seq: ++this.#seq, day: this.#counter.day, dayStart: this.#counter.dayStart, ...part };
		this.#state = applyChartsDelta(this.#state, delta);
		this.#sink.publish(delta);
	}

	#warn(err: unknown): void {
		this.#log?.warn({ err }, 'floor charts refresh failed');
	}
}
