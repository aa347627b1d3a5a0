/**
 * The outbox worker: one loop per app process, started with the services. It delivers every due
 * letter (claimDueLetter's lock and lease keep nodes from sending the same one), then sleeps until
 * the next poll or until `wake()` (a letter was just queued in this process).
 */
import type { Db } from '../db';
import { claimDueLetter, composeMail, markDelivered, markFailed } from './outbox';
import { safeError, type MailTransport } from './transport';

export interface WorkerLog {
	info(obj: object, msg: string): void;
	warn(obj: object, msg: string): void;
}

export interface OutboxWorkerOptions {
	db: Db;
	transport: MailTransport;
	from: string;
	dataDir: string;
	log?: WorkerLog;
	pollMs?: number;
	/** how long a claimed letter is reserved for the sender */
	leaseMs?: number;
	now?: () => Date;
}

export class OutboxWorker {
	readonly #o: Required<Omit<OutboxWorkerOptions, 'log'>> & { log: WorkerLog | null };
	#running = false;
	#loop: Promise<void> | null = null;
	#wake: (() => void) | null = null;
	#pending = false;

	constructor(options: OutboxWorkerOptions) {
		this.#o = { pollMs: 5000, leaseMs: 5 * 60_000, now: () => new Date(), ...options, log: options.log ?? null };
	}

	get transportKind(): MailTransport['kind'] {
		return this.#o.transport.kind;
	}

	/** Delivers every letter due now; returns how many attempts were made. */
	async drain(): Promise<number> {
		let n = 0;
		for (;;) {
			const now = this.#o.now();
			const letter = await claimDueLetter(this.#o.db, now, this.#o.leaseMs);
			if (!letter) return n;
			n++;
			try {
				const delivery = await this.#o.transport.deliver(composeMail(letter, this.#o.from, this.#o.dataDir));
				await markDelivered(this.#o.db, letter.id, delivery, this.#o.now());
			} catch (err) {
				const error = safeError(err);
				const status = await markFailed(this.#o.db, letter, error, this.#o.now());
				this.#o.log?.warn({ letter: letter.id, attempts: letter.attempts, status, error }, 'outbox: delivery failed');
			}
		}
	}

	start(): void {
		if (this.#running) return;
		this.#running = true;
		this.#loop = this.#run();
	}

	/** A letter was queued: deliver now rather than at the next poll. */
	wake(): void {
		this.#pending = true;
		this.#wake?.();
	}

	async stop(): Promise<void> {
		this.#running = false;
		this.#wake?.();
		await this.#loop;
		this.#o.transport.close();
	}

	async #run(): Promise<void> {
		while (this.#running) {
			this.#pending = false;
			try {
				await this.drain();
			} catch (err) {
				// the database went away for a moment: keep the loop, try at the next poll
				this.#o.log?.warn({ error: safeError(err) }, 'outbox: poll failed');
			}
			if (!this.#running || this.#pending) continue;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, this.#o.pollMs);
				this.#wake = () => {
					clearTimeout(timer);
					resolve();
				};
			});
			this.#wake = null;
		}
	}
}
