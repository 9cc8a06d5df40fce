/**
 * `npm run bench`: how much of a bare n8n webhook's throughput the shipped payment webhook workflow
 * keeps, at concurrency 1 and 20, in one run against one real n8n.
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
 * Options (environment), to see where (a)'s time goes: BENCH_EVENT_STORE=redis and
 * BENCH_DATABASE=embedded measure (a) on the other stores; BENCH_N8N_ENV="NAME=value,..." starts
 * n8n with extra settings (e.g. N8N_EXPRESSION_ENGINE=legacy). The report names whatever was set.
 * Figures go to stdout and bench/results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { countExecutions, countRows } from './checks';
import { n8nCpuReader } from './cpu';
import { runPhase, type PhaseResult } from './load';
import { THROUGHPUT_GOAL, formatReport, writeJson, type BenchReport, type LevelReport } from './report';
import { setUp, variantFromEnv, type BenchSetup, type Target } from './setup';
import { ratio, round, summarise } from './stats';

const repoRoot = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');

// Sized so the whole bench (build and n8n start included) stays under ~3 minutes on 2 cores.
const WARMUP_REQUESTS = 30;
const WARMUP_CONCURRENCY = 20;
const WARMUP_DEADLINE_MS = 20_000;
/**
 * Requests per case and concurrency, split evenly over the case's rounds. 200 (not 300) at
 * concurrency 20: (a) runs at ~5/s here, and 300 would take the bench past 3 minutes. The deadline
 * bounds each phase even on a machine busy with other work.
 */
const LEVELS = [
	{ concurrency: 1, requests: 100, phaseDeadlineMs: 20_000 },
	{ concurrency: 20, requests: 200, phaseDeadlineMs: 30_000 },
];
/** ABBA rather than ABAB: a trend over the level (e.g. tables growing) then costs both cases the same. */
const ORDER: Array<'a' | 'b'> = ['b', 'a', 'a', 'b'];
const REQUEST_TIMEOUT_MS = 30_000;
/** A pause between phases: n8n saves executions and our trigger settles claims after answering. */
const SETTLE_MS = 1_000;

const N8N_DEFAULTS = [
	'defaults of scripts/n8n.ts for both cases',
	'DB_TYPE=sqlite',
	'EXECUTIONS_MODE=regular',
	'EXECUTIONS_DATA_SAVE_ON_SUCCESS not set (n8n default: all, so every execution is saved with its data)',
	'N8N_EXPRESSION_ENGINE not set (n8n default: vm, isolated-vm, pool size 1)',
	'log level default (info)',
];

/** Set once n8n runs; undefined where /proc cannot tell (the CPU column then says n/a). */
let readN8nCpu: (() => number | undefined) | undefined;

async function main(): Promise<void> {
	const started = Date.now();
	const variant = variantFromEnv();
	const extraN8nEnv = n8nEnvFromEnv();
	const loadAtStart = os.loadavg()[0];
	let close: (() => Promise<void>) | undefined;
	onInterrupt(() => close?.());

	build();
	progress('starting n8n, the Stripe peer and a fresh PostgreSQL database...');
	const setup = await setUp(variant, (c) => (close = c), extraN8nEnv);
	readN8nCpu = n8nCpuReader(setup.n8n.userFolder);
	try {
		const sent = { a: 0, b: 0 };
		const ok = { a: 0, b: 0 };
		const count = (t: Target, r: PhaseResult) => {
			sent[t.key] += r.sent;
			ok[t.key] += r.ok;
		};

		progress(`warm-up: ${WARMUP_REQUESTS} requests per case`);
		for (const target of [setup.b, setup.a]) count(target, await phase(target, WARMUP_REQUESTS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS));

		const levels: LevelReport[] = [];
		for (const level of LEVELS) levels.push(await measureLevel(setup, level, count));

		progress('counting executions...');
		const exactlyOnce = {
			a: await countExecutions(setup.n8n, setup.a.workflowId, sent.a, ok.a),
			b: await countExecutions(setup.n8n, setup.b.workflowId, sent.b, ok.b),
			database: await countRows(setup, sent.a),
		};

		const report = buildReport(setup, levels, exactlyOnce, { started, loadAtStart, extraN8nEnv });
		console.log(formatReport(report));
		console.log(`\nJSON: ${path.relative(repoRoot, writeJson(report, RESULTS_DIR))}`);
		if (!report.passed) process.exitCode = 1;
	} finally {
		progress('cleaning up...');
		await setup.close();
	}
}

