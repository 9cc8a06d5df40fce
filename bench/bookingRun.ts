/**
 * Runs the booking-engine part on an n8n where setUpBooking() has put the workflows:
 *
 *  1. warm-up of (c), which also fills the cache, then of (d);
 *  2. per concurrency, availability in the order d c c d (ABBA, as the payment part does, so drift
 *     costs both alike), switching the active workflow between c and d;
 *  3. the availability query alone, outside n8n, while n8n is idle; then requests the trigger
 *     refuses (no token), which start no execution: n8n's cost per request before any execution;
 *  4. (e): warm-up, then reservation creations per concurrency (no partner case: an absolute figure);
 *  5. the checks: cache hits, reservations against the 201s, ReservationBook.soldDrift().
 *
 * (e) runs last because every booking bumps the cache's version: after it, (c) would miss.
 */
import type { N8n } from '../scripts/n8n';
import type { BookingKey, BookingSetup } from './booking';
import { measureDirect } from './bookingDirect';
import { runBurst } from './burst';
import { CACHE_GOAL, type AvailabilityLevel, type BookingChecks, type BookingReport, type PhaseSummary, type ReservationLevel } from './bookingReport';
import { executionTimes, type Window } from './bookingTimes';
import type { LoadTarget, PhaseResult } from './load';
import { ratio, summarise, type CaseFigures } from './stats';
import { LEVELS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS, WARMUP_REQUESTS } from './sizing';

/**
 * d first: after the warm-ups (c, then d) the uncached copy is the active one, so this saves a
 * switch. g (the hand-wired peer) has a path of its own and needs no switch.
 */
const ORDER: Array<'c' | 'd' | 'g'> = ['d', 'c', 'g', 'g', 'c', 'd'];

export type Measure = (target: LoadTarget, o: { requests: number; concurrency: number; deadlineMs: number }) => Promise<PhaseResult>;

interface Timed {
	key: BookingKey;
	result: PhaseResult;
	window: Window;
}

export async function runBooking(booking: BookingSetup, n8n: N8n, measure: Measure, progress: (message: string) => void): Promise<BookingReport> {
	const switchMs: number[] = [];
	const reservationTally = { sent: 0, created: 0 };
	const run = async (key: BookingKey, requests: number, concurrency: number, deadlineMs: number): Promise<Timed> => {
		const ms = await booking.switchTo(key);
		if (ms > 0) switchMs.push(ms);
		const from = Date.now();
		const result = await measure(booking[key], { requests, concurrency, deadlineMs });
		if (key === 'e') {
			reservationTally.sent += result.sent;
			reservationTally.created += result.ok;
		}
		return { key, result, window: { from, to: Date.now() } };
	};

	progress(`booking engine: warm-up ${WARMUP_REQUESTS} requests each for g, c (fills the cache) and d`);
	for (const key of ['g', 'c', 'd'] as const) await run(key, WARMUP_REQUESTS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS);

	const availability: AvailabilityLevel[] = [];
	const singleWindows: Record<'c' | 'd' | 'g', Window[]> = { c: [], d: [], g: [] };
	for (const level of LEVELS) {
		const perRound = Math.ceil(level.requests / ORDER.filter((k) => k === 'c').length);
		const rounds: Timed[] = [];
		for (const key of ORDER) {
			progress(`booking engine, concurrency ${level.concurrency}: ${key} × ${perRound}`);
			const timed = await run(key, perRound, level.concurrency, level.phaseDeadlineMs);
			rounds.push(timed);
			if (level.concurrency === 1) singleWindows[key].push(timed.window);
		}
		availability.push(availabilityLevel(level.concurrency, rounds));
	}

	progress('booking engine: the availability query alone, outside n8n');
	const outsideN8n = await measureDirect(booking.database.config, booking.redisPrefix, booking.stays);
	const noExecution = await measureRefused(booking, measure, progress);

	progress(`booking engine: warm-up ${WARMUP_REQUESTS} reservations`);
	await run('e', WARMUP_REQUESTS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS);
	const reservations: ReservationLevel[] = [];
	for (const level of LEVELS) {
		progress(`booking engine, concurrency ${level.concurrency}: e × ${level.requests}`);
		const { result } = await run('e', level.requests, level.concurrency, level.phaseDeadlineMs);
		reservations.push({ concurrency: level.concurrency, e: summarise([result]) });
	}

	progress('booking engine: checking the database and reading execution times...');
	const checks = await bookingChecks(booking, availability, reservationTally);
	const insideN8n = {
		c: await executionTimes(n8n, booking.c.workflowId, singleWindows.c),
		d: await executionTimes(n8n, booking.d.workflowId, singleWindows.d),
	};
	progress(`booking engine: a burst of ${booking.burst.shots.length} simultaneous bookings for one night`);
	const topRate = reservations[reservations.length - 1]?.e.executionsPerSecond ?? Number.NaN;
	const burst = await runBurst(booking.burst, topRate);
	const noErrors = [...availability.flatMap((l) => [l.c, l.d, l.g]), ...reservations.map((l) => l.e)].every((f) => f.errors === 0 && !f.truncated);
	return {
		workflow: 'workflows/booking-engine-api.json on PostgreSQL (set up as test/e2e/bookingEngine.test.ts), same n8n as the payment part',
		cases: { c: booking.c.label, d: booking.d.label, e: booking.e.label, g: booking.g.label },
		stays: booking.stays.map((s) => `${s.arrival}→${s.departure}`),
		plan: {
			warmupRequestsPerCase: WARMUP_REQUESTS,
			warmupConcurrency: WARMUP_CONCURRENCY,
			availabilityOrder: ORDER.join(' '),
			levels: LEVELS.map((l) => ({ concurrency: l.concurrency, requestsPerCase: l.requests, phaseDeadlineMs: l.phaseDeadlineMs })),
		},
		availability,
		reservations,
		switches: { count: switchMs.length, meanMs: Math.round(switchMs.reduce((a, b) => a + b, 0) / Math.max(1, switchMs.length)) },
		outsideN8n,
		noExecution,
		insideN8n,
		checks,
		burst,
		passed: burst.passed && noErrors && checks.cacheHits.allHit && checks.uncached.allOff && checks.reservations.matches,
	};
}

