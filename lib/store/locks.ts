/**
 * One holder at a time per key, across processes: a PostgreSQL advisory lock held by a transaction
 * that stays open while `fn` runs (`fn` uses the store's other connections, so the lock's own
 * connection sits idle in that transaction meanwhile). The embedded store is one process with one
 * connection, where an open transaction would hold every other query back: there a chain of
 * promises per key does the same job.
 */
import type { Db, Queryable } from './queryable';

/**
 * Every advisory lock the package takes, by what it protects: one space each, so two kinds of
 * thing never share a lock by accident. Arbitrary constants; they must never change (processes of
 * two versions running side by side during an upgrade must agree on them).
 */
export const LOCK_SPACE = {
	/** The schema migrations (lib/store/migrations.ts): taken as a single-key lock, as from the first version. */
	migrations: 7_302_114,
	/** One payment's merges, holds and matches (lib/payments/billingLedger.ts). */
	payment: 7_302_115,
	/** One channel's ARI push or audit repair (lib/channels/push.ts). */
	channelPush: 7_302_116,
	// One channel reservation's changes (lib/inventory/channelChanges.ts) take a single-key lock on
	// the hash of (channel, reservation id), the form they had from the first version.
} as const;

/** Holds the lock of `key` in `space` until `tx` ends; waits for another holder. */
export async function lockUntilCommit(tx: Queryable, space: number, key: string): Promise<void> {
	await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, key]);
}

export type Exclusive<T> = { ran: true; value: T } | { ran: false };

const embeddedHolders = new Map<string, Promise<unknown>>();

/** `wait: false` gives up at once when the key is held (`{ ran: false }`); `wait: true` queues. */
export async function exclusively<T>(db: Db, space: number, key: string, fn: () => Promise<T>, opts: { wait: boolean }): Promise<Exclusive<T>> {
	if (db.kind === 'embedded') return embeddedExclusively(`${space}:${key}`, fn, opts);
	return db.transaction(async (tx) => {
		if (opts.wait) await lockUntilCommit(tx, space, key);
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
