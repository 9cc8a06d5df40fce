/**
 * The e-mail outbox (table email_outbox): the queue, and the record that makes every e-mail
 * sent-once.
 *
 *   queued ──claim──▶ sending ──SMTP accepted──▶ sent
 *     ▲                 │
 *     └──4xx / network──┤ (backoff: exponential with jitter)
 *                       └──5xx, or out of attempts──▶ failed
 *
 *  - One row per dedupe key: enqueueing the same e-mail again changes nothing ('duplicate'),
 *    except that a 'failed' one is queued again with the new content (running the workflow again
 *    is how a hotel retries a mail that could not be delivered).
 *  - A worker claims rows with SELECT … FOR UPDATE SKIP LOCKED, so two workers never take the same
 *    row, and holds a lease: a random token and lease_until. If it dies, the lease runs out and
 *    the row is due again — nothing is lost. Only the holder of the current token can record the
 *    outcome, so a worker that overran its lease cannot overwrite the next one's result.
 *  - A row becomes 'sent' only after the SMTP server accepted the message. The one window left: a
 *    worker that dies after the server's "250" and before markSent. That message is sent again
 *    after the lease, with the same Message-ID (see dedupeKeys.ts). No outbox can close this window
 *    (SMTP has no idempotency key); the lease only makes it as short as one send.
 *
 * Times come from the database's clock, so workers on several machines agree on what is due.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db';

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface NewEmail {
	dedupeKey: string;
	template: string;
	reservationId: string | null;
	to: string;
	subject: string;
	html: string;
	text: string;
	messageId: string;
}

export interface OutboxMessage extends NewEmail {
	id: number;
	status: OutboxStatus;
	attempts: number;
	nextAttemptAt: string;
	leaseToken: string | null;
	lastError: string | null;
	smtpResponse: string | null;
	createdAt: string;
	sentAt: string | null;
}

/** What enqueue did with one e-mail, and its outbox row. */
export interface Enqueued {
	outcome: 'queued' | 'duplicate';
	message: OutboxMessage;
}

/** A row this worker holds: its lease token is the proof. */
export type ClaimedMessage = OutboxMessage & { leaseToken: string };

export interface RetryPolicy {
	/** Sending attempts in all; after the last one fails the message is 'failed'. */
	maxAttempts: number;
	/** Delay before the second attempt; doubled for each further one, up to maxDelayMs. */
	initialDelayMs: number;
	maxDelayMs: number;
}

/** 1, 2, 4, … 64 minutes apart: about two hours of trying, what a greylisting or busy server needs. */
export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, initialDelayMs: 60_000, maxDelayMs: 3_600_000 };

export type FailureOutcome = 'retry' | 'permanent' | { retryAfterMs: number };

interface Row {
	id: string | number;
	dedupe_key: string;
	template: string;
	reservation_id: string | null;
	to_address: string;
	subject: string;
	html: string;
	text_body: string;
	message_id: string;
	status: OutboxStatus;
	attempts: number;
	next_attempt_at: Date | string;
	lease_token: string | null;
	last_error: string | null;
	smtp_response: string | null;
	created_at: Date | string;
	sent_at: Date | string | null;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

function toMessage(row: Row): OutboxMessage {
	return {
		id: Number(row.id),
		dedupeKey: row.dedupe_key,
		template: row.template,
		reservationId: row.reservation_id,
		to: row.to_address,
		subject: row.subject,
		html: row.html,
		text: row.text_body,
		messageId: row.message_id,
		status: row.status,
		attempts: Number(row.attempts),
		nextAttemptAt: iso(row.next_attempt_at) as string,
		leaseToken: row.lease_token,
		lastError: row.last_error,
		smtpResponse: row.smtp_response,
		createdAt: iso(row.created_at) as string,
		sentAt: iso(row.sent_at),
	};
}

// A lease sets next_attempt_at too: a row whose lease ran out is due like a queued one.
const LEASE = `status = 'sending', lease_token = $2, lease_until = now() + $3::integer * interval '1 millisecond',
	next_attempt_at = now() + $3::integer * interval '1 millisecond', attempts = attempts + 1, updated_at = now()`;

export class EmailOutbox {
	readonly retry: RetryPolicy;

	constructor(
		private readonly db: Db,
		retry: Partial<RetryPolicy> = {},
	) {
		this.retry = { ...defaultRetryPolicy, ...retry };
	}

	/** 'queued' for a new (or re-armed failed) e-mail, 'duplicate' when its key is already queued, sending or sent. */
	async enqueue(email: NewEmail): Promise<Enqueued> {
		return (await this.enqueueMany([email]))[0];
	}

