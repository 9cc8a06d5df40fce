/**
 * The bench's output: one report object, printed as a table and written as JSON with the same figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatBooking, type BookingReport } from './bookingReport';
import type { DatabaseCount, ExecutionCount } from './checks';
import type { Variant } from './setup';
import type { OtaReport } from './ota';
import { formatEmail, type EmailReport } from './email';
import { formatOta } from './otaReport';
import { formatQueue, type QueueReport } from './queue';
import { formatSoak, type SoakReport } from './soak';
import { ratio, type CaseFigures } from './stats';
import { alignColumns, errorText, fixed } from './table';

/** The brief's goal: the payment workflow keeps at least 85 % of a bare webhook's throughput. */
export const THROUGHPUT_GOAL = 0.85;
/** Issue #10: the payment workflow does at least 1.5× what hotel IT would wire by hand from n8n's nodes (h). */
export const HAND_WIRED_GOAL = 1.5;

export interface LevelReport {
	concurrency: number;
	a: CaseFigures;
	b: CaseFigures;
	h: CaseFigures;
	/**
	 * a/b of executions per second (goal ≥ 0.85) and of p50 latency (1 = as fast as b, 2 = twice as
	 * slow); a/h of executions per second (goal ≥ 1.5).
	 */
	ratios: { throughput: number; p50: number; p99: number; versusHandWired: number };
	goalMet: boolean;
	handWiredGoalMet: boolean;
	/** Each measured phase in the order it ran, to see how much rounds differ (noise). */
	phases: Array<{
		case: 'a' | 'b' | 'h';
		requests: number;
		errors: number;
		executionsPerSecond: number;
		p50Ms: number;
		p99Ms: number;
		n8nCpuMsPerExecution: number;
	}>;
}

export interface BenchReport {
	generatedAt: string;
	/** 'skipped' when BENCH_SKIP_BUILD=1 measured an existing dist/. */
	build: 'fresh' | 'skipped';
	/** The package measured, relative to this repository ('.' unless BENCH_PACKAGE_DIR was set). */
	packageDir: string;
	durationSeconds: number;
	/** Load average (1 min) before the build and after the run: other work (e.g. a test run) shows at the start. */
	machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverage: { atStart: number; atEnd: number } };
	n8n: { version: string; profile: string; settings: string[] };
	/** The payment part (a, b): absent, with the booking part, when BENCH_PAYMENT=0. */
	variant?: Variant;
	cases?: { a: string; b: string; h: string };
	plan?: { warmupRequestsPerCase: number; warmupConcurrency: number; order: string; phaseDeadlineMs: Record<string, number>; requestTimeoutMs: number };
	levels?: LevelReport[];
	exactlyOnce?: { a: ExecutionCount; b: ExecutionCount; h: ExecutionCount; database?: DatabaseCount };
	/** BENCH_SOAK=1: 20,000 payment deliveries, memory and exactly-once (soak.ts). */
	soak?: SoakReport;
	/** The booking-engine API on the same n8n: (c) cached and (d) uncached availability, (e) reservations. Absent with BENCH_BOOKING=0. */
	booking?: BookingReport;
	/** One n8n process against queue mode with 1 and 2 workers, payment and booking (queue.ts). Absent with BENCH_QUEUE=0. */
	queue?: QueueReport;
	/** OTA push efficiency and parse/build speed, run without n8n (ota.ts). Absent with BENCH_OTA=0. */
	ota?: OtaReport;
	/** E-mails/s through the outbox queue against direct sending, run without n8n (email.ts). Absent with BENCH_EMAIL=0. */
	email?: EmailReport;
	/** False when any request failed or any count is off, in either part. */
	passed: boolean;
}

/** One report per n8n settings profile, in the order they ran. */
export function writeJson(reports: BenchReport[], dir: string): string {
	mkdirSync(dir, { recursive: true });
	const file = path.join(dir, 'latest.json');
	writeFileSync(file, `${JSON.stringify(reports, null, 2)}\n`);
	return file;
}

