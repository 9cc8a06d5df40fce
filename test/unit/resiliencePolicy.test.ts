import { callPartner, PartnerError, PartnerUnavailableError, resetPartnerPolicies, usePartnerLogger } from '../../lib/resilience/policy';

// The breaker's pause is long enough that "still open" holds on a slow machine.
const fast = { initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 200, breakerThreshold: 3, halfOpenAfterMs: 1_000 };
const flaky = (message = 'down') => new PartnerError(message, { partner: 'Test', retryable: true, status: 503 });
const refused = () => new PartnerError('bad request', { partner: 'Test', retryable: false, status: 400 });

beforeEach(() => resetPartnerPolicies());

it('retries a retryable failure until it succeeds', async () => {
	let calls = 0;
	const result = await callPartner('Test', 'ep-retry', async () => (++calls < 3 ? Promise.reject(flaky()) : 'ok'), { ...fast, maxAttempts: 4 });
	expect([result, calls]).toEqual(['ok', 3]);
});

it('gives up after maxAttempts and surfaces the last error', async () => {
	let calls = 0;
	await expect(
		callPartner('Test', 'ep-giveup', async () => {
			calls++;
			throw flaky('still down');
		}, { ...fast, maxAttempts: 3 }),
	).rejects.toThrow('still down');
	expect(calls).toBe(3);
});

it('does not retry a refusal', async () => {
	let calls = 0;
	await expect(callPartner('Test', 'ep-refused', async () => { calls++; throw refused(); }, fast)).rejects.toThrow('bad request');
	expect(calls).toBe(1);
});

it('opens the breaker after consecutive failed calls, then lets one probe through after the pause', async () => {
	let calls = 0;
	const failing = async () => {
		calls++;
		throw flaky();
	};
	for (let n = 0; n < 3; n++) await expect(callPartner('Test', 'ep-breaker', failing, { ...fast, maxAttempts: 1 })).rejects.toThrow('down');
	expect(calls).toBe(3);
	// Open: refused at once, the partner is not called.
	await expect(callPartner('Test', 'ep-breaker', failing, { ...fast, maxAttempts: 1 })).rejects.toBeInstanceOf(PartnerUnavailableError);
	expect(calls).toBe(3);
	// Half-open after the pause: one probe reaches the partner; its success closes the breaker.
	await new Promise((r) => setTimeout(r, 1_100));
	await expect(callPartner('Test', 'ep-breaker', async () => { calls++; return 'back'; }, { ...fast, maxAttempts: 1 })).resolves.toBe('back');
	await expect(callPartner('Test', 'ep-breaker', async () => 'still fine', { ...fast, maxAttempts: 1 })).resolves.toBe('still fine');
	expect(calls).toBe(4);
});

it('keeps one breaker per endpoint: one failing partner does not block another', async () => {
	for (let n = 0; n < 3; n++) await expect(callPartner('A', 'ep-a', async () => { throw flaky(); }, { ...fast, maxAttempts: 1 })).rejects.toThrow();
	await expect(callPartner('A', 'ep-a', async () => 'x', { ...fast, maxAttempts: 1 })).rejects.toBeInstanceOf(PartnerUnavailableError);
	await expect(callPartner('B', 'ep-b', async () => 'b works', { ...fast, maxAttempts: 1 })).resolves.toBe('b works');
});

it('times out a hung attempt and retries it', async () => {
	let calls = 0;
	const result = await callPartner(
		'Test',
		'ep-timeout',
		({ signal }) =>
			++calls === 1 ? new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) : Promise.resolve('second try'),
		{ ...fast, timeoutMs: 50, maxAttempts: 2 },
	);
	expect([result, calls]).toEqual(['second try', 2]);
});

it('logs retries, the breaker opening and closing, and failed calls with structured fields', async () => {
	const lines: Array<{ level: string; message: string; meta: Record<string, unknown> }> = [];
	const at = (level: string) => (message: string, meta?: object) => lines.push({ level, message, meta: { ...meta } });
	usePartnerLogger({ info: at('info'), warn: at('warn'), error: at('error') });
	try {
		let up = false;
		const call = () => callPartner('Test', 'ep-log', async () => (up ? 'ok' : Promise.reject(flaky('503 from partner'))), { ...fast, maxAttempts: 2, breakerThreshold: 1 });
		await expect(call()).rejects.toThrow('503 from partner');
		await expect(call()).rejects.toThrow(PartnerUnavailableError);
		await new Promise((r) => setTimeout(r, 1_100));
		up = true;
		await expect(call()).resolves.toBe('ok');
	} finally {
		usePartnerLogger(undefined);
	}
	expect(lines.map((l) => `${l.level} ${l.message}`)).toEqual([
		'warn Test: attempt 1 failed, retrying',
		'error Test: failing repeatedly, calls paused (circuit breaker open)',
		'warn Test: call failed',
		'warn Test: call failed',
		'info Test: trying one call after the pause',
		'info Test: answering again (circuit breaker closed)',
	]);
	expect(lines[0].meta).toMatchObject({ integration: 'Test', endpoint: 'ep-log', attempt: 1, error: '503 from partner' });
	expect(lines[2].meta).toMatchObject({ integration: 'Test', attempt: 2, error: '503 from partner', durationMs: expect.any(Number) });
	expect(lines[3].meta).toMatchObject({ attempt: 0, error: expect.stringMatching(/circuit breaker open/) });
});