	/**
	 * enqueue() for many e-mails in one statement (one round trip, not one per e-mail — what a Hotel
	 * Email node does with all items of an execution), answered in the same order. A key that comes
	 * twice in the batch is queued by its first e-mail; the later ones are its duplicates. One
	 * statement is also one transaction: all of the batch is recorded, or (on an error) none of it.
	 */
	async enqueueMany(emails: NewEmail[]): Promise<Enqueued[]> {
		const first = new Map<string, NewEmail>();
		for (const email of emails) if (!first.has(email.dedupeKey)) first.set(email.dedupeKey, email);
		const batch = [...first.values()];
		const column = (pick: (e: NewEmail) => string | null) => batch.map(pick);
		const { rows } = batch.length === 0 ? { rows: [] as Row[] } : await this.db.query<Row>(
			`INSERT INTO email_outbox (dedupe_key, template, reservation_id, to_address, subject, html, text_body, message_id, status)
			 SELECT dedupe_key, template, reservation_id, to_address, subject, html, text_body, message_id, 'queued'
			 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
			   WITH ORDINALITY AS e(dedupe_key, template, reservation_id, to_address, subject, html, text_body, message_id, n)
			 ORDER BY n
			 ON CONFLICT (dedupe_key) DO UPDATE SET
			   to_address = EXCLUDED.to_address, subject = EXCLUDED.subject, html = EXCLUDED.html, text_body = EXCLUDED.text_body,
			   message_id = EXCLUDED.message_id, status = 'queued', attempts = 0, next_attempt_at = now(),
			   last_error = NULL, lease_token = NULL, lease_until = NULL, updated_at = now()
			 WHERE email_outbox.status = 'failed'
			 RETURNING *`,
			[
				column((e) => e.dedupeKey), column((e) => e.template), column((e) => e.reservationId), column((e) => e.to),
				column((e) => e.subject), column((e) => e.html), column((e) => e.text), column((e) => e.messageId),
			],
		);
		const queued = new Map(rows.map((row) => [row.dedupe_key, toMessage(row)]));
		const existing = new Map<string, OutboxMessage>();
		const others = batch.map((e) => e.dedupeKey).filter((key) => !queued.has(key));
		if (others.length > 0) {
			const found = await this.db.query<Row>('SELECT * FROM email_outbox WHERE dedupe_key = ANY($1::text[])', [others]);
			for (const row of found.rows) existing.set(row.dedupe_key, toMessage(row));
		}
		const answered = new Set<string>();
		return emails.map((email) => {
			const key = email.dedupeKey;
			const message = queued.get(key) ?? existing.get(key);
			if (!message) throw new Error(`Outbox row for ${key} vanished while enqueueing.`);
			const outcome = queued.has(key) && !answered.has(key) ? 'queued' : 'duplicate';
			answered.add(key);
			return { outcome, message };
		});
	}

	/** Takes up to `limit` due rows (queued and due, or sending with a lapsed lease) for `leaseMs`. */
	async claimDue(limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
		const { rows } = await this.db.query<Row>(
			`WITH due AS (
			   SELECT id FROM email_outbox
			   WHERE status IN ('queued', 'sending') AND next_attempt_at <= now() AND attempts < $4
			   ORDER BY next_attempt_at, id
			   LIMIT $1
			   FOR UPDATE SKIP LOCKED
			 )
			 UPDATE email_outbox AS o SET ${LEASE}
			 FROM due WHERE o.id = due.id
			 RETURNING o.*`,
			[limit, randomUUID(), Math.round(leaseMs), this.retry.maxAttempts],
		);
		return rows.map(toMessage) as ClaimedMessage[];
	}

	/**
	 * Takes one row now, whatever its backoff says (Send Now), unless another worker holds a live
	 * lease on it or it is already sent or failed. Null when it could not be taken.
	 */
	async claim(id: number, leaseMs: number): Promise<ClaimedMessage | null> {
		const { rows } = await this.db.query<Row>(
			`UPDATE email_outbox SET ${LEASE}
			 WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND next_attempt_at <= now()))
			 RETURNING *`,
			[id, randomUUID(), Math.round(leaseMs)],
		);
		return rows[0] ? (toMessage(rows[0]) as ClaimedMessage) : null;
	}

	/** Records the SMTP server's acceptance. False if the lease was lost (another worker took the row). */
	async markSent(id: number, token: string, smtpResponse: string): Promise<boolean> {
		const { rows } = await this.db.query(
			`UPDATE email_outbox SET status = 'sent', sent_at = now(), smtp_response = $3, last_error = NULL,
			   lease_token = NULL, lease_until = NULL, updated_at = now()
			 WHERE id = $1 AND lease_token = $2 AND status = 'sending'
			 RETURNING id`,
			[id, token, smtpResponse.slice(0, 1000)],
		);
		return rows.length > 0;
	}

