/**
 * The mailer: the outbox worker over SMTP when `SMTP_URL` is set, else over the database outbox
 * (letters kept as `held`, readable on /outbox). Started once per process with the services.
 */
import type { Config } from '../config';
import type { Db } from '../db';
import { holdTransport, smtpTransport } from './transport';
import { OutboxWorker, type WorkerLog } from './worker';

export { OutboxWorker } from './worker';

export function startOutbox(config: Pick<Config, 'SMTP_URL' | 'SMTP_FROM' | 'dataDir'>, db: Db, log?: WorkerLog): OutboxWorker {
	const worker = new OutboxWorker({
		db,
		transport: config.SMTP_URL ? smtpTransport(config.SMTP_URL) : holdTransport,
		from: config.SMTP_FROM,
		dataDir: config.dataDir,
		log
	});
	worker.start();
	log?.info({ transport: worker.transportKind }, config.SMTP_URL ? 'outbox: delivering over SMTP' : 'outbox: no SMTP_URL, letters are kept in the database outbox (/outbox)');
	return worker;
}
