/**
 * One cheap, harmless read per integration — what each credential's Test button also asks — used
 * as a health probe.
 *
 * Why probes take one attempt and leave the circuit breakers alone:
 * - Retries: a probe that retries hides what it is there to show. A partner that needed three
 *   attempts and two backoffs would read "ok, 1.6 s". So each probe is one attempt, timed, under
 *   the check's own deadline (lib/health/runChecks.ts). Where a probe goes through our existing
 *   client code (Stripe, Square, Google), it is with PROBE_POLICY: one attempt, and a breaker that never
 *   opens, so callPartner adds only its timeout and the partner's error translation.
 * - Breakers: reporting "failed: breaker open" when operations are held off would be nice, but
 *   the breakers live inside lib/resilience/policy.ts, keyed by endpoint *and* options, and cannot
 *   be read from outside. Going through the operational policy would bring its retries; a probe
 *   let through a half-open breaker would also decide it (and one that failed with a refusal would
 *   close it). So the probe asks the partner directly: one request every few minutes is no load,
 *   and "Stripe answered 503" says more in an alert than "breaker open". A breaker also lives per
 *   n8n process, while the probe's answer is the same for every worker.
 */
import type Redis from 'ioredis';
import { CalendarClient, type CalendarSend } from '../calendar/client';
import { probeChannel, type ChannelConnection } from '../channels/channelClient';
import { StripeGateway, type StripeConnection } from '../payments/stripeGateway';
import { SquareGateway, type SquareConnection } from '../payments/squareGateway';
import type { ResilienceOptions } from '../resilience/policy';
import type { Queryable } from '../store/db';

function probePolicy(timeoutMs: number): Partial<ResilienceOptions> {
	return { maxAttempts: 1, timeoutMs, breakerThreshold: Number.POSITIVE_INFINITY };
}

/** GET /v1/balance: a read any secret or restricted key with payments access may do. */
export function probeStripe(connection: StripeConnection, timeoutMs: number): Promise<void> {
	return new StripeGateway(connection, probePolicy(timeoutMs)).checkConnection();
}

/** GET /v2/locations/{id}: proves the token and the location together. */
export function probeSquare(connection: SquareConnection, timeoutMs: number): Promise<void> {
	return new SquareGateway(connection, probePolicy(timeoutMs)).checkConnection();
}

/** Asks for undelivered reservations (a read: nothing is acknowledged). */
export async function probeOtaChannel(connection: ChannelConnection): Promise<void> {
	const verdict = await probeChannel(connection);
	if (!verdict.ok) throw new Error(verdict.message);
}

/** Opens the store (as every node does, so opening is part of the check) and runs SELECT 1. */
export async function probeDatabase(open: () => Promise<Queryable>, where: string): Promise<void> {
	try {
		await (await open()).query('SELECT 1');
	} catch (error) {
		throw new Error(`${where} did not answer: ${(error as Error).message}`);
	}
}

/**
 * PING on the shared connection the nodes use. When Redis is down, ioredis fails the command with
 * "max retries per request"; the reason worth showing (ECONNREFUSED, WRONGPASS, …) is in the
 * connection's 'error' events, so the probe listens to them while it waits.
 */
export async function probeRedis(redis: Pick<Redis, 'ping' | 'on' | 'off'>, where: string): Promise<void> {
	let connectionError: Error | undefined;
	const onError = (error: Error) => (connectionError = error);
	redis.on('error', onError);
	try {
		const answer = await redis.ping();
		if (answer !== 'PONG') throw new Error(`answered PING with "${answer}" instead of PONG`);
	} catch (error) {
		throw new Error(`Redis at ${where} did not answer: ${(connectionError ?? (error as Error)).message}`);
	} finally {
		redis.off('error', onError);
	}
}

/** GET calendars/{calendarId}: proves the credential works and the calendar is shared with it. */
export async function probeGoogleCalendar(send: CalendarSend, apiBaseUrl: string, calendarId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
	await new CalendarClient(send, apiBaseUrl, { signal, resilience: probePolicy(timeoutMs) }).getCalendar(calendarId || 'primary');
}
