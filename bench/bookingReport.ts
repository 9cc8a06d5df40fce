/**
 * The booking-engine part of the report: its figures (also written to latest.json under
 * `booking`) and its table, printed after the payment table.
 */
import type { BookingKey } from './booking';
import { formatBurst, type BurstReport } from './burst';
import type { DirectFigures, DirectReport } from './bookingDirect';
import type { ExecutionTimes } from './bookingTimes';
import type { CaseFigures } from './stats';
import { alignColumns, errorText, fixed } from './table';

/** The brief's goal: with the cache warm, availability answers at least 3× the requests/s of the uncached workflow. */
export const CACHE_GOAL = 3;

export interface PhaseSummary {
	case: BookingKey;
	requests: number;
	errors: number;
	requestsPerSecond: number;
	p50Ms: number;
	p99Ms: number;
	n8nCpuMsPerRequest: number;
}

export interface AvailabilityLevel {
	concurrency: number;
	c: CaseFigures;
	d: CaseFigures;
	g: CaseFigures;
	/**
	 * c/d of requests per second (goal ≥ CACHE_GOAL), and of p50 and p99 latency (below 1 = c is
	 * faster); c/g and d/g of requests per second (ours against the hand-wired peer: goal > 1).
	 */
	ratios: { throughput: number; p50: number; p99: number; cachedVersusHandWired: number; uncachedVersusHandWired: number };
	goalMet: boolean;
	phases: PhaseSummary[];
}

export interface ReservationLevel {
	concurrency: number;
	e: CaseFigures;
}

export interface BookingChecks {
	/** Measured (c) answers that say "cache":"hit" (the warm-up fills the cache and is not counted). */
	cacheHits: { hit: number; answers: number; allHit: boolean };
	/** Measured (d) answers that say "cache":"off". */
	uncached: { off: number; answers: number; allOff: boolean };
	/** (e), warm-up included: every 201 is one reservation row, and `sold` matches the reservations. */
	reservations: {
		sent: number;
		created201: number;
		inDatabase: number;
		soldDrift: Array<{ roomType: string; night: string; sold: number; held: number }>;
		matches: boolean;
	};
}

export interface BookingReport {
	workflow: string;
	cases: Record<BookingKey, string>;
	/** The stays (c) and (d) ask for, round robin. */
	stays: string[];
	plan: {
		warmupRequestsPerCase: number;
		warmupConcurrency: number;
		availabilityOrder: string;
		levels: Array<{ concurrency: number; requestsPerCase: number; phaseDeadlineMs: number }>;
	};
	availability: AvailabilityLevel[];
	reservations: ReservationLevel[];
	/** Deactivating one booking workflow, activating the other and waiting for its webhook. */
	switches: { count: number; meanMs: number };
	/** HotelService.availability() called from the bench process: the query without n8n. */
	outsideN8n: DirectReport;
	/** GET /availability without a token, answered 401 by the trigger: n8n's cost per request when no execution starts. */
	noExecution: Array<{ concurrency: number; figures: CaseFigures }>;
	/** From the executions n8n saved during the concurrency-1 phases. */
	insideN8n: { c: ExecutionTimes; d: ExecutionTimes };
	checks: BookingChecks;
	/** Simultaneous bookings for one night with fewer rooms than requests. */
	burst: BurstReport;
	passed: boolean;
}

export function formatBooking(r: BookingReport): string[] {
	return [
		`Booking engine API: ${r.workflow}`,
		`(c) ${r.cases.c}`,
		`(d) ${r.cases.d}`,
		`(e) ${r.cases.e}`,
		`(g) ${r.cases.g}`,
		`stays asked by c and d (round robin): ${r.stays.join(', ')}`,
		`warm-up ${r.plan.warmupRequestsPerCase} requests per case (not measured; fills the cache); order per concurrency: ${r.plan.availabilityOrder}; ` +
			`one booking workflow active at a time: ${r.switches.count} switches, ${fixed(r.switches.meanMs / 1000)} s each (not measured)`,
		'',
		formatTable(r),
		'',
		...formatChecks(r.checks),
		'',
		...formatBurst(r.burst),
		'',
		...formatWhereTimeGoes(r),
	];
}

