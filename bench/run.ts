/**
 * `npm run bench`: in one run against one real n8n, at concurrency 1 and 20 (plus the OTA and
 * e-mail parts, which need no n8n: ota.ts, email.ts),
 *  - how much of a bare n8n webhook's throughput the shipped payment webhook workflow keeps (a, b);
 *  - what the booking-engine API's availability cache buys (c cached vs d uncached) and how many
 *    reservations per second it takes (e): see booking.ts and bookingRun.ts.
 *
 *  (a) workflows/payment-webhook.json on PostgreSQL, claims in the database, fed signed
 *      payment_intent.succeeded events, each with a new event id and its own reservation;
 *  (b) Webhook (POST, answer when the last node finishes) → No Operation.
 *
 * Both cases run on the same n8n, interleaved b a a b per concurrency so that drift (a growing
 * execution table, a busy neighbour) hits both alike. n8n keeps its defaults for both (SQLite,
 * regular mode, every successful execution saved): the comparison is fair and it is what a hotel
 * runs. Afterwards the executions are counted: each request to (a) must be exactly one success.
 *
 * The booking part runs after the payment part, on the same n8n, with a database of its own.
 * Then, with that n8n stopped, the queue-mode part (queue.ts): payment executions/s and
 * reservations/s on one n8n process and on queue mode with 1 and 2 workers, all on PostgreSQL.
 * Figures go to stdout and bench/results/latest.json. Diagnosis options: see options.ts.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setUpBooking, type BookingSetup } from './booking';
import { runBooking } from './bookingRun';
import type { BookingReport } from './bookingReport';
import { countExecutions, countRows } from './checks';
import { n8nCpuReader } from './cpu';
import { isolatesAcquired } from './isolates';
import { runPhase, type LoadTarget, type PhaseResult } from './load';
import { optionsFromEnv, type BenchOptions, type N8nProfile } from './options';
import { SHIPPED_N8N_SETTINGS } from '../scripts/n8nSettings';
import { runOta, type OtaReport } from './ota';
import { runEmail, type EmailReport } from './email';
import { runQueue, type QueueReport } from './queue';
import { runSoak, type SoakReport } from './soak';
import { HAND_WIRED_GOAL, THROUGHPUT_GOAL, formatReport, writeJson, type BenchReport, type LevelReport } from './report';
import { hostN8nVersion, setUp, type Target } from './setup';
import { LEVELS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS, WARMUP_REQUESTS } from './sizing';
import { ratio, round, summarise } from './stats';

const repoRoot = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');

/** ABCCBA rather than ABCABC: a trend over the level (e.g. tables growing) then costs every case the same. */
const ORDER: Array<'a' | 'b' | 'h'> = ['b', 'a', 'h', 'h', 'a', 'b'];
const REQUEST_TIMEOUT_MS = 30_000;
/** A pause after each phase: n8n saves executions and our trigger settles claims after answering. */
const SETTLE_MS = 1_000;

const N8N_DEFAULTS = [
	'scripts/n8n.ts for every case',
	'DB_TYPE=sqlite',
	'EXECUTIONS_MODE=regular',
	'EXECUTIONS_DATA_SAVE_ON_SUCCESS not set (n8n default: all, so every execution is saved with its data)',
	'N8N_EXPRESSION_ENGINE not set (n8n default: vm = isolated-vm, pool size 1)',
	'log level default (info)',
];

/**
 * The n8n settings each profile runs with: n8n's own defaults (what a hotel's existing n8n has), and
 * what npm start and docker/ ship (scripts/n8nSettings.ts, which startN8n applies).
 */
const PROFILE_ENV: Record<N8nProfile, Record<string, string>> = {
	defaults: Object.fromEntries(Object.keys(SHIPPED_N8N_SETTINGS).map((name) => [name, 'false'])),
	shipped: {},
};
const PROFILE_NOTES: Record<N8nProfile, string> = {
	defaults: `n8n's own: ${Object.keys(SHIPPED_N8N_SETTINGS).map((n) => `${n}=false`).join(', ')}`,
	shipped: `as npm start and docker/ ship them: ${Object.entries(SHIPPED_N8N_SETTINGS).map(([n, v]) => `${n}=${v}`).join(', ')}`,
};

/** What is read from n8n around each phase, besides the answers. */
interface Probes {
	cpuMs: () => number | undefined;
	isolates: () => Promise<number | undefined>;
}

