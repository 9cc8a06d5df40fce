/**
 * runChecks on its own: every check runs at once under its own deadline, is timed on its own, and
 * whatever a check does — resolve, throw, reject late, hang, ignore its signal — the run reports
 * it as a result and never throws.
 */
import { runChecks, type Check } from '../../lib/health/runChecks';
import { SecretRedactor } from '../../lib/health/redact';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const after = (integration: string, ms: number, fail?: string): Check => ({
	integration,
	run: async () => {
		await sleep(ms);
		if (fail) throw new Error(fail);
	},
});

it('reports each check ok or failed with its error, in the order given', async () => {
	const results = await runChecks([after('stripe', 5), after('smtp', 5, 'SMTP server refused the login'), after('redis', 1)], { timeoutMs: 1000 });
	expect(results.map((r) => [r.integration, r.status, r.error])).toEqual([
		['stripe', 'ok', undefined],
		['smtp', 'failed', 'SMTP server refused the login'],
		['redis', 'ok', undefined],
	]);
	for (const r of results) expect(new Date(r.checkedAt).toISOString()).toBe(r.checkedAt);
});

it('runs the checks concurrently: all three are under way before any of them ends', async () => {
	let running = 0;
	let mostAtOnce = 0;
	const counted = (integration: string): Check => ({
		integration,
		run: async () => {
			mostAtOnce = Math.max(mostAtOnce, ++running);
			await sleep(50);
			running--;
		},
	});
	const results = await runChecks([counted('a'), counted('b'), counted('c')], { timeoutMs: 2000 });
	expect(results.every((r) => r.status === 'ok')).toBe(true);
	expect(mostAtOnce).toBe(3);
});

it("measures each check's own latency", async () => {
	const [fast, slow] = await runChecks([after('fast', 10), after('slow', 120)], { timeoutMs: 2000 });
	expect(fast.latencyMs).toBeGreaterThanOrEqual(8);
	expect(slow.latencyMs).toBeGreaterThanOrEqual(115);
	expect(fast.latencyMs).toBeLessThan(slow.latencyMs); // each timed on its own, not the run's total
	expect(Number.isInteger(slow.latencyMs * 10)).toBe(true); // one decimal
});

it('fails a check that overruns its deadline, aborts its signal, and does not wait for it', async () => {
	let signal: AbortSignal | undefined;
	const hanging: Check = {
		integration: 'ota:booking',
		run: (s) => {
			signal = s;
			return new Promise(() => undefined); // never settles, ignores the signal
		},
	};
	const started = Date.now();
	const [hung, ok] = await runChecks([hanging, after('stripe', 10)], { timeoutMs: 200 });
	expect(Date.now() - started).toBeLessThan(2_000); // a check that never settles: had we waited, never
	expect(hung).toMatchObject({ integration: 'ota:booking', status: 'failed', error: 'ota:booking did not answer within 200 ms.' });
	expect(hung.latencyMs).toBeGreaterThanOrEqual(195);
	expect(signal?.aborted).toBe(true);
	expect(ok.status).toBe('ok');
});

it('turns a synchronous throw, a non-Error rejection and a late rejection into results, never an unhandled rejection', async () => {
	const unhandled: unknown[] = [];
	const onUnhandled = (reason: unknown) => unhandled.push(reason);
	process.on('unhandledRejection', onUnhandled);
	try {
		const results = await runChecks(
			[
				{ integration: 'sync', run: () => { throw new Error('bad configuration'); } },
				{ integration: 'string', run: () => Promise.reject('plain string') },
				{ integration: 'late', run: () => sleep(150).then(() => { throw new Error('too late'); }) },
			],
			{ timeoutMs: 50 },
		);
		expect(results.map((r) => [r.status, r.error])).toEqual([
			['failed', 'bad configuration'],
			['failed', 'plain string'],
			['failed', 'late did not answer within 50 ms.'],
		]);
		await sleep(200); // the late check rejects now, after its result was given
		expect(unhandled).toEqual([]);
	} finally {
		process.off('unhandledRejection', onUnhandled);
	}
});

it('says "s" for whole seconds in the timeout message', async () => {
	const [r] = await runChecks([{ integration: 'redis', run: () => new Promise(() => undefined) }], { timeoutMs: 1000 });
	expect(r.error).toBe('redis did not answer within 1 s.');
});

describe('SecretRedactor', () => {
	it('blanks the secret fields of the credentials it was given, longest first, and leaves other fields alone', () => {
		const r = new SecretRedactor();
		r.add({ host: 'db.hotel', user: 'frontdesk', password: 'hunter22', keyPrefix: 'hotel:' });
		r.add({ secretKey: 'sk_test_abc123', webhookSecret: 'whsec_1', privateKey: '-----BEGIN KEY-----x' });
		r.add({ password: 'x' }); // too short to blank sensibly
		expect(r.redact('login as frontdesk with hunter22 at db.hotel (hotel:) using sk_test_abc123 and whsec_1')).toBe(
			'login as frontdesk with *** at db.hotel (hotel:) using *** and ***',
		);
	});
});
