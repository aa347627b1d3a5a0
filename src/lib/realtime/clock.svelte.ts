/**
 * The one clock every live timer on a page derives from: server time (local time corrected by
 * the offset measured at each snapshot), ticked by a single 1 s interval and resynced as soon as
 * a hidden tab becomes visible again, so throttled background tabs never show drifted timers.
 */
export class ServerClock {
	#offset = 0;
	#now = $state(Date.now());
	#timer: ReturnType<typeof setInterval> | null = null;
	readonly #onVisibility = () => {
		if (document.visibilityState === 'visible') this.#tick();
	};

	/** Current server time in ms, updated once a second. */
	get now(): number {
		return this.#now;
	}

	/** `serverTime - Date.now()` as last measured. */
	get offset(): number {
		return this.#offset;
	}

	/** Records the server clock reading carried by a snapshot. */
	sync(serverTime: number): void {
		this.#offset = serverTime - Date.now();
		this.#tick();
	}

	/** A server timestamp on the local wall clock (to print "since 14:02:11"). */
	toLocal(serverMs: number): number {
		return serverMs - this.#offset;
	}

	start(): void {
		if (this.#timer !== null) return;
		this.#tick();
		this.#timer = setInterval(() => this.#tick(), 1_000);
		if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.#onVisibility);
	}

	stop(): void {
		if (this.#timer !== null) clearInterval(this.#timer);
		this.#timer = null;
		if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.#onVisibility);
	}

	#tick(): void {
		this.#now = Date.now() + this.#offset;
	}
}