async function main(): Promise<void> {
	const started = Date.now();
	const loadAtStart = os.loadavg()[0];
	const options = optionsFromEnv(repoRoot);
	let close: (() => Promise<void>) | undefined;
	let closeBooking: (() => Promise<void>) | undefined;
	let closeQueue: (() => Promise<void>) | undefined;
	// n8n first (it holds connections to the booking database), then the booking database and keys.
	const closeAll = async () => {
		await close?.();
		await closeBooking?.();
		await closeQueue?.();
	};
	onInterrupt(closeAll);

	try {
		// The OTA and e-mail parts need no n8n: they run first, on a machine not yet busy with n8n
		// (BENCH_OTA=0 / BENCH_EMAIL=0 leave them out).
		const ota: OtaReport | undefined = options.ota ? await runOta(progress) : undefined;
		const email: EmailReport | undefined = options.email ? await runEmail(progress) : undefined;

		const built = build(options);
		// The payment and booking parts once per n8n settings profile, each on an n8n of its own.
		const singles: Array<{ profile: N8nProfile; part?: SingleN8nPart }> = [];
		for (const profile of options.profiles) {
			progress(`n8n settings: ${profile} (${PROFILE_NOTES[profile]})`);
			const n8nEnv = { ...PROFILE_ENV[profile], ...options.n8nEnv };
			// The soak (BENCH_SOAK=1) runs on the last profile's n8n only: it takes ten minutes.
			const soak = options.soak && profile === options.profiles[options.profiles.length - 1];
			const part = options.payment ? await runSingleN8n({ ...options, n8nEnv, soak }, (c) => (close = c), (c) => (closeBooking = c)) : undefined;
			singles.push({ profile, part });
		}
		const last = singles[singles.length - 1];
		// With the single n8n stopped: one n8n process against queue mode, all on PostgreSQL (shipped settings).
		const queue: QueueReport | undefined = options.queue
			? await runQueue(progress, (c) => (closeQueue = c), {
					reference: queueReference(last?.part),
					packageDir: options.packageDir,
					n8nEnv: options.n8nEnv,
					logFile: options.queueLog,
				})
			: undefined;

		const reports = singles.map(({ profile, part }, i) =>
			buildReport(part, i === singles.length - 1 ? queue : undefined, i === 0 ? ota : undefined, i === 0 ? email : undefined, { started, loadAtStart, options, built, profile }),
		);
		for (const report of reports) console.log(`\n=== n8n settings: ${report.n8n.profile} ===\n${formatReport(report)}`);
		console.log(`\nJSON: ${path.relative(repoRoot, writeJson(reports, RESULTS_DIR))}`);
		if (!reports.every((r) => r.passed)) process.exitCode = 1;
	} finally {
		progress('cleaning up...');
		await closeAll();
	}
}

/** What the payment (a, b) and booking (c, d, e) parts measure on their one n8n. */
interface SingleN8nPart {
	variant: NonNullable<BenchReport['variant']>;
	cases: NonNullable<BenchReport['cases']>;
	levels: LevelReport[];
	exactlyOnce: NonNullable<BenchReport['exactlyOnce']>;
	soak?: SoakReport;
	booking?: BookingReport;
}

