/**
 * Exactly-once processing of webhook events that arrive at least once.
 *
 * Before a workflow runs for an event, the trigger *claims* its id. Only one delivery wins the
 * claim; it holds a lease while the workflow runs. The claim ends in one of two ways:
 *  - complete: the workflow succeeded; every later delivery is a duplicate (answered 200);
 *  - release:  the workflow failed; the next delivery may claim it again.
 * If the process dies mid-way, nobody completes or releases: the lease runs out and a redelivery
 * claims the event again. A failure is therefore never remembered as a success.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Db } from '../store/db';

export type ClaimOutcome =
	/** This delivery should be processed; pass the token to complete/release. */
	| { outcome: 'claimed'; token: string; attempt: number }
	/** Already processed successfully. */
	| { outcome: 'duplicate' }
	/** Another delivery of the same event is being processed right now. */
	| { outcome: 'in_progress' };

export interface EventClaimStore {
	claim(source: string, eventId: string, opts: { leaseMs: number; eventType?: string }): Promise<ClaimOutcome>;
	complete(source: string, eventId: string, token: string): Promise<void>;
	release(source: string, eventId: string, token: string): Promise<void>;
}

export class PostgresEventClaims implements EventClaimStore {
	constructor(private readonly db: Db) {}

	async claim(source: string, eventId: string, opts: { leaseMs: number; eventType?: string }): Promise<ClaimOutcome> {
		const token = randomUUID();
		// One statement decides the winner: a new row, or a takeover of a failed or expired claim.
		const won = await this.db.query<{ attempts: number }>(
			`INSERT INTO processed_events (source, event_id, event_type, status, claim_token, lease_until)
			 VALUES ($1, $2, $3, 'processing', $4, now() + $5 * interval '1 millisecond')
			 ON CONFLICT (source, event_id) DO UPDATE
			   SET status = 'processing', claim_token = EXCLUDED.claim_token, lease_until = EXCLUDED.lease_until,
			       attempts = processed_events.attempts + 1
			   WHERE processed_events.status = 'failed'
			      OR (processed_events.status = 'processing' AND processed_events.lease_until < now())
			 RETURNING attempts`,
			[source, eventId, opts.eventType ?? null, token, opts.leaseMs],
		);
		if (won.rows.length > 0) return { outcome: 'claimed', token, attempt: won.rows[0].attempts };
		const existing = await this.db.query<{ status: string }>(
			'SELECT status FROM processed_events WHERE source = $1 AND event_id = $2',
			[source, eventId],
		);
		return existing.rows[0]?.status === 'done' ? { outcome: 'duplicate' } : { outcome: 'in_progress' };
	}

	async complete(source: string, eventId: string, token: string): Promise<void> {
		await this.db.query(
			`UPDATE processed_events SET status = 'done', completed_at = now(), lease_until = NULL
			 WHERE source = $1 AND event_id = $2 AND claim_token = $3 AND status = 'processing'`,
			[source, eventId, token],
		);
	}

	async release(source: string, eventId: string, token: string): Promise<void> {
		await this.db.query(
			`UPDATE processed_events SET status = 'failed', lease_until = NULL
			 WHERE source = $1 AND event_id = $2 AND claim_token = $3 AND status = 'processing'`,
			[source, eventId, token],
		);
	}
}

// Claim, complete and release are each one atomic script, so no two deliveries can interleave.
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 'duplicate' end
if v and v ~= 'failed' then return 'in_progress' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'claimed'`;
const FINISH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == 'done' then redis.call('SET', KEYS[1], 'done', 'PX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
end
return 1`;

export class RedisEventClaims implements EventClaimStore {
	constructor(
		private readonly redis: Redis,
		private readonly opts: { keyPrefix?: string; rememberDoneMs?: number } = {},
	) {}

	private key(source: string, eventId: string) {
		return `${this.opts.keyPrefix ?? 'hotel:'}event:${source}:${eventId}`;
	}

	/** Stripe redelivers for up to 3 days; remember successes well beyond that (30 days). */
	private get rememberDoneMs() {
		return this.opts.rememberDoneMs ?? 30 * 24 * 3600 * 1000;
	}

	async claim(source: string, eventId: string, opts: { leaseMs: number }): Promise<ClaimOutcome> {
		const token = `processing:${randomUUID()}`;
		const result = (await this.redis.eval(CLAIM, 1, this.key(source, eventId), token, String(opts.leaseMs))) as string;
		if (result === 'claimed') return { outcome: 'claimed', token, attempt: 1 };
		return result === 'duplicate' ? { outcome: 'duplicate' } : { outcome: 'in_progress' };
	}

	async complete(source: string, eventId: string, token: string): Promise<void> {
		await this.redis.eval(FINISH, 1, this.key(source, eventId), token, 'done', String(this.rememberDoneMs));
	}

	async release(source: string, eventId: string, token: string): Promise<void> {
		await this.redis.eval(FINISH, 1, this.key(source, eventId), token, 'release', '0');
	}
}
