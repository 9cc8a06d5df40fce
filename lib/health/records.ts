/**
 * Health judged by what happened, not only by what a read answers now: the hotel store's own
 * records of the recent writes to a partner. A channel that answers every read but refuses every
 * push is not healthy; neither is an e-mail queue whose messages fail or sit unsent, nor a payment
 * webhook whose events keep failing in the workflow. Each check throws with what it found.
 */
import type { Queryable } from '../store/db';

/** The channel's last `writes` pushes and acknowledgements all failed (after their retries). */
export async function checkChannelWrites(db: Queryable, channel: string, writes = 3): Promise<void> {
	const { rows } = await db.query<{ status: string; direction: string; message: string; error: string | null; created_at: Date | string }>(
		`SELECT status, direction, message, error, created_at FROM channel_sync_log
		 WHERE channel = $1 AND direction IN ('push', 'ack') ORDER BY id DESC LIMIT $2`,
		[channel, writes],
	);
	if (rows.length < writes || rows.some((r) => r.status === 'ok')) return;
	const latest = rows[0];
	throw new Error(
		`${channel} answers reads, but its last ${writes} writes failed (latest: ${latest.direction} ${latest.message} at ${new Date(latest.created_at).toISOString()}: ${latest.error ?? latest.status}).`,
	);
}

/** The channel's latest audit found more than `threshold` room type nights that differed from the store. */
export async function checkChannelDrift(db: Queryable, channel: string, threshold = 0): Promise<void> {
	const { rows } = await db.query<{ nights: number; items: number; detail: string | null; created_at: Date | string }>(
		`SELECT nights, items, detail, created_at FROM channel_sync_log WHERE channel = $1 AND direction = 'audit' ORDER BY id DESC LIMIT 1`,
		[channel],
	);
	const latest = rows[0];
	if (!latest || latest.items <= threshold) return;
	const detail = JSON.parse(latest.detail ?? '{}') as { from?: string; to?: string; fields?: Record<string, number>; repair?: string };
	const fields = Object.entries(detail.fields ?? {}).map(([field, n]) => `${field} ${n}`).join(', ');
	throw new Error(
		`${channel} had drifted: its audit at ${new Date(latest.created_at).toISOString()} found ${latest.items} of ${latest.nights} room type nights (${detail.from} to ${detail.to}) ` +
			`that differed from the hotel's records (${fields}; repair: ${detail.repair ?? 'not asked'}). A channel that keeps drifting is losing or changing updates: ask it why.`,
	);
}

/** E-mails that finally failed in the last day, or that are due and not sent for `stuckMinutes`. */
export async function checkEmailQueue(db: Queryable, stuckMinutes = 15): Promise<void> {
	const { rows } = await db.query<{ failed: number; stuck: number; example: string | null }>(
		`SELECT count(*) FILTER (WHERE status = 'failed' AND updated_at > now() - interval '1 day')::int AS failed,
		        count(*) FILTER (WHERE status IN ('queued', 'sending') AND next_attempt_at < now() - $1::integer * interval '1 minute')::int AS stuck,
		        (array_agg(last_error ORDER BY updated_at DESC) FILTER (WHERE status = 'failed' AND updated_at > now() - interval '1 day'))[1] AS example
		 FROM email_outbox`,
		[stuckMinutes],
	);
	const { failed, stuck, example } = rows[0];
	const problems = [
		failed > 0 ? `${failed} e-mail(s) failed for good in the last day${example ? ` (latest: ${example})` : ''}` : '',
		stuck > 0 ? `${stuck} e-mail(s) due for more than ${stuckMinutes} minutes and not sent (is the Email Queue Trigger's workflow active?)` : '',
	].filter(Boolean);
	if (problems.length > 0) throw new Error(`${problems.join('; ')}.`);
}

/** Payment events whose workflow failed in the last day and were not processed since, or whose processing died. */
export async function checkPaymentWebhooks(db: Queryable): Promise<void> {
	const { rows } = await db.query<{ source: string; failed: number; stuck: number; example: string | null }>(
		`SELECT source,
		        count(*) FILTER (WHERE status = 'failed')::int AS failed,
		        count(*) FILTER (WHERE status = 'processing' AND lease_until < now())::int AS stuck,
		        (array_agg(event_type || ' ' || event_id ORDER BY first_seen_at DESC))[1] AS example
		 FROM processed_events
		 WHERE source IN ('stripe', 'square') AND first_seen_at > now() - interval '1 day'
		   AND (status = 'failed' OR (status = 'processing' AND lease_until < now()))
		 GROUP BY source ORDER BY source`,
	);
	if (rows.length === 0) return;
	throw new Error(
		rows
			.map((r) => `${r.source}: ${r.failed + r.stuck} event(s) not processed (${r.failed} failed in the workflow, ${r.stuck} left by a stopped process; latest: ${r.example})`)
			.join('; ') + '. The gateway redelivers them; the hourly reconcile applies what they carried.',
	);
}

/** Payments a gateway reported that match no reservation of the store, held until matched (billingLedger.ts). */
export async function checkUnmatchedPayments(db: Queryable): Promise<void> {
	const { rows } = await db.query<{ open: number; example: string | null }>(
		`SELECT count(*)::int AS open,
		        (array_agg(gateway || ' payment ' || payment_id || ' (' || status || ', ' || COALESCE(amount::text, '?') || ' ' || upper(currency) || ', named '
		                   || COALESCE('reservation ' || named_reservation_id, 'no reservation') || ')' ORDER BY first_seen))[1] AS example
		 FROM unmatched_payments WHERE matched_at IS NULL`,
	);
	const { open, example } = rows[0];
	if (open === 0) return;
	throw new Error(
		`${open} payment(s) match no reservation of the hotel (oldest: ${example}). Match each with Hotel Payment → Billing → Match Payment to Reservation; one whose reservation appears later is matched by the hourly reconcile.`,
	);
}