/** The payment part and, unless BENCH_BOOKING=0, the booking part, on one n8n stopped at the end. */
async function runSingleN8n(
	options: BenchOptions,
	trackN8n: (close: () => Promise<void>) => void,
	trackBooking: (close: () => Promise<void>) => void,
): Promise<SingleN8nPart> {
	let closeN8n: (() => Promise<void>) | undefined;
	let closeBooking: (() => Promise<void>) | undefined;
	progress('starting n8n, the Stripe peer and a fresh PostgreSQL database...');
	const setup = await setUp(options.variant, (c) => trackN8n((closeN8n = c)), { n8nEnv: options.n8nEnv, packageDir: options.packageDir });
	try {
		const readCpu = n8nCpuReader(setup.n8n.userFolder);
		const probes: Probes = { cpuMs: () => readCpu?.(), isolates: () => isolatesAcquired(setup.n8n.url) };
		const sent = { a: 0, b: 0, h: 0 };
		const ok = { a: 0, b: 0, h: 0 };
		const run = async (target: Target, requests: number, concurrency: number, deadlineMs: number) => {
			const result = await phase(target, { requests, concurrency, deadlineMs }, probes);
			sent[target.key] += result.sent;
			ok[target.key] += result.ok;
			return result;
		};

		progress(`warm-up: ${WARMUP_REQUESTS} requests per case`);
		for (const target of [setup.b, setup.a, setup.h]) await run(target, WARMUP_REQUESTS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS);

		const levels: LevelReport[] = [];
		for (const level of LEVELS) {
			const perRound = Math.ceil(level.requests / ORDER.filter((k) => k === 'a').length);
			const rounds: Array<{ key: 'a' | 'b' | 'h'; result: PhaseResult }> = [];
			for (const key of ORDER) {
				progress(`concurrency ${level.concurrency}: ${key} × ${perRound}`);
				rounds.push({ key, result: await run(setup[key], perRound, level.concurrency, level.phaseDeadlineMs) });
			}
			levels.push(levelReport(level.concurrency, rounds));
		}

		progress('counting executions...');
		const exactlyOnce = {
			a: await countExecutions(setup.n8n, setup.a.workflowId, sent.a, ok.a),
			b: await countExecutions(setup.n8n, setup.b.workflowId, sent.b, ok.b),
			h: await countExecutions(setup.n8n, setup.h.workflowId, sent.h, ok.h),
			database: await countRows(setup, sent.a),
		};

		const soak = options.soak ? await runSoak(setup, progress) : undefined;

		let booking: BookingReport | undefined;
		if (options.booking) {
			progress('booking engine: seeding a fresh database, credentials, the shipped workflow and its uncached copy...');
			const bookingSetup: BookingSetup = await setUpBooking(setup.n8n, (c) => trackBooking((closeBooking = c)));
			booking = await runBooking(bookingSetup, setup.n8n, (target, o) => phase(target, o, probes), progress);
		}
		return { variant: setup.variant, cases: { a: setup.a.label, b: setup.b.label, h: setup.h.label }, levels, exactlyOnce, soak, booking };
	} finally {
		// n8n first (it holds connections to the booking database), then the booking database and keys.
		await closeN8n?.();
		await closeBooking?.();
	}
}

/** The single n8n's figures at the concurrency the queue part uses, shown beside it. */
function queueReference(single: SingleN8nPart | undefined): QueueReport['reference'] {
	if (!single) return undefined;
	const top = LEVELS[LEVELS.length - 1].concurrency;
	return {
		paymentExecutionsPerSecond: single.levels.find((l) => l.concurrency === top)?.a.executionsPerSecond,
		bookingCreationsPerSecond: single.booking?.reservations.find((l) => l.concurrency === top)?.e.executionsPerSecond,
	};
}

async function phase(target: LoadTarget, o: { requests: number; concurrency: number; deadlineMs: number }, probes: Probes): Promise<PhaseResult> {
	const shots = target.shots(o.requests);
	const cpuBefore = probes.cpuMs();
	const isolatesBefore = await probes.isolates();
	const result = await runPhase(shots, {
		url: target.url,
		concurrency: o.concurrency,
		deadlineMs: o.deadlineMs,
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
		okStatus: target.okStatus,
		classify: target.classify,
	});
	// The settling time counts to the phase: n8n is finishing the executions it has just answered.
	await sleep(SETTLE_MS);
	result.n8nCpuMs = difference(cpuBefore, probes.cpuMs());
	result.n8nIsolates = difference(isolatesBefore, await probes.isolates());
	return result;
}

function levelReport(concurrency: number, rounds: Array<{ key: 'a' | 'b' | 'h'; result: PhaseResult }>): LevelReport {
	const a = summarise(rounds.filter((r) => r.key === 'a').map((r) => r.result));
	const b = summarise(rounds.filter((r) => r.key === 'b').map((r) => r.result));
	const h = summarise(rounds.filter((r) => r.key === 'h').map((r) => r.result));
	const throughput = ratio(a.executionsPerSecond, b.executionsPerSecond);
	const versusHandWired = ratio(a.executionsPerSecond, h.executionsPerSecond);
	return {
		concurrency,
		a,
		b,
		h,
		ratios: { throughput, p50: ratio(a.p50Ms, b.p50Ms), p99: ratio(a.p99Ms, b.p99Ms), versusHandWired },
		goalMet: throughput >= THROUGHPUT_GOAL,
		handWiredGoalMet: versusHandWired >= HAND_WIRED_GOAL,
		phases: rounds.map(({ key, result }) => {
			const f = summarise([result]);
			return {
				case: key,
				requests: f.requests,
				errors: f.errors,
				executionsPerSecond: f.executionsPerSecond,
				p50Ms: f.p50Ms,
				p99Ms: f.p99Ms,
				n8nCpuMsPerExecution: f.n8nCpuMsPerExecution,
			};
		}),
	};
}

