/**
 * The cluster-wide leader lock (DESIGN §1: one AMI consumer per PBX in the whole cluster): a Redis
 * key holding the leader's node id with a TTL. The leader renews it every `renewMs`; a leader that
 * cannot renew steps down `renewMs` before the key can expire, so two leaders never overlap.
 * Followers retry every `renewMs` (sooner when the key's TTL says it expires sooner), so a dead
 * leader is replaced within `ttlMs` of its last renewal and a closed one within `renewMs`.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

/** The part of a node-redis v5/v6 client the lock uses (`createClient()` satisfies it). */
export interface LockClient {
	sendCommand(args: ReadonlyArray<string>, options?: { timeout?: number }): Promise<unknown>;
}

export interface LeaderLockOptions {
	/** a connected client; `disableOfflineQueue: true` recommended so commands fail fast while Redis is away */
	client: LockClient;
	key?: string;
	/** unique per process, e.g. `${hostname()}:${process.pid}:${randomUUID()}` */
	nodeId: string;
	ttlMs?: number;
	renewMs?: number;
	log?: { warn(obj: object, msg: string): void };
}

export type LeaderLockEvents = {
	acquired: [];
	lost: [reason: string];
	/** an acquisition found the key held by another node (Redis answers, someone else leads) */
	busy: [];
};

/**
 * SET NX PX, with the holder's remaining TTL when taken → [1] | [0, pttl]. Never "reclaims" a key
 * that holds our own id: a node whose commands reach Redis but whose replies do not would keep
 * the key alive forever while never leading.
 */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