	/**
	 * markSent, and in the same statement (one round trip instead of two) claimDue(1): what a queue
	 * worker does after each accepted message. The sent row is never the one claimed next.
	 */
	async markSentAndClaimNext(id: number, token: string, smtpResponse: string, leaseMs: number): Promise<{ marked: boolean; next?: ClaimedMessage }> {
		const { rows } = await this.db.query<Row & { marked: number }>(
			`WITH sent AS (
			   UPDATE email_outbox SET status = 'sent', sent_at = now(), smtp_response = $5, last_error = NULL,
			     lease_token = NULL, lease_until = NULL, updated_at = now()
			   WHERE id = $6 AND lease_token = $7 AND status = 'sending'
			   RETURNING id
			 ), due AS (
			   SELECT id FROM email_outbox
			   WHERE status IN ('queued', 'sending') AND next_attempt_at <= now() AND attempts < $4 AND id <> $6
			   ORDER BY next_attempt_at, id
			   LIMIT $1
			   FOR UPDATE SKIP LOCKED
			 ), next AS (
			   UPDATE email_outbox AS o SET ${LEASE}
			   FROM due WHERE o.id = due.id
			   RETURNING o.*
			 )
			 SELECT (SELECT count(*)::int FROM sent) AS marked, next.* FROM (SELECT 1) AS one LEFT JOIN next ON true`,
			[1, randomUUID(), Math.round(leaseMs), this.retry.maxAttempts, smtpResponse.slice(0, 1000), id, token],
		);
		const row = rows[0];
		return { marked: Number(row?.marked ?? 0) > 0, next: row?.id === null || row?.id === undefined ? undefined : (toMessage(row) as ClaimedMessage) };
	}

	/**
	 * Records a failed attempt: 'permanent' (or the last allowed attempt) makes the row 'failed';
	 * otherwise it is queued again after an exponential backoff with jitter — half fixed, half
	 * random, so retries spread out but never come back at once. Returns the new status, or null
	 * if the lease was lost.
	 */
	async markFailed(id: number, token: string, error: string, outcome: FailureOutcome = 'retry'): Promise<'queued' | 'failed' | null> {
		const permanent = outcome === 'permanent';
		const fixedDelay = typeof outcome === 'object' ? Math.round(outcome.retryAfterMs) : null;
		const { rows } = await this.db.query<{ status: 'queued' | 'failed' }>(
			`UPDATE email_outbox SET
			   status = CASE WHEN $4::boolean OR attempts >= $5 THEN 'failed' ELSE 'queued' END,
			   next_attempt_at = now() + COALESCE($6::double precision,
			     LEAST($8::double precision, $7::double precision * power(2, GREATEST(attempts - 1, 0))) * (0.5 + random() * 0.5)
			   ) * interval '1 millisecond',
			   last_error = $3, lease_token = NULL, lease_until = NULL, updated_at = now()
			 WHERE id = $1 AND lease_token = $2 AND status = 'sending'
			 RETURNING status`,
			[id, token, error.slice(0, 2000), permanent, this.retry.maxAttempts, fixedDelay, this.retry.initialDelayMs, this.retry.maxDelayMs],
		);
		return rows[0]?.status ?? null;
	}

	/**
	 * Due rows without an attempt left, which claimDue never takes: mostly those whose worker died
	 * on the last allowed attempt (the server may or may not have accepted that try), or queued
	 * ones after Max Attempts was lowered. They become 'failed'.
	 */
	async expireAbandoned(): Promise<OutboxMessage[]> {
		const { rows } = await this.db.query<Row>(
			`UPDATE email_outbox SET lease_token = NULL, lease_until = NULL, updated_at = now(),
			   last_error = COALESCE(last_error || ' / ', '') || CASE WHEN status = 'sending'
			     THEN 'The worker sending the last allowed attempt stopped before it finished.'
			     ELSE 'No attempt left (Max Attempts).' END,
			   status = 'failed'
			 WHERE status IN ('queued', 'sending') AND next_attempt_at <= now() AND attempts >= $1
			 RETURNING *`,
			[this.retry.maxAttempts],
		);
		return rows.map(toMessage);
	}

	async get(id: number): Promise<OutboxMessage | null> {
		const { rows } = await this.db.query<Row>('SELECT * FROM email_outbox WHERE id = $1', [id]);
		return rows[0] ? toMessage(rows[0]) : null;
	}

	async byKey(dedupeKey: string): Promise<OutboxMessage | null> {
		const { rows } = await this.db.query<Row>('SELECT * FROM email_outbox WHERE dedupe_key = $1', [dedupeKey]);
		return rows[0] ? toMessage(rows[0]) : null;
	}

	/** How many rows are in each status (for monitoring and tests). */
	async counts(): Promise<Record<OutboxStatus, number>> {
		const { rows } = await this.db.query<{ status: OutboxStatus; n: string | number }>('SELECT status, count(*) AS n FROM email_outbox GROUP BY status');
		const counts: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
		for (const row of rows) counts[row.status] = Number(row.n);
		return counts;
	}
}