function buildReport(
	single: SingleN8nPart | undefined,
	queue: QueueReport | undefined,
	ota: OtaReport | undefined,
	email: EmailReport | undefined,
	run: { started: number; loadAtStart: number; options: BenchOptions; built: BenchReport['build']; profile: N8nProfile },
): BenchReport {
	const cpus = os.cpus();
	const levels = single?.levels ?? [];
	const exactlyOnce = single?.exactlyOnce;
	const noErrors = levels.every((l) => l.a.errors === 0 && l.b.errors === 0 && l.h.errors === 0);
	const countsRight = !exactlyOnce || (exactlyOnce.a.exactlyOnce && exactlyOnce.b.exactlyOnce && exactlyOnce.h.exactlyOnce && (exactlyOnce.database?.matchesRequests ?? true));
	const extra = Object.entries(run.options.n8nEnv).map(([k, v]) => `${k}=${v}`);
	const booking = single?.booking;
	return {
		generatedAt: new Date().toISOString(),
		build: run.built,
		packageDir: path.relative(repoRoot, run.options.packageDir) || '.',
		durationSeconds: Math.round((Date.now() - run.started) / 1000),
		machine: {
			cpus: cpus.length,
			cpuModel: cpus[0]?.model.trim() ?? 'unknown',
			memoryGb: Math.round(os.totalmem() / 2 ** 30),
			node: process.version,
			loadAverage: { atStart: round(run.loadAtStart, 1), atEnd: round(os.loadavg()[0], 1) },
		},
		n8n: {
			version: hostN8nVersion(),
			profile: run.profile,
			settings: [PROFILE_NOTES[run.profile], ...(extra.length === 0 ? [] : [`also set by BENCH_N8N_ENV: ${extra.join(', ')}`]), ...N8N_DEFAULTS],
		},
		...(single
			? {
					variant: single.variant,
					cases: single.cases,
					plan: {
						warmupRequestsPerCase: WARMUP_REQUESTS,
						warmupConcurrency: WARMUP_CONCURRENCY,
						order: ORDER.join(' '),
						phaseDeadlineMs: Object.fromEntries(LEVELS.map((l) => [l.concurrency, l.phaseDeadlineMs])),
						requestTimeoutMs: REQUEST_TIMEOUT_MS,
					},
					levels,
					exactlyOnce,
				}
			: {}),
		...(booking ? { booking } : {}),
		...(single?.soak ? { soak: single.soak } : {}),
		...(queue ? { queue } : {}),
		...(ota ? { ota } : {}),
		...(email ? { email } : {}),
		passed: noErrors && countsRight && (single?.soak?.passed ?? true) && (booking?.passed ?? true) && (queue?.passed ?? true) && (ota?.passed ?? true) && (email?.passed ?? true),
	};
}

/** n8n loads dist/, so the bench builds first and measures the code as it is now. */
function build(options: BenchOptions): BenchReport['build'] {
	if (options.skipBuild) {
		progress('BENCH_SKIP_BUILD=1: measuring the dist/ already built');
		return 'skipped';
	}
	progress(`building ${path.relative(repoRoot, options.packageDir) || 'the package'} (n8n-node build)...`);
	try {
		execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'n8n-node'), ['build'], { cwd: options.packageDir, stdio: 'pipe' });
		return 'fresh';
	} catch (error) {
		const e = error as { stdout?: Buffer; stderr?: Buffer };
		process.stderr.write(`${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
		throw new Error('n8n-node build failed (BENCH_SKIP_BUILD=1 measures the existing dist/ instead)');
	}
}

/** Ctrl-C during a run must not leave n8n running or the database behind. */
function onInterrupt(cleanUp: () => Promise<void> | undefined): void {
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			progress(`${signal}: cleaning up...`);
			void Promise.resolve(cleanUp()).finally(() => process.exit(130));
		});
	}
}

function difference(before: number | undefined, after: number | undefined): number | undefined {
	return before === undefined || after === undefined ? undefined : after - before;
}

/** Progress goes to stderr, so stdout holds only the report. */
function progress(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
