/**
 * Versioned schema migrations, kept as TypeScript so `n8n-node build` ships them (it copies no .sql).
 * Each migration runs once, in its own transaction, under an advisory lock, so two n8n processes
 * (main and a worker) starting together do not race. Append new migrations; never edit old ones.
 */
import type { Db } from './queryable';
import { LOCK_SPACE } from './locks';

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
	{
		version: 2,
		name: 'inventory and reservations',
		sql: `
			CREATE TABLE room_types (
				code          text        PRIMARY KEY,
				name          text        NOT NULL,
				max_occupancy integer     NOT NULL DEFAULT 2 CHECK (max_occupancy > 0),
				created_at    timestamptz NOT NULL DEFAULT now()
			);
			CREATE TABLE rate_plans (
				code       text        PRIMARY KEY,
				name       text        NOT NULL,
				currency   text        NOT NULL,
				created_at timestamptz NOT NULL DEFAULT now()
			);

			-- One row per room type and night. sold is kept equal to the rooms of the active
			-- reservations that hold that night (checked by the tests after every mix of operations).
			CREATE TABLE inventory_nights (
				room_type_code      text    NOT NULL REFERENCES room_types (code),
				night               date    NOT NULL,
				allotment           integer NOT NULL DEFAULT 0 CHECK (allotment >= 0),
				sold                integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
				stop_sell           boolean NOT NULL DEFAULT false,
				min_los             integer CHECK (min_los IS NULL OR min_los >= 1),
				max_los             integer CHECK (max_los IS NULL OR max_los >= 1),
				closed_to_arrival   boolean NOT NULL DEFAULT false,
				closed_to_departure boolean NOT NULL DEFAULT false,
				PRIMARY KEY (room_type_code, night)
			);

			-- Price of one room for one night, in minor units of the rate plan's currency.
			CREATE TABLE rates (
				room_type_code text    NOT NULL REFERENCES room_types (code),
				rate_plan_code text    NOT NULL REFERENCES rate_plans (code),
				night          date    NOT NULL,
				amount         integer NOT NULL CHECK (amount >= 0),
				PRIMARY KEY (room_type_code, rate_plan_code, night)
			);

			CREATE TABLE reservations (
				id                     text        PRIMARY KEY,
				channel                text        NOT NULL,
				channel_reservation_id text,
				channel_version        text,
				status                 text        NOT NULL CHECK (status IN ('booked', 'modified', 'cancelled')),
				room_type_code         text        NOT NULL,
				rate_plan_code         text,
				arrival                date        NOT NULL,
				departure              date        NOT NULL,
				rooms                  integer     NOT NULL CHECK (rooms > 0),
				adults                 integer     NOT NULL CHECK (adults >= 0),
				children               integer     NOT NULL DEFAULT 0 CHECK (children >= 0),
				amount                 integer,
				currency               text,
				guest_name             text        NOT NULL,
				guest_email            text,
				guest_phone            text,
				overbooked             boolean     NOT NULL DEFAULT false,
				version                integer     NOT NULL DEFAULT 1,
				created_at             timestamptz NOT NULL DEFAULT now(),
				updated_at             timestamptz NOT NULL DEFAULT now(),
				CHECK (arrival < departure),
				UNIQUE (channel, channel_reservation_id)
			);
			CREATE INDEX reservations_stay_idx ON reservations (room_type_code, arrival, departure) WHERE status <> 'cancelled';

			-- Every change to a reservation, as it was after the change.
			CREATE TABLE reservation_history (
				id              bigserial   PRIMARY KEY,
				reservation_id  text        NOT NULL REFERENCES reservations (id),
				version         integer     NOT NULL,
				action          text        NOT NULL,
				channel_version text,
				snapshot        jsonb       NOT NULL,
				created_at      timestamptz NOT NULL DEFAULT now()
			);
			CREATE INDEX reservation_history_idx ON reservation_history (reservation_id, id);

			-- A channel's change (reservation id + version) is applied once, however often delivered.
			CREATE TABLE applied_channel_changes (
				channel                text        NOT NULL,
				channel_reservation_id text        NOT NULL,
				channel_version        text        NOT NULL,
				reservation_id         text        NOT NULL,
				applied_at             timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (channel, channel_reservation_id, channel_version)
			);

			-- What changed, night by night, read by id from a cursor (see lib/inventory/changeLog.ts for
			-- why no change is ever skipped). txid is kept for diagnosis.
			CREATE TABLE inventory_changes (
				id             bigserial   PRIMARY KEY,
				txid           xid8        NOT NULL DEFAULT pg_current_xact_id(),
				room_type_code text        NOT NULL,
				rate_plan_code text,
				night          date        NOT NULL,
				kind           text        NOT NULL CHECK (kind IN ('availability', 'restrictions', 'rate')),
				created_at     timestamptz NOT NULL DEFAULT now()
			);
		`,
	},
	{
		version: 3,
		name: 'channels: mappings, push cursors, sync log',
		sql: `
			-- How the hotel's room types and rate plans are called on each channel.
			CREATE TABLE channel_mappings (
				channel      text NOT NULL,
				kind         text NOT NULL CHECK (kind IN ('room_type', 'rate_plan')),
				hotel_code   text NOT NULL,
				channel_code text NOT NULL,
				PRIMARY KEY (channel, kind, hotel_code),
				UNIQUE (channel, kind, channel_code)
			);

			-- Where each channel's push stands in inventory_changes (see lib/inventory/changeLog.ts);
			-- txid is unused since the reader waits for writers in flight ('0').
			CREATE TABLE channel_cursors (
				channel    text        PRIMARY KEY,
				txid       text        NOT NULL,
				change_id  text        NOT NULL,
				updated_at timestamptz NOT NULL DEFAULT now()
			);

			-- Every message exchanged with a channel and how it went.
			CREATE TABLE channel_sync_log (
				id           bigserial   PRIMARY KEY,
				channel      text        NOT NULL,
				message      text        NOT NULL,
				direction    text        NOT NULL CHECK (direction IN ('push', 'pull', 'ack', 'webhook', 'query')),
				nights       integer     NOT NULL DEFAULT 0,
				items        integer     NOT NULL DEFAULT 0,
				status       text        NOT NULL CHECK (status IN ('ok', 'failed', 'rejected')),
				attempts     integer     NOT NULL DEFAULT 1,
				latency_ms   integer,
				bytes        integer,
				error        text,
				created_at   timestamptz NOT NULL DEFAULT now()
			);
			CREATE INDEX channel_sync_log_idx ON channel_sync_log (channel, id DESC);
		`,
	},
	{
		version: 4,
		name: 'data version for caches',
		sql: `
			-- Bumped in the same transaction as every change to inventory, restrictions, rates or
			-- reservations (see recordChanges): a cached answer is valid only for the version it was
			-- computed at, so no cache can be stale after a committed change, whoever made it.
			CREATE TABLE hotel_data_version (
				id      boolean PRIMARY KEY DEFAULT true CHECK (id),
				version bigint  NOT NULL DEFAULT 0
			);
			INSERT INTO hotel_data_version DEFAULT VALUES;
		`,
	},
	{
		version: 5,
		name: 'e-mail outbox',
		sql: `
			-- Every e-mail we send, queued or sent at once. dedupe_key (template, reservation,
			-- reservation version) is unique, so a workflow that runs twice sends nothing new. A row
			-- leaves 'queued' only when the SMTP server accepted it ('sent'); a worker holds a lease
			-- (lease_token, lease_until) while sending, and a worker that dies leaves a lease that runs
			-- out, so the message is picked up again (SELECT ... FOR UPDATE SKIP LOCKED). While a row
			-- is 'sending', next_attempt_at equals lease_until, so one index finds every due row.
			CREATE TABLE email_outbox (
				id              bigserial   PRIMARY KEY,
				dedupe_key      text        NOT NULL UNIQUE,
				template        text        NOT NULL,
				reservation_id  text,
				to_address      text        NOT NULL,
				subject         text        NOT NULL,
				html            text        NOT NULL,
				text_body       text        NOT NULL,
				message_id      text        NOT NULL,
				status          text        NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
				attempts        integer     NOT NULL DEFAULT 0,
				next_attempt_at timestamptz NOT NULL DEFAULT now(),
				lease_until     timestamptz,
				lease_token     text,
				last_error      text,
				smtp_response   text,
				created_at      timestamptz NOT NULL DEFAULT now(),
				updated_at      timestamptz NOT NULL DEFAULT now(),
				sent_at         timestamptz
			);
			CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
		`,
	},
	{
		version: 6,
		name: 'integration health',
		sql: `
			-- One row per checked integration: how many checks in a row failed, since when, and whether
			-- the alert for the current run of failures went out (so a workflow alerts once, not every
			-- 5 minutes). Rows are changed only under a row lock (lib/health/streaks.ts).
			CREATE TABLE integration_health (
				integration          text        PRIMARY KEY,
				consecutive_failures integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
				alerted              boolean     NOT NULL DEFAULT false,
				failing_since        timestamptz,
				last_status          text        NOT NULL CHECK (last_status IN ('ok', 'failed')),
				last_error           text,
				last_latency_ms      integer,
				last_checked_at      timestamptz NOT NULL DEFAULT now(),
				last_ok_at           timestamptz
			);
		`,
	},
	{
		version: 7,
		name: 'hotel events feed',
		sql: `
			-- What happened to reservations and payments, for the steps that tell guests and staff
			-- (e-mail, calendar). Written in the same transaction as the change, after the data version
			-- row is locked, so a reader that takes that lock (shared) never skips a row (see
			-- lib/events/hotelEvents.ts). payload: the reservation as it was after the change, and
			-- for payments the payment's amounts (never card data: Stripe ids only).
			CREATE TABLE hotel_events (
				id             bigserial   PRIMARY KEY,
				event          text        NOT NULL,
				reservation_id text        NOT NULL,
				payload        jsonb       NOT NULL,
				created_at     timestamptz NOT NULL DEFAULT now()
			);
			-- Each reader (a Hotel Event Trigger in a workflow) and how far it has read.
			CREATE TABLE hotel_event_cursors (
				consumer   text        PRIMARY KEY,
				event_id   bigint      NOT NULL,
				updated_at timestamptz NOT NULL DEFAULT now()
			);
		`,
	},
	{
		version: 8,
		name: 'reservations hold rooms',
		sql: `
			-- A reservation holds one or more rooms, each with its own room type, rate plan, stay,
			-- guests and prices (a family room and a double in one booking). Inventory is taken per
			-- room line: sold = the units of the active lines of the reservations not cancelled.
			-- The reservations row keeps its columns as a summary of its active rooms.
			CREATE TABLE reservation_rooms (
				reservation_id text        NOT NULL REFERENCES reservations (id),
				line           integer     NOT NULL,
				room_key       text        NOT NULL,
				status         text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
				room_type_code text        NOT NULL,
				rate_plan_code text,
				arrival        date        NOT NULL,
				departure      date        NOT NULL,
				units          integer     NOT NULL CHECK (units > 0),
				adults         integer     NOT NULL DEFAULT 0 CHECK (adults >= 0),
				children       integer     NOT NULL DEFAULT 0 CHECK (children >= 0),
				child_ages     jsonb       NOT NULL DEFAULT '[]',
				guest_name     text,
				amount         bigint,
				taxes          bigint,
				currency       text,
				nightly        jsonb       NOT NULL DEFAULT '[]',
				overbooked     boolean     NOT NULL DEFAULT false,
				PRIMARY KEY (reservation_id, line),
				UNIQUE (reservation_id, room_key),
				CHECK (arrival < departure)
			);
			CREATE INDEX reservation_rooms_stay_idx ON reservation_rooms (room_type_code, arrival, departure) WHERE status = 'active';

			-- Every reservation so far held one line: its own room type, stay and room count.
			INSERT INTO reservation_rooms (reservation_id, line, room_key, room_type_code, rate_plan_code, arrival, departure, units,
			                               adults, children, amount, currency, overbooked)
			SELECT id, 1, '1', room_type_code, rate_plan_code, arrival, departure, rooms, adults, children, amount, currency, overbooked
			FROM reservations;

			-- What a channel tells about the reservation beyond its rooms: taxes, commission, payment
			-- model, comments and special requests (no card data: that never reaches the store).
			ALTER TABLE reservations ADD COLUMN details jsonb NOT NULL DEFAULT '{}';
			-- 25,000,000.00 IDR is 2.5 billion minor units: more than an integer holds.
			ALTER TABLE reservations ALTER COLUMN amount TYPE bigint;

			-- A reservation a channel sent that could not be taken in is logged with the channel's id
			-- for it and the reservation as it came (card data removed), for hotel IT to look at.
			ALTER TABLE channel_sync_log ADD COLUMN reservation_id text;
			ALTER TABLE channel_sync_log ADD COLUMN detail text;
		`,
	},
	{
		version: 9,
		name: 'refunds counted one by one',
		sql: `
			-- Completed refunds of gateways that report each refund on its own (Square), so the same
			-- refund delivered twice is counted once and the payment's refunded total is their sum.
			CREATE TABLE payment_refunds (
				id         text        PRIMARY KEY,
				payment_id text        NOT NULL,
				amount     integer     NOT NULL CHECK (amount >= 0),
				created_at timestamptz NOT NULL DEFAULT now()
			);
			CREATE INDEX payment_refunds_payment_idx ON payment_refunds (payment_id);
		`,
	},
	{
		version: 10,
		name: 'calendar sync state',
		sql: `
			-- The version of each reservation a calendar last showed, written by the Hotel Calendar's
			-- catch-up: what it finds newer in reservations is synced, whatever events were missed.
			CREATE TABLE calendar_sync_state (
				calendar       text        NOT NULL,
				reservation_id text        NOT NULL,
				version        integer     NOT NULL,
				synced_at      timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (calendar, reservation_id)
			);
		`,
	},
	{
		version: 11,
		name: 'unmatched payments',
		sql: `
			-- Payments a gateway reported that name no reservation of the store (a mistyped or missing
			-- reservation id): kept here instead of being applied to an invented reservation, with the
			-- changes as the gateway reported them, until the reservation appears or hotel IT matches
			-- the payment by hand. Then the changes go through the ledger's usual merge.
			CREATE TABLE unmatched_payments (
				payment_id             text        PRIMARY KEY,
				gateway                text        NOT NULL,
				named_reservation_id   text,
				currency               text        NOT NULL,
				amount                 bigint,
				status                 text        NOT NULL,
				event_ids              text[]      NOT NULL DEFAULT '{}',
				changes                jsonb       NOT NULL DEFAULT '[]',
				first_seen             timestamptz NOT NULL DEFAULT now(),
				last_seen              timestamptz NOT NULL DEFAULT now(),
				matched_reservation_id text,
				matched_at             timestamptz,
				matched_by             text
			);
			CREATE INDEX unmatched_payments_open_idx ON unmatched_payments (first_seen) WHERE matched_at IS NULL;
		`,
	},
	{
		version: 12,
		name: 'channel audits in the sync log',
		sql: `
			-- An audit of a channel's availability and rates (lib/channels/audit.ts) is logged with the
			-- room type nights it compared (nights) and how many of them differed (items).
			ALTER TABLE channel_sync_log DROP CONSTRAINT channel_sync_log_direction_check;
			ALTER TABLE channel_sync_log ADD CONSTRAINT channel_sync_log_direction_check CHECK (direction IN ('push', 'pull', 'ack', 'webhook', 'query', 'audit'));
		`,
	},
	{
		version: 13,
		name: 'guest data retention',
		sql: `
			-- When a reservation's guest data was erased (lib/privacy/guestData.ts): by retention, or on request.
			ALTER TABLE reservations ADD COLUMN guest_data_erased_at timestamptz;
			CREATE INDEX reservations_retention_idx ON reservations (departure) WHERE guest_data_erased_at IS NULL;
		`,
	},
];

export async function migrate(db: Db): Promise<number[]> {
	// Under the lock too: two processes creating it at once on an empty database both fail on
	// PostgreSQL's catalog ("IF NOT EXISTS" does not make concurrent creation safe).
	await db.transaction(async (tx) => {
		await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_SPACE.migrations]);
		await tx.query(`CREATE TABLE IF NOT EXISTS hotel_schema_migrations (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`);
	});
	const applied: number[] = [];
	for (const migration of migrations) {
		const ran = await db.transaction(async (tx) => {
			await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_SPACE.migrations]);
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
