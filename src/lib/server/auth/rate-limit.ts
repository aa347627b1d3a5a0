/**
 * Login throttling per IP and per account: a fixed budget of failures in a sliding window.
 * In-process by design: each node protects itself; with N nodes an attacker gets at most N× the budget.
 */
export interface RateLimitRule {
	max: number;
	windowMs: number;
}

export class FailureLimiter {
	readonly #rule: RateLimitRule;
	readonly #hits = new Map<string, number[]>();

	constructor(rule: RateLimitRule) {
		this.#rule = rule;
	}

	#recent(key: string, now: number): number[] {
		const list = (this.#hits.get(key) ?? []).filter((t) => now - t < this.#rule.windowMs);
		if (list.length) this.#hits.set(key, list);
		else this.#hits.delete(key);
		return list;
	}

	/** ms until another attempt is allowed, 0 when allowed now */
	retryAfter(key: string, now = Date.now()): number {
		const list = this.#recent(key, now);
		if (list.length < this.#rule.max) return 0;
		return this.#rule.windowMs - (now - list[list.length - this.#rule.max]!);
	}

	fail(key: string, now = Date.now()): void {
		const list = this.#recent(key, now);
		list.push(now);
		this.#hits.set(key, list);
		if (this.#hits.size > 50_000) this.#sweep(now);
	}

	reset(key: string): void {
		this.#hits.delete(key);
	}

	#sweep(now: number): void {
		for (const key of [...this.#hits.keys()]) this.#recent(key, now);
	}
}

export const loginLimits = {
	perIp: new FailureLimiter({ max: 20, windowMs: 15 * 60_000 }),
	perAccount: new FailureLimiter({ max: 5, windowMs: 15 * 60_000 })
};