function formatTable(r: BookingReport): string {
	// As in the payment table, the isolate column only appears in diagnosis runs with n8n's metrics on.
	const withIsolates = [...r.availability.flatMap((l) => [l.c, l.d, l.g]), ...r.reservations.map((l) => l.e)].some((f) => Number.isFinite(f.isolatesPerExecution));
	const header = ['conc', 'case', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'n8n CPU ms/req', ...(withIsolates ? ['isolates/req'] : []), 'answers'];
	const row = (concurrency: number, key: BookingKey, f: CaseFigures) => caseRow(concurrency, key, f, withIsolates);
	const rows: string[][] = [];
	for (const level of r.availability) {
		rows.push(row(level.concurrency, 'd', level.d), row(level.concurrency, 'c', level.c), row(level.concurrency, 'g', level.g));
		const verdict = level.goalMet ? 'goal met' : `below goal ${CACHE_GOAL}`;
		rows.push(['', 'c/d', '', '', `${fixed(level.ratios.throughput, 2)} (${verdict})`, `${fixed(level.ratios.p50, 2)}×`, `${fixed(level.ratios.p99, 2)}×`]);
		const ahead = (x: number) => `${fixed(x, 2)} (${x > 1 ? 'ahead' : 'NOT ahead'})`;
		rows.push(['', 'c/g', '', '', ahead(level.ratios.cachedVersusHandWired)], ['', 'd/g', '', '', ahead(level.ratios.uncachedVersusHandWired)]);
	}
	for (const level of r.reservations) rows.push(row(level.concurrency, 'e', level.e));
	return alignColumns([header, ...rows]);
}

function caseRow(concurrency: number, key: BookingKey, f: CaseFigures, withIsolates: boolean): string[] {
	const requests = f.truncated ? `${f.requests} (deadline hit)` : String(f.requests);
	const answers = Object.entries(f.classes ?? {}).map(([k, n]) => `${k} ${n}`).join(', ');
	const isolates = withIsolates ? [fixed(f.isolatesPerExecution, 2)] : [];
	return [String(concurrency), key, requests, errorText(f), fixed(f.executionsPerSecond), fixed(f.p50Ms), fixed(f.p99Ms), fixed(f.meanMs), fixed(f.n8nCpuMsPerExecution), ...isolates, answers];
}

function formatChecks(c: BookingChecks): string[] {
	const mark = (ok: boolean) => (ok ? '✓' : '✗');
	const res = c.reservations;
	const drift = res.soldDrift.length === 0 ? 'none' : `${res.soldDrift.length} nights off, e.g. ${JSON.stringify(res.soldDrift[0])}`;
	return [
		'Checks (booking engine):',
		`  (c) ${c.cacheHits.hit} of ${c.cacheHits.answers} measured answers say "cache":"hit" ${mark(c.cacheHits.allHit)}`,
		`  (d) ${c.uncached.off} of ${c.uncached.answers} measured answers say "cache":"off" ${mark(c.uncached.allOff)}`,
		`  (e) warm-up included: ${res.sent} requests sent, ${res.created201} answered 201, ${res.inDatabase} reservations in the database ` +
			`${mark(res.inDatabase === res.created201 && res.created201 === res.sent)}; ReservationBook.soldDrift(): ${drift} ${mark(res.soldDrift.length === 0)}`,
	];
}

/** The cache can only save what the query costs; n8n's per-execution work is paid either way. */
function formatWhereTimeGoes(r: BookingReport): string[] {
	const direct = (label: string, figures: DirectFigures[]) =>
		`${label} ${figures.map((f) => `${f.callsPerSecond} calls/s, p50 ${fixed(f.p50Ms, 2)} ms at ${f.concurrency} in flight`).join('; ')}`;
	const inside = (key: 'c' | 'd') => {
		const t = r.insideN8n[key];
		const http = r.availability.find((l) => l.concurrency === 1)?.[key].p50Ms ?? Number.NaN;
		const nodes = Object.entries(t.nodeMs).map(([node, ms]) => `${node} ${fixed(ms)}`).join(', ');
		return `  (${key}) HTTP p50 ${fixed(http)} ms = execution span ${fixed(t.executionSpanMs)} ms (nodes: ${nodes}) + ${fixed(http - t.executionSpanMs)} ms around it [${t.executions} executions]`;
	};
	return [
		'Where an availability request spends its time:',
		`  outside n8n, HotelService.availability() from this process, ${r.outsideN8n.calls} calls each:`,
		`    ${direct('from PostgreSQL:', r.outsideN8n.database)}`,
		`    ${direct('cache hit:      ', r.outsideN8n.cacheHit)}`,
		'  n8n without an execution (same URL, no token: the trigger answers 401 itself):',
		...r.noExecution.map(({ concurrency, figures: f }) =>
			`    at ${concurrency} in flight: ${fixed(f.executionsPerSecond)} req/s, p50 ${fixed(f.p50Ms)} ms, p99 ${fixed(f.p99Ms)} ms, n8n CPU ${fixed(f.n8nCpuMsPerExecution)} ms/req` +
				(Number.isFinite(f.isolatesPerExecution) ? `, ${fixed(f.isolatesPerExecution, 2)} isolates/req` : '') +
				(f.errors ? `, ${errorText(f)} errors` : ''),
		),
		'  inside n8n, medians at concurrency 1 (from the saved executions):',
		inside('c'),
		inside('d'),
	];
}
