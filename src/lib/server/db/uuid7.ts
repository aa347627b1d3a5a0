/**
 * Time-ordered UUIDs (RFC 9562, version 7) for rows written in bulk. Random (v4) ids scatter a
 * 1M-row import over every leaf of each index keyed by them (the primary keys, and lead_id in
 * phones, e-mails and project links): once those indexes outgrow the buffer cache every row reads
 * a cold page and writes a full-page image to the WAL. Consecutive v7 ids land on the right-hand
 * leaf instead. They stay unguessable enough for row ids (74 random bits) and sort like v4 ones.
 */
import { randomFillSync } from 'node:crypto';

const RANDOM_POOL = 4096;
const random = Buffer.alloc(RANDOM_POOL);
let randomAt = RANDOM_POOL;
let lastMs = 0;
/** 12-bit counter in rand_a: ids made within one millisecond still increase */
let sequence = 0;
const bytes = Buffer.alloc(16);

export function uuidv7(): string {
	let ms = Date.now();
	if (ms <= lastMs) {
		ms = lastMs;
		sequence++;
		if (sequence > 0xfff) {
			ms = ++lastMs;
			sequence = 0;
		}
	} else {
		lastMs = ms;
		sequence = 0;
	}
	if (randomAt + 8 > RANDOM_POOL) {
		randomFillSync(random);
		randomAt = 0;
	}
	bytes.writeUIntBE(ms, 0, 6);
	bytes[6] = 0x70 | (sequence >> 8);
	bytes[7] = sequence & 0xff;
	random.copy(bytes, 8, randomAt, randomAt + 8);
	randomAt += 8;
	bytes[8] = 0x80 | (bytes[8]! & 0x3f);
	const hex = bytes.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