return {0, redis.call('PTTL', KEYS[1])}`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type State = 'idle' | 'follower' | 'leader' | 'closed';

const now = () => performance.now();

export class LeaderLock extends EventEmitter<LeaderLockEvents> {
	readonly key: string;
	readonly nodeId: string;
	readonly ttlMs: number;
	readonly renewMs: number;
	readonly #client: LockClient;
	readonly #log: LeaderLockOptions['log'];
	#state: State = 'idle';
	/** monotonic time at which a leader must have stepped down (ttl − renewMs after its last successful renewal was sent) */
	#leaseEnd = 0;
	/** bumped on every change of leadership: replies to commands sent under an older term are ignored */
	#term = 0;
	#next: NodeJS.Timeout | null = null;
	#stepDown: NodeJS.Timeout | null = null;
	#inFlight: Promise<void> | null = null;
	/** a timer fired while a command was in flight: run again as soon as it settles */
	#rerun = false;

	constructor(opts: LeaderLockOptions) {
		super();
		this.key = opts.key ?? 'sb:leader';
		this.nodeId = opts.nodeId;
		this.ttlMs = opts.ttlMs ?? 4000;
		this.renewMs = opts.renewMs ?? 1000;
		this.#client = opts.client;
		this.#log = opts.log;
		if (!this.nodeId) throw new Error('LeaderLock: nodeId is required');
		if (!(this.renewMs > 0 && this.ttlMs >= 2 * this.renewMs)) {
			throw new Error('LeaderLock: ttlMs must be at least twice renewMs');
		}
	}

	/** true only while the lease is certainly ours (also false when the event loop stalled past the lease) */
	get isLeader(): boolean {
		return this.#state === 'leader' && now() < this.#leaseEnd;
	}

	start(): void {
		if (this.#state !== 'idle') return;
		this.#state = 'follower';
		this.#run();
	}

	/** Stops acting as leader ('lost' with reason 'closed' if it was), then deletes the key if it is still ours. */
	async close(): Promise<void> {
		if (this.#state === 'closed') return;
		const wasLeader = this.#state === 'leader';
		const started = this.#state !== 'idle';
		this.#state = 'closed';
		this.#term++;
		this.#clearTimers();
		if (wasLeader) this.emit('lost', 'closed');
		if (!started) return;
		// An acquisition still in flight may yet set the key: wait for it, then compare-and-delete.
		await this.#inFlight;
		try {
			await this.#eval(RELEASE, this.nodeId);
		} catch (err) {
			this.#log?.warn({ err, key: this.key }, 'leader lock: release failed, the key will expire');
		}
	}

	#run(): void {
		this.#next = null;
		if (this.#state === 'closed') return;
		if (this.#inFlight) {
			this.#rerun = true;
			return;
		}
		const attempt = (this.#state === 'leader' ? this.#renew() : this.#acquire()).catch((err: unknown) => {
			// only a throwing 'acquired'/'lost' listener gets here
			this.#log?.warn({ err, key: this.key }, 'leader lock: a listener threw');
		});
		this.#inFlight = attempt.finally(() => {
			this.#inFlight = null;
			if (this.#rerun) {
				this.#rerun = false;
				this.#run();
			}
		});
	}

	#schedule(ms: number): void {
		if (this.#state === 'closed') return;
		if (this.#next) clearTimeout(this.#next);
		this.#next = setTimeout(() => this.#run(), Math.max(0, ms));
		this.#next.unref();
	}

	async #acquire(): Promise<void> {
		const term = this.#term;
		const sentAt = now();
		let reply: unknown;
		try {
			reply = await this.#eval(ACQUIRE, this.nodeId, String(this.ttlMs));
		} catch (err) {
			// The SET may still run once a stalled link recovers: queue a compare-and-delete behind it
			// (same connection, so in order) rather than leave a key nobody leads with.
			this.#eval(RELEASE, this.nodeId).catch(() => {});
			if (term === this.#term) {
				this.#log?.warn({ err, key: this.key }, 'leader lock: acquisition failed');
				this.#schedule(this.renewMs);
			}
			return;
		}
		if (term !== this.#term || this.#state !== 'follower') return;
		const [got, pttl] = Array.isArray(reply) ? reply : [];
		if (got !== 1) {
			// Come back when the holder's lease runs out if that is sooner than the usual retry.
			const expiresIn = typeof pttl === 'number' && pttl >= 0 ? pttl + 5 : this.renewMs;
			this.#schedule(Math.min(this.renewMs, expiresIn));
			this.emit('busy');
			return;
		}
		if (!this.#extendLease(sentAt)) {
			// The answer came too late to lead safely (a stalled event loop): let the key expire.
			this.#schedule(this.renewMs);
			return;
		}
		this.#state = 'leader';
		this.#term++;
		this.#schedule(this.renewMs);
		this.emit('acquired');
	}

	async #renew(): Promise<void> {
		const term = this.#term;
		const sentAt = now();
		let reply: unknown;
		try {
			reply = await this.#eval(RENEW, this.nodeId, String(this.ttlMs));
		} catch (err) {
			if (term === this.#term) {
				this.#log?.warn({ err, key: this.key }, 'leader lock: renewal failed, retrying until the lease ends');
				this.#schedule(this.renewMs);
			}
			return;
		}
		if (term !== this.#term || this.#state !== 'leader') return;
		if (reply !== 1) {
			this.#lose('the lock key no longer holds our node id');
			return;
		}
		this.#extendLease(sentAt);
		this.#schedule(this.renewMs);
	}

	/** A successful SET/PEXPIRE sent at `sentAt` lets us lead until `sentAt + ttl − renewMs`. */
	#extendLease(sentAt: number): boolean {
		const leaseEnd = sentAt + this.ttlMs - this.renewMs;
		if (leaseEnd <= now()) return false;
		this.#leaseEnd = leaseEnd;
		if (this.#stepDown) clearTimeout(this.#stepDown);
		this.#stepDown = setTimeout(
			() => this.#lose(`no successful renewal for ${this.ttlMs - this.renewMs} ms`),
			this.#leaseEnd - now()
		);
		this.#stepDown.unref();
		return true;
	}

	#lose(reason: string): void {
		if (this.#state !== 'leader') return;
		this.#state = 'follower';
		this.#term++;
		this.#clearTimers();
		this.#schedule(this.renewMs);
		this.emit('lost', reason);
	}

	#clearTimers(): void {
		if (this.#next) clearTimeout(this.#next);
		if (this.#stepDown) clearTimeout(this.#stepDown);
		this.#next = null;
		this.#stepDown = null;
	}

	/**
	 * A command never waits longer than one renewal period, so a stalled link cannot hold the loop.
	 * node-redis' own `timeout` only drops a command still waiting to be written (then it never
	 * runs); once written it would wait for its reply forever, hence the timer here.
	 */
	#eval(script: string, ...args: string[]): Promise<unknown> {
		const command = this.#client.sendCommand(['EVAL', script, '1', this.key, ...args], {
			timeout: this.renewMs
		});
		return new Promise((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`Redis did not answer within ${this.renewMs} ms`)),
				this.renewMs
			);
			command.then(resolve, reject).finally(() => clearTimeout(timer));
		});
	}
}
