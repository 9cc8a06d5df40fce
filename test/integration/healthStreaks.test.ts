/**
 * Failure streaks in the real store: on the real PostgreSQL (a database of this file's own), and
 * the same sequence on the embedded PGlite. What a hotel relies on: one alert per outage, one
 * recovery, state that survives a new process, and exactly one alert when runs overlap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckResult } from '../../lib/health/runChecks';
import { recordResults, type RecordedResult } from '../../lib/health/streaks';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
	database = await createTestDatabase('health');
	db = await getStore(database.config);
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
});

let minute = 0;
const result = (integration: string, status: 'ok' | 'failed'): CheckResult => ({
	integration,
	status,
	latencyMs: 42.4,
	checkedAt: new Date(Date.UTC(2026, 4, 1, 8, minute++)).toISOString(),
	...(status === 'failed' ? { error: `${integration} answered 503.` } : {}),
});

async function run(store: Db, integration: string, status: 'ok' | 'failed', threshold = 3): Promise<RecordedResult> {
	const [recorded] = await recordResults(store, [result(integration, status)], { threshold });
	return recorded;
}

/** Five failed checks and two ok ones, at N = 3: [consecutive failures, alert] after each. */
async function sequence(store: Db, integration: string) {
	const seen: Array<[number | null, string | undefined]> = [];
	for (const status of ['failed', 'failed', 'failed', 'failed', 'failed', 'ok', 'ok'] as const) {
		const r = await run(store, integration, status);
		seen.push([r.consecutiveFailures, r.alert?.alert]);
	}
	return seen;
}

/** What `sequence` must see: no alert until the 4th failure, one then, one recovery, nothing after. */
const ALERT_ONCE_RECOVER_ONCE = [
	[1, undefined],
	[2, undefined],
	[3, undefined],
	[4, 'failing'],
	[5, undefined],
	[0, 'recovered'],
	[0, undefined],
];

it('fail ×3: no alert at N = 3; 4th: one alert; 5th: none; ok: recovered once; ok again: nothing', async () => {
	expect(await sequence(db, 'stripe')).toEqual(ALERT_ONCE_RECOVER_ONCE);
	const { rows } = await db.query('SELECT consecutive_failures, alerted, failing_since, last_status, last_error, last_latency_ms, last_ok_at FROM integration_health WHERE integration = $1', ['stripe']);
	expect(rows[0]).toMatchObject({ consecutive_failures: 0, alerted: false, failing_since: null, last_status: 'ok', last_error: null, last_latency_ms: 42 });
	expect(rows[0].last_ok_at).toBeInstanceOf(Date);
});

it('gives the alert what an e-mail needs: the error, the count and since when', async () => {
	const first = result('smtp', 'failed');
	await recordResults(db, [first], { threshold: 1 });
	const [r] = await recordResults(db, [result('smtp', 'failed')], { threshold: 1 });
	expect(r.alert).toEqual({
		alert: 'failing',
		integration: 'smtp',
		error: 'smtp answered 503.',
		consecutiveFailures: 2,
		since: first.checkedAt,
		checkedAt: r.checkedAt,
	});
	const [back] = await recordResults(db, [result('smtp', 'ok')], { threshold: 1 });
	expect(back.alert).toMatchObject({ alert: 'recovered', error: null, consecutiveFailures: 2, since: first.checkedAt });
});

it('keeps the streak across processes: a store opened afresh continues where the last one stopped', async () => {
	for (let n = 0; n < 3; n++) await run(db, 'redis', 'failed');
	await closeAllStores();
	db = await getStore(database.config);
	const fourth = await run(db, 'redis', 'failed');
	expect([fourth.consecutiveFailures, fourth.alert?.alert]).toEqual([4, 'failing']);
});

it('hands the alert to exactly one of many concurrent runs', async () => {
	for (let n = 0; n < 3; n++) await run(db, 'ota:booking', 'failed');
	const runs = await Promise.all(Array.from({ length: 8 }, () => run(db, 'ota:booking', 'failed')));
	expect(runs.filter((r) => r.alert?.alert === 'failing')).toHaveLength(1);
	// Each run saw the one before it: the counts are 4..11, none lost.
	expect(runs.map((r) => r.consecutiveFailures).sort((a, b) => (a as number) - (b as number))).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
	const recoveries = await Promise.all(Array.from({ length: 8 }, () => run(db, 'ota:booking', 'ok')));
	expect(recoveries.filter((r) => r.alert?.alert === 'recovered')).toHaveLength(1);
});

it('hands the alert to one run even when the very first checks of an integration overlap (N = 0)', async () => {
	const runs = await Promise.all(Array.from({ length: 8 }, () => run(db, 'google-calendar', 'failed', 0)));
	expect(runs.filter((r) => r.alert)).toHaveLength(1);
	expect(Math.max(...runs.map((r) => r.consecutiveFailures as number))).toBe(8);
});

it('does not deadlock when overlapping runs list the same integrations in different orders', async () => {
	const runs = await Promise.all(
		Array.from({ length: 10 }, (_, i) => {
			const pair = [result('a-first', 'failed'), result('z-last', 'failed')];
			return recordResults(db, i % 2 ? pair : pair.reverse(), { threshold: 4 });
		}),
	);
	const alerts = runs.flat().filter((r) => r.alert);
	expect(alerts.map((a) => a.integration).sort()).toEqual(['a-first', 'z-last']);
	// Results come back in the order they were given, whatever order the rows were locked in.
	expect(runs[0].map((r) => r.integration)).toEqual(['z-last', 'a-first']);
	expect(runs[1].map((r) => r.integration)).toEqual(['a-first', 'z-last']);
});

it('refuses a threshold that is not a whole number ≥ 0', async () => {
	await expect(recordResults(db, [result('x', 'failed')], { threshold: -1 })).rejects.toThrow(RangeError);
	await expect(recordResults(db, [result('x', 'failed')], { threshold: 1.5 })).rejects.toThrow(RangeError);
});

it('works the same on the embedded PGlite store', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'hotel-health-'));
	try {
		const embedded = await getStore({ kind: 'embedded', dir });
		expect(await sequence(embedded, 'stripe')).toEqual(ALERT_ONCE_RECOVER_ONCE);
		const runs = await Promise.all(Array.from({ length: 5 }, () => run(embedded, 'redis', 'failed', 0)));
		expect(runs.filter((r) => r.alert)).toHaveLength(1);
	} finally {
		await closeAllStores();
		db = await getStore(database.config);
		rmSync(dir, { recursive: true, force: true });
	}
});