export function formatReport(r: BenchReport): string {
	const lines = [
		`n8n ${r.n8n.version} on ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; ` +
			`load average ${r.machine.loadAverage.atStart} at start, ${r.machine.loadAverage.atEnd} at end${busyNote(r)}`,
		...(r.build === 'skipped' ? ['build skipped (BENCH_SKIP_BUILD=1): measured the dist/ that was already there'] : []),
		...(r.packageDir === '.' ? [] : [`package measured: ${r.packageDir} (BENCH_PACKAGE_DIR), not this repository`]),
		...(r.cases && r.plan && r.levels
			? [
					`(a) ${r.cases.a}`,
					`(b) ${r.cases.b}`,
					`(h) ${r.cases.h}`,
					`warm-up ${r.plan.warmupRequestsPerCase} requests per case (not measured); order per concurrency: ${r.plan.order}`,
					'',
					formatTable(r.levels),
					'',
					...formatChecks(r),
				]
			: ['(payment part left out: BENCH_PAYMENT=0)']),
		'',
		...(r.soak ? [...formatSoak(r.soak), ''] : []),
		...(r.booking ? [...formatBooking(r.booking), ''] : []),
		...(r.queue ? [...formatQueue(r.queue), ''] : []),
		...(r.ota ? [...formatOta(r.ota), ''] : []),
		...(r.email ? [...formatEmail(r.email), ''] : []),
		...(r.levels ? [`n8n settings: ${r.n8n.settings.join('; ')}`] : []),
	];
	return lines.join('\n');
}

function formatTable(levels: LevelReport[]): string {
	// The isolate column only appears in diagnosis runs with n8n's metrics on.
	const withIsolates = levels.some((l) => Number.isFinite(l.a.isolatesPerExecution));
	const header = ['conc', 'case', 'requests', 'errors', 'exec/s', 'p50 ms', 'p99 ms', 'mean ms', 'n8n CPU ms/exec'];
	if (withIsolates) header.push('isolates/exec');
	const rows: string[][] = [];
	for (const level of levels) {
		for (const key of ['b', 'a', 'h'] as const) {
			const f = level[key];
			const requests = f.truncated ? `${f.requests} (deadline hit)` : String(f.requests);
			const row = [String(level.concurrency), key, requests, errorText(f), fixed(f.executionsPerSecond), fixed(f.p50Ms), fixed(f.p99Ms), fixed(f.meanMs), fixed(f.n8nCpuMsPerExecution)];
			if (withIsolates) row.push(fixed(f.isolatesPerExecution, 2));
			rows.push(row);
		}
		const verdict = level.goalMet ? 'goal met' : `below goal ${THROUGHPUT_GOAL}`;
		rows.push(['', 'a/b', '', '', `${fixed(level.ratios.throughput, 2)} (${verdict})`, `${fixed(level.ratios.p50, 2)}×`, `${fixed(level.ratios.p99, 2)}×`]);
		const handWired = level.handWiredGoalMet ? 'goal met' : `below goal ${HAND_WIRED_GOAL}`;
		rows.push(['', 'a/h', '', '', `${fixed(level.ratios.versusHandWired, 2)} (${handWired})`, `${fixed(ratio(level.a.p50Ms, level.h.p50Ms), 2)}×`, `${fixed(ratio(level.a.p99Ms, level.h.p99Ms), 2)}×`]);
	}
	return alignColumns([header, ...rows]);
}

function formatChecks(r: BenchReport): string[] {
	const line = (name: string, c: ExecutionCount) =>
		`${name}: ${c.requestsSent} requests sent, ${c.requestsOk} answered 200, ${c.successfulExecutions} successful executions ` +
		`(all: ${JSON.stringify(c.executionsByStatus)}) → ${c.exactlyOnce ? 'exactly once ✓' : 'MISMATCH ✗'}`;
	if (!r.exactlyOnce) return [];
	const lines = ['Exactly once (all phases, warm-up included):', `  ${line('a', r.exactlyOnce.a)}`, `  ${line('b', r.exactlyOnce.b)}`, `  ${line('h', r.exactlyOnce.h)}`];
	const db = r.exactlyOnce.database;
	if (db) {
		const claims = db.claimsDone === null ? 'claims in Redis' : `${db.claimsDone} claims done, ${db.claimsNotDone} not done`;
		lines.push(`  hotel database: ${claims}, ${db.reservationsPaid} reservations paid → ${db.matchesRequests ? 'matches ✓' : 'MISMATCH ✗'}`);
	}
	return lines;
}

/**
 * Only the load before the bench tells about other work (the load at the end is mostly the bench's
 * own). Above the core count, absolute figures suffer; the interleaved ratios less so.
 */
function busyNote(r: BenchReport): string {
	return r.machine.loadAverage.atStart > r.machine.cpus ? ' (machine busy before the start: absolute figures are pessimistic)' : '';
}
