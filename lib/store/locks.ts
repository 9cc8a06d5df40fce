/**
 * One holder at a time per key, across processes: a PostgreSQL advisory lock held by a transaction
 * that stays open while `fn` runs (`fn` uses the store's other connections, so the lock's own
 * connection sits idle in that transaction meanwhile). The embedded store is one process with one
 * connection, where an open transaction would hold every other query back: there a chain of
 * promises per key does the same job.
 */
import type { Db } from './db';

export type Exclusive<T> = { ran: true; value: T } | { ran: false };

const embeddedHolders = new Map<string, Promise<unknown>>();

/** `wait: false` gives up at once when the key is held (`{ ran: false }`); `wait: true` queues. */
export async function exclusively<T>(db: Db, space: number, key: string, fn: () => Promise<T>, opts: { wait: boolean }): Promise<Exclusive<T>> {
	if (db.kind === 'embedded') return embeddedExclusively(`${space}:${key}`, fn, opts);
	return db.transaction(async (tx) => {
		if (opts.wait) await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, key]);
		else if (!(await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS got', [space, key])).rows[0].got) return { ran: false };
		return { ran: true, value: await fn() };
	});
}

async function embeddedExclusively<T>(key: string, fn: () => Promise<T>, opts: { wait: boolean }): Promise<Exclusive<T>> {
	const holder = embeddedHolders.get(key);
	if (holder && !opts.wait) return { ran: false };
	const run = (holder ?? Promise.resolve()).catch(() => undefined).then(fn);
	embeddedHolders.set(key, run);
	try {
		return { ran: true, value: await run };
	} finally {
		if (embeddedHolders.get(key) === run) embeddedHolders.delete(key);
	}
}
