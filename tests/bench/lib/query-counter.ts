/**
 * Counts every statement the process sends to PGlite: the public entry points `query`, `exec` and
 * `transaction` (and the `query`/`exec`/`sql` of the transaction handle it passes in) are wrapped
 * on PGlite.prototype, so every instance opened afterwards — including the one openDatabase()
 * creates — is counted. drizzle's PGlite driver only uses these. Each statement is recorded under
 * the tables it names, so a case can tell the directory refresh (users, team_members) from session
 * checks (sessions) and anything else.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';

export interface QueryCounts {
	total: number;
	/**
	 * statement count per table set, e.g. `users` or `sessions` or `team_members,users`; statements
	 * run inside `transaction()` are keyed `tx:<tables>` (with `tx:begin` / `tx:commit` per transaction)
	 */
	byTables: Record<string, number>;
}

export interface QueryCounter {
	/** counts since install (or since the last reset) */
	read(): QueryCounts;
	reset(): void;
	/** put the original methods back */
	restore(): void;
}

/** `"users"`, `from "team_members"` → the set of table names a statement touches (sorted, deduped) */
export function tablesOf(sql: string): string {
	const names = new Set<string>();
	for (const m of sql.matchAll(/\b(?:from|join|into|update|table)\s+"?([a-z_][a-z0-9_]*)"?/gi)) {
		const name = m[1]!.toLowerCase();
		if (name !== 'select') names.add(name);
	}
	if (names.size === 0) return (/^\s*(\w+)/.exec(sql)?.[1] ?? '?').toLowerCase();
	return [...names].sort().join(',');
}

let installed: QueryCounter | null = null;

export function installQueryCounter(): QueryCounter {
	if (installed) {
		installed.reset();
		return installed;
	}
	const proto = PGlite.prototype;
	const origQuery = proto.query;
	const origExec = proto.exec;
	const origTransaction = proto.transaction;
	let counts: QueryCounts = { total: 0, byTables: {} };
	const note = (sql: unknown, inTx = false): void => {
		const key = (inTx ? 'tx:' : '') + (typeof sql === 'string' ? tablesOf(sql) : '?');
		counts.total++;
		counts.byTables[key] = (counts.byTables[key] ?? 0) + 1;
	};
	const wrapTx = (tx: Transaction): Transaction => {
		const q = tx.query.bind(tx);
		const e = tx.exec.bind(tx);
		const s = tx.sql.bind(tx);
		return Object.assign(Object.create(tx) as Transaction, {
			query: ((sql: string, ...rest: unknown[]) => {
				note(sql, true);
				return (q as (...a: unknown[]) => unknown)(sql, ...rest);
			}) as Transaction['query'],
			exec: ((sql: string, ...rest: unknown[]) => {
				note(sql, true);
				return (e as (...a: unknown[]) => unknown)(sql, ...rest);
			}) as Transaction['exec'],
			sql: ((strings: TemplateStringsArray, ...params: unknown[]) => {
				note(strings.join('?'), true);
				return (s as (...a: unknown[]) => unknown)(strings, ...params);
			}) as Transaction['sql']
		});
	};
	proto.query = function (this: PGlite, ...args: Parameters<PGlite['query']>) {
		note(args[0]);
		return origQuery.apply(this, args);
	} as PGlite['query'];
	proto.exec = function (this: PGlite, ...args: Parameters<PGlite['exec']>) {
		note(args[0]);
		return origExec.apply(this, args);
	} as PGlite['exec'];
	proto.transaction = function <T>(this: PGlite, callback: (tx: Transaction) => Promise<T>): Promise<T> {
		// BEGIN … COMMIT count as one statement each, like a server would see them
		note('begin', true);
		note('commit', true);
		return origTransaction.call(this, (tx: Transaction) => callback(wrapTx(tx))) as Promise<T>;
	} as PGlite['transaction'];
	installed = {
		read: () => ({ total: counts.total, byTables: { ...counts.byTables } }),
		reset() {
			counts = { total: 0, byTables: {} };
		},
		restore() {
			proto.query = origQuery;
			proto.exec = origExec;
			proto.transaction = origTransaction;
			installed = null;
		}
	};
	return installed;
}

/** statements outside transactions / inside them (BEGIN and COMMIT included) */
export function splitTx(q: QueryCounts): { standalone: number; inTx: number; transactions: number } {
	let inTx = 0;
	for (const [k, v] of Object.entries(q.byTables)) if (k.startsWith('tx:')) inTx += v;
	return { standalone: q.total - inTx, inTx, transactions: q.byTables['tx:begin'] ?? 0 };
}

/** b − a per key (keys with a zero difference dropped) */
export function diffCounts(a: QueryCounts, b: QueryCounts): QueryCounts {
	const byTables: Record<string, number> = {};
	for (const [k, v] of Object.entries(b.byTables)) {
		const d = v - (a.byTables[k] ?? 0);
		if (d !== 0) byTables[k] = d;
	}
	return { total: b.total - a.total, byTables };
}
