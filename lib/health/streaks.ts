/**
 * Failure streaks, kept durably in `integration_health` (PostgreSQL or the embedded PGlite), so a
 * workflow that checks every 5 minutes alerts once per outage — and once when it is over — even
 * across n8n restarts and with several workers running the same workflow.
 *
 * The rule: an integration whose check failed more than `threshold` times in a row is alerted
 * ('failing') once; the first ok check after that is reported ('recovered') once, and the streak
 * starts again from zero. A streak that ends before its alert simply resets.
 */
import type { Db, Queryable } from '../store/db';
import type { CheckResult } from './runChecks';

export interface Streak {
	consecutiveFailures: number;
	/** The 'failing' alert of this streak went out. */
	alerted: boolean;
	/** When the first failed check of this streak ran (ISO), null while ok. */
	failingSince: string | null;
}

export type AlertKind = 'failing' | 'recovered';

/** What an alert e-mail needs. */
export interface HealthAlert {
	alert: AlertKind;
	integration: string;
	/** The failing check's error; null for 'recovered'. */
	error: string | null;
	/** Failed checks in a row: so far ('failing'), or in the outage that just ended ('recovered'). Null when unknown (see unrecordedResults). */
	consecutiveFailures: number | null;
	/** When the outage began. */
	since: string | null;
	checkedAt: string;
	/** Set when the health state could not be recorded: this alert will repeat every run until it can. */
	stateError?: string;
}

export interface RecordedResult extends CheckResult {
	/** After this check; null when the state could not be recorded. */
	consecutiveFailures: number | null;
	/** Present only on the one run that made it due. */
	alert?: HealthAlert;
}

export const NO_STREAK: Streak = { consecutiveFailures: 0, alerted: false, failingSince: null };

/** The streak after one more check, and the alert that check makes due, if any. Pure. */
export function nextStreak(previous: Streak, result: CheckResult, threshold: number): { streak: Streak; alert?: HealthAlert } {
	const base = { integration: result.integration, checkedAt: result.checkedAt };
	if (result.status === 'ok') {
		const alert: HealthAlert | undefined = previous.alerted
			? { ...base, alert: 'recovered', error: null, consecutiveFailures: previous.consecutiveFailures, since: previous.failingSince }
			: undefined;
		return { streak: NO_STREAK, alert };
	}
	const streak: Streak = {
		consecutiveFailures: previous.consecutiveFailures + 1,
		alerted: previous.alerted,
		failingSince: previous.failingSince ?? result.checkedAt,
	};
	// "More than N times in a row": with N = 3, the 4th failure alerts.
	if (streak.alerted || streak.consecutiveFailures <= threshold) return { streak };
	streak.alerted = true;
	return {
		streak,
		alert: { ...base, alert: 'failing', error: result.error ?? null, consecutiveFailures: streak.consecutiveFailures, since: streak.failingSince },
	};
}

export interface RecordOptions {
	/** Alert when an integration failed more than this many checks in a row (an integer ≥ 0). */
	threshold: number;
}

/**
 * Applies one run's results to the stored streaks and returns each result with its streak and the
 * alert it made due. One transaction per run; each row is locked while it is read and rewritten,
 * so concurrent runs (two workers, a manual run during a scheduled one) take turns per integration:
 * the second sees the first's outcome, and an alert is handed to exactly one of them.
 */
export async function recordResults(db: Db, results: CheckResult[], options: RecordOptions): Promise<RecordedResult[]> {
	const threshold = options.threshold;
	if (!Number.isInteger(threshold) || threshold < 0) throw new RangeError(`The alert threshold must be a whole number of at least 0 (got ${threshold}).`);
	// Rows are locked in name order, whatever the order of the checks, so two runs never deadlock.
	const order = results.map((_, i) => i).sort((a, b) => results[a].integration.localeCompare(results[b].integration));
	const recorded = new Array<RecordedResult>(results.length);
	await db.transaction(async (tx) => {
		for (const i of order) {
			const result = results[i];
			const previous = await lockStreak(tx, result);
			const { streak, alert } = nextStreak(previous, result, threshold);
			await saveStreak(tx, result, streak);
			recorded[i] = { ...result, consecutiveFailures: streak.consecutiveFailures, ...(alert ? { alert } : {}) };
		}
	});
	return recorded;
}

/**
 * The stored streak, with its row locked until the transaction ends. The row is created first if
 * it is new (ON CONFLICT DO NOTHING waits for a concurrent creator to commit), so there is always
 * a row to lock — two first-ever runs cannot both start from "no streak".
 */
async function lockStreak(tx: Queryable, result: CheckResult): Promise<Streak> {
	await tx.query(`INSERT INTO integration_health (integration, last_status) VALUES ($1, $2) ON CONFLICT (integration) DO NOTHING`, [
		result.integration,
		result.status,
	]);
	const { rows } = await tx.query<{ consecutive_failures: number; alerted: boolean; failing_since: Date | string | null }>(
		`SELECT consecutive_failures, alerted, failing_since FROM integration_health WHERE integration = $1 FOR UPDATE`,
		[result.integration],
	);
	const row = rows[0];
	return {
		consecutiveFailures: Number(row.consecutive_failures),
		alerted: Boolean(row.alerted),
		failingSince: row.failing_since === null ? null : new Date(row.failing_since).toISOString(),
	};
}

async function saveStreak(tx: Queryable, result: CheckResult, streak: Streak): Promise<void> {
	await tx.query(
		`UPDATE integration_health
		 SET consecutive_failures = $2, alerted = $3, failing_since = $4, last_status = $5, last_error = $6,
		     last_latency_ms = $7, last_checked_at = $8, last_ok_at = CASE WHEN $5 = 'ok' THEN $8::timestamptz ELSE last_ok_at END
		 WHERE integration = $1`,
		[
			result.integration,
			streak.consecutiveFailures,
			streak.alerted,
			streak.failingSince,
			result.status,
			result.error?.slice(0, 2000) ?? null,
			Math.round(result.latencyMs),
			result.checkedAt,
		],
	);
}


/**
 * The results of a run whose state could not be recorded — the store is down, often the very
 * PostgreSQL being checked. Without memory there is no "once": every failed check is alerted, as
 * an alert repeated each run is better than an outage (of the store itself, say) nobody hears about.
 */
export function unrecordedResults(results: CheckResult[], stateError: string): RecordedResult[] {
	return results.map((result) => {
		if (result.status === 'ok') return { ...result, consecutiveFailures: null };
		const alert: HealthAlert = {
			alert: 'failing',
			integration: result.integration,
			error: result.error ?? null,
			consecutiveFailures: null,
			since: null,
			checkedAt: result.checkedAt,
			stateError,
		};
		return { ...result, consecutiveFailures: null, alert };
	});
}