/** One concurrency level: every case gets the same number of requests, in ORDER. */
async function measureLevel(
	setup: BenchSetup,
	{ concurrency, requests, phaseDeadlineMs }: (typeof LEVELS)[number],
	count: (t: Target, r: PhaseResult) => void,
): Promise<LevelReport> {
	const roundsPerCase = ORDER.filter((k) => k === 'a').length;
	const perRound = Math.ceil(requests / roundsPerCase);
	const results: Record<'a' | 'b', PhaseResult[]> = { a: [], b: [] };
	const phases: LevelReport['phases'] = [];
	for (const key of ORDER) {
		const target = setup[key];
		progress(`concurrency ${concurrency}: ${key} × ${perRound}`);
		const result = await phase(target, perRound, concurrency, phaseDeadlineMs);
		count(target, result);
		results[key].push(result);
		const f = summarise([result]);
		phases.push({
			case: key,
			requests: f.requests,
			errors: f.errors,
			executionsPerSecond: f.executionsPerSecond,
			p50Ms: f.p50Ms,
			p99Ms: f.p99Ms,
			n8nCpuMsPerExecution: f.n8nCpuMsPerExecution,
		});
	}
	const a = summarise(results.a);
	const b = summarise(results.b);
	const throughput = ratio(a.executionsPerSecond, b.executionsPerSecond);
	return {
		concurrency,
		a,
		b,
		ratios: { throughput, p50: ratio(a.p50Ms, b.p50Ms), p99: ratio(a.p99Ms, b.p99Ms) },
		goalMet: throughput >= THROUGHPUT_GOAL,
		phases,
	};
}

async function phase(target: Target, requests: number, concurrency: number, deadlineMs: number): Promise<PhaseResult> {
	const shots = target.shots(requests);
	const cpuBefore = readN8nCpu?.();
	const result = await runPhase(shots, { url: target.url, concurrency, deadlineMs, requestTimeoutMs: REQUEST_TIMEOUT_MS });
	// Settling belongs to the phase's CPU: n8n finishes saving the executions it has just answered.
	await sleep(SETTLE_MS);
	const cpuAfter = readN8nCpu?.();
	if (cpuBefore !== undefined && cpuAfter !== undefined) result.n8nCpuMs = cpuAfter - cpuBefore;
	return result;
}

function buildReport(
	setup: BenchSetup,
	levels: LevelReport[],
	exactlyOnce: BenchReport['exactlyOnce'],
	run: { started: number; loadAtStart: number; extraN8nEnv: Record<string, string> },
): BenchReport {
	const cpus = os.cpus();
	const noErrors = levels.every((l) => l.a.errors === 0 && l.b.errors === 0);
	const countsRight = exactlyOnce.a.exactlyOnce && exactlyOnce.b.exactlyOnce && (exactlyOnce.database?.matchesRequests ?? true);
	return {
		generatedAt: new Date().toISOString(),
		durationSeconds: Math.round((Date.now() - run.started) / 1000),
		machine: {
			cpus: cpus.length,
			cpuModel: cpus[0]?.model.trim() ?? 'unknown',
			memoryGb: Math.round(os.totalmem() / 2 ** 30),
			node: process.version,
			loadAverage: { atStart: round(run.loadAtStart, 1), atEnd: round(os.loadavg()[0], 1) },
		},
		n8n: {
			version: setup.n8nVersion,
			settings: Object.keys(run.extraN8nEnv).length === 0
				? N8N_DEFAULTS
				: [`NOT the defaults, set by BENCH_N8N_ENV: ${Object.entries(run.extraN8nEnv).map(([k, v]) => `${k}=${v}`).join(', ')}`, ...N8N_DEFAULTS],
		},
		variant: setup.variant,
		cases: { a: setup.a.label, b: setup.b.label },
		plan: {
			warmupRequestsPerCase: WARMUP_REQUESTS,
			warmupConcurrency: WARMUP_CONCURRENCY,
			order: ORDER.join(' '),
			phaseDeadlineMs: Object.fromEntries(LEVELS.map((l) => [l.concurrency, l.phaseDeadlineMs])),
			requestTimeoutMs: REQUEST_TIMEOUT_MS,
		},
		levels,
		exactlyOnce,
		passed: noErrors && countsRight,
	};
}

/** BENCH_N8N_ENV="A=1,B=2": for diagnosis only; a normal run starts n8n with the launcher's defaults. */
function n8nEnvFromEnv(): Record<string, string> {
	const spec = process.env.BENCH_N8N_ENV?.trim();
	if (!spec) return {};
	return Object.fromEntries(
		spec.split(',').map((pair) => {
			const at = pair.indexOf('=');
			if (at < 1) throw new Error(`BENCH_N8N_ENV: "${pair}" is not NAME=value`);
			return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
		}),
	);
}

/** n8n loads dist/, so the bench always measures the code as it is now. */
function build(): void {
	progress('building the package (n8n-node build)...');
	try {
		execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'n8n-node'), ['build'], { cwd: repoRoot, stdio: 'pipe' });
	} catch (error) {
		const e = error as { stdout?: Buffer; stderr?: Buffer };
		process.stderr.write(`${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
		throw new Error('n8n-node build failed');
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
