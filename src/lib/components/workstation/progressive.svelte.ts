/**
 * Progressive dialling for one agent session (issue 7 §3): when on, a disposition takes the next
 * lead at once and dials it after a visible countdown the agent can stop. Preview (off) is the
 * default; the choice lives in sessionStorage, so it lasts for the browser session only.
 */
export const PROGRESSIVE_SECONDS = 5;
const KEY = 'sb.workstation.progressive';

export class Progressive {
	#enabled = $state(false);
	/** seconds left before the dial, null when no countdown runs */
	#remaining = $state<number | null>(null);
	#timer: ReturnType<typeof setInterval> | null = null;

	constructor() {
		if (typeof sessionStorage !== 'undefined') this.#enabled = sessionStorage.getItem(KEY) === 'on';
	}

	get enabled(): boolean {
		return this.#enabled;
	}

	get remaining(): number | null {
		return this.#remaining;
	}

	toggle(): void {
		this.#enabled = !this.#enabled;
		if (typeof sessionStorage !== 'undefined') sessionStorage.setItem(KEY, this.#enabled ? 'on' : 'off');
		if (!this.#enabled) this.stop();
	}

	/** Counts down from `seconds`, then calls `fire` (once) unless stopped first. */
	start(fire: () => void, seconds = PROGRESSIVE_SECONDS): void {
		this.stop();
		this.#remaining = seconds;
		this.#timer = setInterval(() => {
			const left = (this.#remaining ?? 1) - 1;
			if (left > 0) {
				this.#remaining = left;
				return;
			}
			this.stop();
			fire();
		}, 1000);
	}

	/** Stops a running countdown; true when there was one. */
	stop(): boolean {
		const running = this.#timer !== null;
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
		this.#remaining = null;
		return running;
	}
}
