/**
 * The one retry policy: every call to a partner (Stripe, an OTA, SMTP, Google) goes through
 * `callPartner`. It wraps cockatiel's policies so that each endpoint has
 *  - a timeout per attempt,
 *  - retries with exponential backoff and full jitter, only for errors marked retryable,
 *  - a circuit breaker (consecutive failures open it; after `halfOpenAfterMs` one probe is let
 *    through, and its outcome closes or re-opens it).
 * Breakers live per endpoint key for the life of the process, so every execution in this n8n
 * sees the same breaker state for the same partner.
 */
import {
	BrokenCircuitError,
	ConsecutiveBreaker,
	ExponentialBackoff,
	ICancellationContext,
	IPolicy,
	IRetryContext,
	TaskCancelledError,
	TimeoutStrategy,
	circuitBreaker,
	handleWhen,
	retry,
	timeout,
	wrap,
} from 'cockatiel';

export interface ResilienceOptions {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	initialDelayMs: number;
	maxDelayMs: number;
	/** Per attempt. */
	timeoutMs: number;
	/** Consecutive failed calls (after their retries) that open the breaker. */
	breakerThreshold: number;
	halfOpenAfterMs: number;
}

export const defaultResilience: ResilienceOptions = {
	maxAttempts: 4,
	initialDelayMs: 200,
	maxDelayMs: 5_000,
	timeoutMs: 15_000,
	breakerThreshold: 5,
	halfOpenAfterMs: 30_000,
};

/** An error a partner call may throw; `retryable` decides whether another attempt can help. */
export class PartnerError extends Error {
	constructor(
		message: string,
		readonly details: { partner: string; retryable: boolean; status?: number; code?: string; cause?: unknown },
	) {
		super(message);
		this.name = 'PartnerError';
	}
}

/** The breaker is open: the partner failed repeatedly and is being left alone for a while. */
export class PartnerUnavailableError extends PartnerError {
	constructor(partner: string) {
		super(`${partner} is failing repeatedly; calls are paused for a short while (circuit breaker open). Try again later.`, {
			partner,
			retryable: true,
		});
		this.name = 'PartnerUnavailableError';
	}
}

export function isRetryable(error: unknown): boolean {
	if (error instanceof PartnerError) return error.details.retryable;
	return error instanceof TaskCancelledError; // our own timeout
}

type PartnerPolicy = IPolicy<IRetryContext & ICancellationContext>;

/**
 * Where retries, breaker changes and failed calls are logged. The nodes hand in n8n's logger
 * (`usePartnerLogger(this.logger)`); n8n's logger is one per process, and so is this sink. Fields
 * are structured (integration, endpoint, attempt, durationMs, error) and never carry request bodies
 * or credentials: messages of PartnerError name the partner and the status, nothing more.
 */
export interface PartnerLogger {
	info(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
	error(message: string, meta?: object): void;
}

let partnerLog: PartnerLogger | undefined;

export function usePartnerLogger(logger: PartnerLogger | undefined): void {
	partnerLog = logger;
}

const policies = new Map<string, PartnerPolicy>();

function policyFor(partner: string, key: string, o: ResilienceOptions): PartnerPolicy {
	const cacheKey = `${key}|${JSON.stringify(o)}`;
	let policy = policies.get(cacheKey);
	if (!policy) {
		const retryable = handleWhen(isRetryable);
		const retryPolicy = retry(retryable, {
			maxAttempts: Math.max(0, o.maxAttempts - 1),
			backoff: new ExponentialBackoff({ initialDelay: o.initialDelayMs, maxDelay: o.maxDelayMs }),
		});
		// The breaker sits outside the retries: one call that exhausts its retries counts once.
		const breakerPolicy = circuitBreaker(retryable, {
			halfOpenAfter: o.halfOpenAfterMs,
			breaker: new ConsecutiveBreaker(o.breakerThreshold),
		});
		const fields = { integration: partner, endpoint: key };
		retryPolicy.onRetry(({ attempt, delay, ...outcome }) => {
			const error = 'error' in outcome ? (outcome.error as Error).message : undefined;
			partnerLog?.warn(`${partner}: attempt ${attempt} failed, retrying`, { ...fields, attempt, retryInMs: Math.round(delay), error });
		});
		breakerPolicy.onBreak(() => partnerLog?.error(`${partner}: failing repeatedly, calls paused (circuit breaker open)`, { ...fields, pauseMs: o.halfOpenAfterMs }));
		breakerPolicy.onHalfOpen(() => partnerLog?.info(`${partner}: trying one call after the pause`, fields));
		breakerPolicy.onReset(() => partnerLog?.info(`${partner}: answering again (circuit breaker closed)`, fields));
		policy = wrap(breakerPolicy, retryPolicy, timeout(o.timeoutMs, TimeoutStrategy.Aggressive)) as PartnerPolicy;
		policies.set(cacheKey, policy);
	}
	return policy;
}

export interface CallContext {
	/** Which attempt this is, from 1. */
	attempt: number;
	signal: AbortSignal;
}

/**
 * Runs `fn` against `partner` (a name for messages) at `endpointKey` (one breaker per key) with the
 * policy above. `fn` must be safe to repeat: writes carry an idempotency key.
 */
export async function callPartner<T>(
	partner: string,
	endpointKey: string,
	fn: (ctx: CallContext) => Promise<T>,
	options: Partial<ResilienceOptions> = {},
): Promise<T> {
	const policy = policyFor(partner, endpointKey, { ...defaultResilience, ...options });
	const started = performance.now();
	let attempts = 0;
	try {
		return await policy.execute(async ({ attempt, signal }) => {
			attempts = attempt + 1;
			try {
				return await fn({ attempt: attempts, signal });
			} catch (error) {
				// An attempt cut off by our timeout fails with whatever the client throws on abort.
				if (signal.aborted && !(error instanceof PartnerError)) throw timedOut(partner, error);
				throw error;
			}
		});
	} catch (error) {
		const failure = error instanceof BrokenCircuitError ? new PartnerUnavailableError(partner) : error instanceof TaskCancelledError ? timedOut(partner, error) : error;
		partnerLog?.warn(`${partner}: call failed`, {
			integration: partner,
			endpoint: endpointKey,
			attempt: attempts,
			durationMs: Math.round(performance.now() - started),
			error: (failure as Error).message,
		});
		throw failure;
	}
}

function timedOut(partner: string, cause: unknown): PartnerError {
	return new PartnerError(`${partner} did not answer in time.`, { partner, retryable: true, cause });
}

/** Test hook: forget every breaker (each test starts with closed circuits). */
export function resetPartnerPolicies(): void {
	policies.clear();
}
