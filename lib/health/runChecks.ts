/**
 * Running health checks: every check at once, each under its own deadline, each timed on its own.
 * A check that throws, rejects or hangs becomes a 'failed' result — never an exception — because
 * the point of a health run is to report every integration, most of all when some are down.
 */
import { performance } from 'node:perf_hooks';

export interface Check {
	/** What is checked, as results and the health state name it: 'stripe', 'ota:booking', 'redis', … */
	integration: string;
	/** Resolves when the integration answered properly; throws (or rejects) with the reason otherwise. */
	run(signal: AbortSignal): Promise<void>;
}

export type CheckStatus = 'ok' | 'failed';

export interface CheckResult {
	integration: string;
	status: CheckStatus;
	/** Wall time of the check, in ms with one decimal. */
	latencyMs: number;
	error?: string;
	/** ISO time the check started. */
	checkedAt: string;
}

export interface RunChecksOptions {
	/** Deadline per check. */
	timeoutMs: number;
}

/** Results in the order of `checks`. Never rejects. */
export function runChecks(checks: Check[], options: RunChecksOptions): Promise<CheckResult[]> {
	return Promise.all(checks.map((check) => runOne(check, options.timeoutMs)));
}

async function runOne(check: Check, timeoutMs: number): Promise<CheckResult> {
	const checkedAt = new Date().toISOString();
	const controller = new AbortController();
	const started = performance.now();
	const latencyMs = () => Math.round((performance.now() - started) * 10) / 10;
	let timer: NodeJS.Timeout | undefined;
	// The deadline does not rely on the check honouring its signal: some clients cannot be aborted
	// (a Redis PING, a probe with its own timer), so the check is raced and left behind if late.
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			controller.abort();
			reject(new Error(`${check.integration} did not answer within ${formatSeconds(timeoutMs)}.`));
		}, timeoutMs);
	});
	// Started inside a promise so a check that throws synchronously is a failed result too.
	const running = Promise.resolve().then(() => check.run(controller.signal));
	// A check left behind may still reject later; that must not become an unhandled rejection,
	// which would take the whole n8n process down.
	running.catch(() => undefined);
	try {
		await Promise.race([running, deadline]);
		return { integration: check.integration, status: 'ok', latencyMs: latencyMs(), checkedAt };
	} catch (error) {
		return { integration: check.integration, status: 'failed', latencyMs: latencyMs(), error: messageOf(error), checkedAt };
	} finally {
		clearTimeout(timer);
	}
}

/** Duck-typed: an error from another realm (a VM context, a worker) is not `instanceof Error`. */
function messageOf(error: unknown): string {
	const e = error as { message?: unknown; name?: unknown } | null;
	if (e && typeof e === 'object' && typeof e.message === 'string') return e.message || String(e.name ?? 'Error');
	return String(error);
}

function formatSeconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
