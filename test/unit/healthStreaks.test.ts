/**
 * The streak rule on its own (no database): alert once when an integration has failed more than N
 * checks in a row, report the recovery once, and start over.
 */
import type { CheckResult } from '../../lib/health/runChecks';
import { NO_STREAK, nextStreak, unrecordedResults, type HealthAlert, type Streak } from '../../lib/health/streaks';

let clock = 0;
const check = (status: 'ok' | 'failed', integration = 'stripe'): CheckResult => ({
	integration,
	status,
	latencyMs: 12.5,
	checkedAt: new Date(Date.UTC(2026, 4, 1, 10, clock++ * 5)).toISOString(),
	...(status === 'failed' ? { error: 'Stripe answered 503.' } : {}),
});

/** Feeds statuses through nextStreak and returns the alerts, one entry per check. */
function play(statuses: Array<'ok' | 'failed'>, threshold: number, start: Streak = NO_STREAK) {
	let streak = start;
	const alerts: Array<HealthAlert | undefined> = [];
	for (const s of statuses) {
		const next = nextStreak(streak, check(s), threshold);
		streak = next.streak;
		alerts.push(next.alert);
	}
	return { streak, alerts };
}

beforeEach(() => (clock = 0));

it('does not alert at N failures in a row, alerts once on the N+1th, not again while it keeps failing', () => {
	const { alerts, streak } = play(['failed', 'failed', 'failed', 'failed', 'failed', 'failed'], 3);
	expect(alerts.map((a) => a?.alert)).toEqual([undefined, undefined, undefined, 'failing', undefined, undefined]);
	expect(alerts[3]).toEqual({
		alert: 'failing',
		integration: 'stripe',
		error: 'Stripe answered 503.',
		consecutiveFailures: 4,
		since: '2026-05-01T10:00:00.000Z', // the first failure of the streak
		checkedAt: '2026-05-01T10:15:00.000Z',
	});
	expect(streak).toEqual({ consecutiveFailures: 6, alerted: true, failingSince: '2026-05-01T10:00:00.000Z' });
});

it('reports the recovery once, with the length and start of the outage, and starts over', () => {
	const { alerts, streak } = play(['failed', 'failed', 'ok', 'ok', 'failed', 'failed'], 1);
	expect(alerts.map((a) => a?.alert)).toEqual([undefined, 'failing', 'recovered', undefined, undefined, 'failing']);
	expect(alerts[2]).toMatchObject({ alert: 'recovered', error: null, consecutiveFailures: 2, since: '2026-05-01T10:00:00.000Z', checkedAt: '2026-05-01T10:10:00.000Z' });
	expect(alerts[5]).toMatchObject({ consecutiveFailures: 2, since: '2026-05-01T10:20:00.000Z' });
	expect(streak.alerted).toBe(true);
});

it('says nothing when a streak ends before its alert', () => {
	const { alerts, streak } = play(['failed', 'failed', 'failed', 'ok', 'failed'], 3);
	expect(alerts.every((a) => a === undefined)).toBe(true);
	expect(streak).toEqual({ consecutiveFailures: 1, alerted: false, failingSince: '2026-05-01T10:20:00.000Z' });
});

it('with N = 0, alerts on the first failure', () => {
	expect(play(['failed'], 0).alerts[0]?.alert).toBe('failing');
});

it('without state, alerts every failed check and marks why', () => {
	const out = unrecordedResults([check('ok', 'redis'), check('failed', 'postgresql')], 'The health state could not be recorded (ECONNREFUSED).');
	expect(out[0]).toMatchObject({ integration: 'redis', status: 'ok', consecutiveFailures: null });
	expect(out[0].alert).toBeUndefined();
	expect(out[1].alert).toMatchObject({ alert: 'failing', integration: 'postgresql', consecutiveFailures: null, since: null, stateError: expect.stringContaining('ECONNREFUSED') });
});