/** Same URL and queries as (c), no token: the trigger answers 401 before any execution exists. */
async function measureRefused(booking: BookingSetup, measure: Measure, progress: (message: string) => void): Promise<Array<{ concurrency: number; figures: CaseFigures }>> {
	await booking.switchTo('c');
	const levels: Array<{ concurrency: number; figures: CaseFigures }> = [];
	for (const level of LEVELS) {
		progress(`booking engine, concurrency ${level.concurrency}: ${level.requests} requests refused by the trigger (no execution)`);
		const result = await measure(booking.refused, { requests: level.requests, concurrency: level.concurrency, deadlineMs: level.phaseDeadlineMs });
		levels.push({ concurrency: level.concurrency, figures: summarise([result]) });
	}
	return levels;
}

function availabilityLevel(concurrency: number, rounds: Timed[]): AvailabilityLevel {
	const c = summarise(rounds.filter((r) => r.key === 'c').map((r) => r.result));
	const d = summarise(rounds.filter((r) => r.key === 'd').map((r) => r.result));
	const g = summarise(rounds.filter((r) => r.key === 'g').map((r) => r.result));
	const throughput = ratio(c.executionsPerSecond, d.executionsPerSecond);
	return {
		concurrency,
		c,
		d,
		g,
		ratios: {
			throughput,
			p50: ratio(c.p50Ms, d.p50Ms),
			p99: ratio(c.p99Ms, d.p99Ms),
			cachedVersusHandWired: ratio(c.executionsPerSecond, g.executionsPerSecond),
			uncachedVersusHandWired: ratio(d.executionsPerSecond, g.executionsPerSecond),
		},
		goalMet: throughput >= CACHE_GOAL,
		phases: rounds.map(({ key, result }) => phaseSummary(key, result)),
	};
}

function phaseSummary(key: BookingKey, result: PhaseResult): PhaseSummary {
	const f = summarise([result]);
	return {
		case: key,
		requests: f.requests,
		errors: f.errors,
		requestsPerSecond: f.executionsPerSecond,
		p50Ms: f.p50Ms,
		p99Ms: f.p99Ms,
		n8nCpuMsPerRequest: f.n8nCpuMsPerExecution,
	};
}

async function bookingChecks(booking: BookingSetup, levels: AvailabilityLevel[], tally: { sent: number; created: number }): Promise<BookingChecks> {
	const answers = (key: 'c' | 'd', cls: string) => ({
		matching: levels.reduce((n, l) => n + (l[key].classes?.[cls] ?? 0), 0),
		all: levels.reduce((n, l) => n + l[key].ok, 0),
	});
	const hits = answers('c', 'hit');
	const off = answers('d', 'off');
	const { reservations, drift } = await booking.inspectDatabase();
	return {
		cacheHits: { hit: hits.matching, answers: hits.all, allHit: hits.all > 0 && hits.matching === hits.all },
		uncached: { off: off.matching, answers: off.all, allOff: off.all > 0 && off.matching === off.all },
		reservations: {
			sent: tally.sent,
			created201: tally.created,
			inDatabase: reservations,
			soldDrift: drift,
			matches: drift.length === 0 && reservations === tally.created && tally.created === tally.sent,
		},
	};
}
