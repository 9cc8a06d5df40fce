/**
 * Versioned schema migrations, kept as TypeScript so `n8n-node build` ships them (it copies no .sql).
 * Each migration runs once, in its own transaction, under an advisory lock, so two n8n processes
 * (main and a worker) starting together do not race. Append new migrations; never edit old ones.
 */
import type { Db } from './db';

export interface Migration {
	version: number;
	name: string;
	sql: string;
}

export const migrations: Migration[] = [
	{
		version: 1,
		name: 'payments and processed events',
		sql: `
			-- One row per webhook event we have seen. 'processing' holds a lease: if the process that
			-- claimed it dies, the lease runs out and a redelivery processes the event again.
			CREATE TABLE processed_events (
				source        text        NOT NULL,
				event_id      text        NOT NULL,
				event_type    text,
				status        text        NOT NULL CHECK (status IN ('processing', 'done', 'failed')),
				claim_token   text,
				attempts      integer     NOT NULL DEFAULT 1,
				lease_until   timestamptz,
				first_seen_at timestamptz NOT NULL DEFAULT now(),
				completed_at  timestamptz,
				PRIMARY KEY (source, event_id)
			);

			-- Payments per reservation: Stripe payment intents and offline payments (cash, transfer).
			-- Amounts are in the currency's minor unit. No card data is ever stored: ids only.
			CREATE TABLE payments (
				id              text        PRIMARY KEY,
				reservation_id  text        NOT NULL,
				method          text        NOT NULL,
				currency        text        NOT NULL,
				amount          integer     NOT NULL CHECK (amount >= 0),
				amount_received integer     NOT NULL DEFAULT 0 CHECK (amount_received >= 0),
				amount_refunded integer     NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
				status          text        NOT NULL,
				reference       text,
				last_error      text,
				created_at      timestamptz NOT NULL DEFAULT now(),
				updated_at      timestamptz NOT NULL DEFAULT now()
			);
			CREATE INDEX payments_reservation_idx ON payments (reservation_id);

			-- Derived from payments after every change, inside the same transaction.
			CREATE TABLE reservation_billing (
				reservation_id  text        PRIMARY KEY,
				status          text        NOT NULL DEFAULT 'unpaid'
				                CHECK (status IN ('unpaid', 'paid', 'failed', 'refunded', 'partially_refunded')),
				currency        text,
				amount_paid     integer     NOT NULL DEFAULT 0,
				amount_refunded integer     NOT NULL DEFAULT 0,
				updated_at      timestamptz NOT NULL DEFAULT now()
			);
		`,
	},
];

// An arbitrary constant that names "schema migration" among advisory locks.
const MIGRATION_LOCK_ID = 7_302_114;

export async function migrate(db: Db): Promise<number[]> {
	await db.query(`CREATE TABLE IF NOT EXISTS hotel_schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`);
	const applied: number[] = [];
	for (const migration of migrations) {
		const ran = await db.transaction(async (tx) => {
			await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
			const done = await tx.query('SELECT 1 FROM hotel_schema_migrations WHERE version = $1', [migration.version]);
			if (done.rows.length > 0) return false;
			for (const statement of splitStatements(migration.sql)) await tx.query(statement);
			await tx.query('INSERT INTO hotel_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
			return true;
		});
		if (ran) applied.push(migration.version);
	}
	return applied;
}

/** Extended-protocol queries take one statement each; our migrations hold no semicolons in strings. */
function splitStatements(sql: string): string[] {
	return sql
		.split(/;\s*(?:\n|$)/)
		.map((s) => s.replace(/^\s*--.*$/gm, '').trim())
		.filter((s) => s.length > 0);
}
