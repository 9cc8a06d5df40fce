/**
 * The queue-mode part of `npm run bench` (#9 B): payment-webhook executions/s and booking-engine
 * reservation creations/s on n8n's queue mode with 1 and with 2 workers, beside one n8n process,
 * all three measured in this run with the bench's load generator (load.ts) at its top concurrency
 * (sizing.ts). Left out with BENCH_QUEUE=0.
 *
 * What the setups share, so that only the way n8n runs differs:
 *  - a fresh PostgreSQL database per n8n holding n8n's own data and the hotel store, the store
 *    named by HOTEL_DATABASE_URL (as docker/compose.queue.yml has it), the catalogue seeded first;
 *  - workflows/payment-webhook.json and workflows/booking-engine-api.json imported as shipped (no
 *    per-node database: both use HOTEL_DATABASE_URL) with the credentials they name;
 *  - the requests: setup.ts's signed payment_intent.succeeded events (a new event and reservation
 *    each) and booking.ts's POST /reservations (a new valid booking each, never sold out).
 *
 *  single  `n8n start` (scripts/n8n.ts): regular mode, every execution in that one process;
 *  queue   a main, workers and a webhook process (scripts/n8nQueue.ts, from
 *          docker/compose.queue.yml's services; each worker takes n8n's default 10 jobs at a time),
 *          requests to the webhook process. One worker, then a second one started and later
 *          stopped again: 1 2 2 1, so drift over the run (growing tables) costs both alike.
 *
 * Each round sends ROUND_REQUESTS payments, then as many bookings; each setup gets two rounds
 * after a warm-up (about 4 minutes in all on 2 cores, n8n starts included). CPU is read per n8n process from /proc, with the whole machine's busy CPU
 * beside it: what neither n8n nor this process used went to PostgreSQL, Redis and the kernel.
 * Checked per n8n: every payment one successful execution, one done claim and one paid
 * reservation; every booking one 201, one successful execution and one reservation row, `sold` intact.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';
import { startN8n, type N8n } from '../scripts/n8n';
import { startN8nQueue, type N8nQueue, type QueueProcess } from '../scripts/n8nQueue';
import { startStripePeer, type StripePeer } from '../test/peers/stripePeer';
import { REDIS, createTestDatabase, uniqueRedisPrefix, type TestDatabase } from '../test/support/services';
import { databaseUrl } from '../test/support/workflows';
import { BOOKING_CREDENTIAL_DATA, bookingHeaders, bookingShots, inspectReservations, seedCatalogue } from './booking';
import { countExecutions, type ExecutionCount } from './checks';
import { machineBusyCpuMs, n8nPid, processCpuReader } from './cpu';
import { runPhase, type LoadTarget, type PhaseResult } from './load';
import { countDatabaseRows, deleteRedisKeys, eventFactory, insertEventReservations } from './setup';
import { LEVELS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS, WARMUP_REQUESTS } from './sizing';
import { ratio, round, summarise, type CaseFigures } from './stats';
import { alignColumns, errorText, fixed } from './table';

const STRIPE_KEY = 'sk_test_hotel_bench_queue';
const STRIPE_WEBHOOK_SECRET = 'whsec_hotel_bench_queue';
const PAYMENT_WEBHOOK_PATH = 'hotel-stripe-payments/stripe';
const RESERVATIONS_PATH = 'hotel-booking-engine/reservations';
const LEVEL = LEVELS[LEVELS.length - 1];
/**
 * Two rounds of 100 per setup and workload (a third fewer than the payment part's level): three n8n
 * setups, two workloads and the starts must stay within a few minutes on 2 cores.
 */
const ROUND_REQUESTS = 100;
const REQUEST_TIMEOUT_MS = 30_000;
/** As in run.ts: n8n saves executions and settles claims after answering; counted to the phase's CPU. */
const SETTLE_MS = 1_000;

export type QueueSetupKey = 'single' | 'queue1' | 'queue2';
export type Workload = 'payment' | 'booking';

const SETUP_LABELS: Record<QueueSetupKey, string> = {
	single: 'one n8n process (regular mode)',
	queue1: 'queue mode, 1 worker',
	queue2: 'queue mode, 2 workers',
};
/** The order rounds run in. */
const ORDER: QueueSetupKey[] = ['single', 'single', 'queue1', 'queue2', 'queue2', 'queue1'];

export interface QueueFigures extends CaseFigures {
	/** n8n CPU per successful request, by process (n8n; or main, webhook, worker-1, worker-2). */
	cpuMsPerRequestByProcess: Record<string, number>;
	/**
	 * The part of it on each process's event-loop thread: 1000 / this is the most requests per
	 * second that process could take with a whole core to itself.
	 */
	mainThreadCpuMsPerRequestByProcess: Record<string, number>;
	/** The machine's busy CPU not used by the n8n processes or this one (PostgreSQL, Redis, task runners, kernel, other work), per request. */
	otherCpuMsPerRequest: number;
	/** This process (load generator, signing, Stripe peer) per request. */
	benchCpuMsPerRequest: number;
	/** Busy CPU over the phases (settling included) as a share of all cores. */
	machineBusyPercent: number;
}

export interface QueueSetupReport {
	setup: QueueSetupKey;
	label: string;
	payment: QueueFigures;
	booking: QueueFigures;
}

export interface QueueChecks {
	/** Warm-ups included. */
	payment: ExecutionCount & {
		claimsDone: number;
		claimsNotDone: number;
		/** Up to 5 claims left not done (an answer that never came), to look them up in the logs. */
		notDone: Array<{ eventId: string; status: string; firstSeenAt: string }>;
		reservationsPaid: number;
		passed: boolean;
	};
	booking: ExecutionCount & { reservationsInDatabase: number; soldDriftNights: number; passed: boolean };
}

export interface QueueReport {
	concurrency: number;
	roundRequests: number;
	warmupRequests: number;
	order: string;
	database: string;
	workflows: string[];
	cores: number;
	setups: QueueSetupReport[];
	/** Executions (payment) or creations (booking) per second, one setup over another. */
	ratios: Record<Workload, { twoWorkersOverOne: number; oneWorkerOverSingle: number; twoWorkersOverSingle: number }>;
	/** Seconds until ready: the single n8n, the queue cluster (main, webhook, worker-1), a second worker. */
	startSeconds: { single: number; queue: number; secondWorker: number };
	/** The default n8n part's figures at the same concurrency, when it ran (SQLite for n8n's data, Hotel PostgreSQL credential). */
	reference?: { paymentExecutionsPerSecond?: number; bookingCreationsPerSecond?: number };
	checks: { single: QueueChecks; queue: QueueChecks };
	/** Each measured round in the order it ran, to see how much rounds differ (noise). */
	phases: Array<{ setup: QueueSetupKey; workload: Workload; requests: number; errors: Record<string, number>; perSecond: number; p50Ms: number; p99Ms: number; wallMs: number }>;
	passed: boolean;
}

interface Round {
	setup: QueueSetupKey;
	workload: Workload;
	result: PhaseResult;
	cpuMsByProcess: Record<string, number>;
	mainThreadMsByProcess: Record<string, number>;
	machineBusyMs?: number;
	benchMs: number;
	elapsedMs: number;
}

interface Measured {
	name: string;
	read: () => number | undefined;
	/** The thread running the process's event loop. */
	readMainThread: () => number | undefined;
}

/** One n8n (single or queue) with both workflows active. */
interface Bench {
	n8n: N8n;
	targets: Record<Workload, LoadTarget>;
	workflowIds: Record<Workload, string>;
	database: TestDatabase;
	sent: Record<Workload, number>;
	ok: Record<Workload, number>;
}

export async function runQueue(
	progress: (message: string) => void,
	track: (close: () => Promise<void>) => void,
	opts: { reference?: QueueReport['reference']; packageDir?: string; n8nEnv?: Record<string, string>; logFile?: string } = {},
): Promise<QueueReport> {
	const { reference, packageDir, n8nEnv = {}, logFile } = opts;
	// Diagnosis (BENCH_QUEUE_LOG): every n8n line of this part, with the time and the process.
	const log = logFile
		? (name: string, line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${name}: ${line}\n`)
		: undefined;
	const mark = (what: string) => log?.('bench', `---- ${what}`);
	const closers: Array<() => Promise<unknown>> = [];
	const closeAll = async () => {
		// Last started, first stopped: n8n holds connections to the database dropped after it.
		while (closers.length > 0) await closers.pop()!().catch((e: Error) => console.error(`cleanup: ${e.message}`));
	};
	track(closeAll);
	const rounds: Round[] = [];
	const measure = async (bench: Bench, setup: QueueSetupKey, processes: Measured[]) => {
		for (const workload of ['payment', 'booking'] as const) {
			progress(`queue part, ${SETUP_LABELS[setup]}: ${workload} × ${ROUND_REQUESTS} at concurrency ${LEVEL.concurrency}`);
			mark(`${setup} ${workload} round`);
			rounds.push(await measureRound(bench, setup, workload, processes));
		}
	};

	try {
		const peer = await startStripePeer({ secretKey: STRIPE_KEY });
		closers.push(() => peer.stop());

		// One process.
		const singleDb = await newDatabase(closers);
		progress('queue part: one n8n process on a fresh PostgreSQL database (n8n data and HOTEL_DATABASE_URL)...');
		let started = Date.now();
		const single = await startN8n({ env: { ...postgresForN8n(singleDb), HOTEL_DATABASE_URL: databaseUrl(singleDb), ...n8nEnv }, packageDir, log: log && ((line) => log('n8n', line)) });
		const singleStart = Date.now() - started;
		const stopSingle = single.stop;
		closers.push(stopSingle);
		const singleBench = await prepare(single, singleDb, peer, closers);
		const singlePid = n8nPid(single.userFolder);
		const singleProcesses: Measured[] = singlePid === undefined ? [] : [measured('n8n', singlePid)];
		await warmUp(singleBench, progress, 'one process');
		for (const setup of ORDER.filter((s) => s === 'single')) await measure(singleBench, setup, singleProcesses);
		const singleChecks = await check(singleBench, progress);
		closers.splice(closers.indexOf(stopSingle), 1);
		await stopSingle();

		// Queue mode: 1 worker, then 2, then 1 again.
		const queueDb = await newDatabase(closers);
		progress('queue part: queue mode (main, webhook process, 1 worker) on a fresh PostgreSQL database...');
		started = Date.now();
		const cluster: N8nQueue = await startN8nQueue({
			n8nDatabase: { ...queueDb.config, password: queueDb.config.password ?? '' },
			hotelDatabaseUrl: databaseUrl(queueDb),
			redisPrefix: `hotel-bench-queue-${randomBytes(4).toString('hex')}`,
			workers: 1,
			env: n8nEnv,
			packageDir,
			log,
		});
		const queueStart = Date.now() - started;
		closers.push(() => cluster.stop());
		const queueBench = await prepare(cluster, queueDb, peer, closers);
		const clusterProcesses = (): Measured[] =>
			cluster.processes.filter((p) => p.proc.exit() === undefined && p.proc.pid !== undefined).map((p) => measured(p.name, p.proc.pid!));
		await warmUp(queueBench, progress, '1 worker');
		let secondWorker: QueueProcess | undefined;
		let secondWorkerStart = 0;
		for (const setup of ORDER.filter((s) => s !== 'single')) {
			if (setup === 'queue2' && !secondWorker) {
				progress('queue part: starting a second worker...');
				started = Date.now();
				secondWorker = await cluster.startWorker();
				secondWorkerStart = Date.now() - started;
				// Its first executions load and compile the nodes: not measured.
				await warmUp(queueBench, progress, '2 workers');
			}
			if (setup === 'queue1' && secondWorker && secondWorker.proc.exit() === undefined) {
				progress(`queue part: stopping ${secondWorker.name}...`);
				await secondWorker.proc.stop();
			}
			await measure(queueBench, setup, clusterProcesses());
		}
		const queueChecks = await check(queueBench, progress);

		const setups = (['single', 'queue1', 'queue2'] as const).map((setup) => setupReport(setup, rounds));
		const perSecond = (setup: QueueSetupKey, w: Workload) => setups.find((s) => s.setup === setup)![w].executionsPerSecond;
		const ratios = Object.fromEntries(
			(['payment', 'booking'] as const).map((w) => [
				w,
				{
					twoWorkersOverOne: ratio(perSecond('queue2', w), perSecond('queue1', w)),
					oneWorkerOverSingle: ratio(perSecond('queue1', w), perSecond('single', w)),
					twoWorkersOverSingle: ratio(perSecond('queue2', w), perSecond('single', w)),
				},
			]),
		) as QueueReport['ratios'];
		const noErrors = setups.every((s) => [s.payment, s.booking].every((f) => f.errors === 0 && !f.truncated));
		const checksPassed = [singleChecks, queueChecks].every((c) => c.payment.passed && c.booking.passed);
		return {
			concurrency: LEVEL.concurrency,
			roundRequests: ROUND_REQUESTS,
			warmupRequests: WARMUP_REQUESTS,
			order: ORDER.map((s) => ({ single: '1p', queue1: '1w', queue2: '2w' })[s]).join(' '),
			database: "one fresh PostgreSQL database per n8n: n8n's data (DB_TYPE=postgresdb) and the hotel store (HOTEL_DATABASE_URL)",
			workflows: ['workflows/payment-webhook.json', 'workflows/booking-engine-api.json'],
			cores: os.cpus().length,
			setups,
			ratios,
			startSeconds: { single: round(singleStart / 1000, 1), queue: round(queueStart / 1000, 1), secondWorker: round(secondWorkerStart / 1000, 1) },
			...(reference ? { reference } : {}),
			checks: { single: singleChecks, queue: queueChecks },
			phases: rounds.map(({ setup, workload, result }) => {
				const f = summarise([result]);
				return { setup, workload, requests: f.requests, errors: f.errorsByStatus, perSecond: f.executionsPerSecond, p50Ms: f.p50Ms, p99Ms: f.p99Ms, wallMs: f.wallMs };
			}),
			passed: noErrors && checksPassed,
		};
	} finally {
		progress('queue part: cleaning up...');
		await closeAll();
	}
}

/** The bench's n8n settings for its own data on PostgreSQL (the queue launcher sets the same ones). */
function postgresForN8n(database: TestDatabase): Record<string, string> {
	const { config } = database;
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: config.host,
		DB_POSTGRESDB_PORT: String(config.port),
		DB_POSTGRESDB_DATABASE: config.database,
		DB_POSTGRESDB_USER: config.user,
		DB_POSTGRESDB_PASSWORD: config.password ?? '',
	};
}

async function newDatabase(closers: Array<() => Promise<unknown>>): Promise<TestDatabase> {
	const database = await createTestDatabase('bench_q');
	closers.push(() => database.drop());
	await seedCatalogue(database);
	return database;
}

/** The credentials the two shipped workflows name, then the workflows as shipped; both webhooks registered. */
async function prepare(n8n: N8n, database: TestDatabase, peer: StripePeer, closers: Array<() => Promise<unknown>>): Promise<Bench> {
	const redisPrefix = uniqueRedisPrefix('bench-queue');
	closers.push(() => deleteRedisKeys(redisPrefix));
	const create = async (name: string, type: string, data: Record<string, unknown>) => (await n8n.api.createCredential({ name, type, data })).id;
	const ids = {
		'Hotel Stripe': await create('Hotel Stripe', 'hotelStripeApi', { secretKey: STRIPE_KEY, webhookSecret: STRIPE_WEBHOOK_SECRET, baseUrl: peer.url }),
		'Hotel Booking Engine': await create('Hotel Booking Engine', 'hotelBookingEngineApi', BOOKING_CREDENTIAL_DATA),
		'Hotel Redis': await create('Hotel Redis', 'hotelRedisApi', { host: REDIS.host, port: REDIS.port, username: '', password: '', database: 0, tls: false, keyPrefix: redisPrefix }),
	};
	const payment = (await n8n.api.importWorkflowFile('payment-webhook.json', ids)).id;
	const booking = (await n8n.api.importWorkflowFile('booking-engine-api.json', ids)).id;
	await n8n.api.waitForWebhook(PAYMENT_WEBHOOK_PATH, 'POST');
	await n8n.api.waitForWebhook(RESERVATIONS_PATH, 'POST');

	const runId = randomBytes(3).toString('hex');
	const events = eventFactory(runId);
	await insertEventReservations(database, runId);
	const sign = (body: string) => peer.signPayload(body, { secret: STRIPE_WEBHOOK_SECRET });
	return {
		n8n,
		database,
		workflowIds: { payment, booking },
		targets: {
			payment: {
				url: n8n.webhookUrl(PAYMENT_WEBHOOK_PATH),
				shots: (n) => events(n).map((body) => ({ body, headers: { 'stripe-signature': sign(body) } })),
			},
			booking: { url: n8n.webhookUrl(RESERVATIONS_PATH), shots: bookingShots(await bookingHeaders()), okStatus: 201 },
		},
		sent: { payment: 0, booking: 0 },
		ok: { payment: 0, booking: 0 },
	};
}

async function warmUp(bench: Bench, progress: (message: string) => void, what: string): Promise<void> {
	progress(`queue part, ${what}: warm-up ${WARMUP_REQUESTS} payments and ${WARMUP_REQUESTS} bookings (not measured)`);
	for (const workload of ['payment', 'booking'] as const) {
		const result = await send(bench, workload, WARMUP_REQUESTS, WARMUP_CONCURRENCY, WARMUP_DEADLINE_MS);
		await sleep(SETTLE_MS);
		const errors = Object.values(result.errors).reduce((a, b) => a + b, 0);
		if (errors > 0) progress(`queue part, ${what}: warm-up ${workload}: ${errors} errors ${JSON.stringify(result.errors)}`);
	}
}

async function send(bench: Bench, workload: Workload, requests: number, concurrency: number, deadlineMs: number): Promise<PhaseResult> {
	const target = bench.targets[workload];
	const result = await runPhase(target.shots(requests), {
		url: target.url,
		concurrency,
		deadlineMs,
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
		okStatus: target.okStatus,
	});
	bench.sent[workload] += result.sent;
	bench.ok[workload] += result.ok;
	return result;
}

async function measureRound(bench: Bench, setup: QueueSetupKey, workload: Workload, processes: Measured[]): Promise<Round> {
	const before = processes.map((p) => p.read());
	const mainBefore = processes.map((p) => p.readMainThread());
	const machineBefore = machineBusyCpuMs();
	const benchBefore = process.cpuUsage();
	const started = Date.now();
	const result = await send(bench, workload, ROUND_REQUESTS, LEVEL.concurrency, LEVEL.phaseDeadlineMs);
	await sleep(SETTLE_MS);
	const elapsedMs = Date.now() - started;
	const bench_ = process.cpuUsage(benchBefore);
	const machineAfter = machineBusyCpuMs();
	const cpuMsByProcess: Record<string, number> = {};
	const mainThreadMsByProcess: Record<string, number> = {};
	processes.forEach((p, i) => {
		const after = p.read();
		if (before[i] !== undefined && after !== undefined) cpuMsByProcess[p.name] = after - before[i]!;
		const mainAfter = p.readMainThread();
		if (mainBefore[i] !== undefined && mainAfter !== undefined) mainThreadMsByProcess[p.name] = mainAfter - mainBefore[i]!;
	});
	result.n8nCpuMs = processes.length > 0 && Object.keys(cpuMsByProcess).length === processes.length ? sum(Object.values(cpuMsByProcess)) : undefined;
	return {
		setup,
		workload,
		result,
		cpuMsByProcess,
		mainThreadMsByProcess,
		machineBusyMs: machineBefore === undefined || machineAfter === undefined ? undefined : machineAfter - machineBefore,
		benchMs: (bench_.user + bench_.system) / 1000,
		elapsedMs,
	};
}

function setupReport(setup: QueueSetupKey, rounds: Round[]): QueueSetupReport {
	const figures = (workload: Workload): QueueFigures => {
		const mine = rounds.filter((r) => r.setup === setup && r.workload === workload);
		const f = summarise(mine.map((r) => r.result));
		const perRequest = (ms: number) => (f.ok > 0 ? round(ms / f.ok, 1) : Number.NaN);
		const byProcess: Record<string, number> = {};
		for (const r of mine) for (const [name, ms] of Object.entries(r.cpuMsByProcess)) byProcess[name] = (byProcess[name] ?? 0) + ms;
		const mainThread: Record<string, number> = {};
		for (const r of mine) for (const [name, ms] of Object.entries(r.mainThreadMsByProcess)) mainThread[name] = (mainThread[name] ?? 0) + ms;
		const n8nMs = sum(Object.values(byProcess));
		const benchMs = sum(mine.map((r) => r.benchMs));
		const machineKnown = mine.every((r) => r.machineBusyMs !== undefined);
		const machineMs = sum(mine.map((r) => r.machineBusyMs ?? 0));
		const elapsedMs = sum(mine.map((r) => r.elapsedMs));
		return {
			...f,
			cpuMsPerRequestByProcess: Object.fromEntries(Object.entries(byProcess).map(([name, ms]) => [name, perRequest(ms)])),
			mainThreadCpuMsPerRequestByProcess: Object.fromEntries(Object.entries(mainThread).map(([name, ms]) => [name, perRequest(ms)])),
			otherCpuMsPerRequest: machineKnown ? perRequest(Math.max(0, machineMs - n8nMs - benchMs)) : Number.NaN,
			benchCpuMsPerRequest: perRequest(benchMs),
			machineBusyPercent: machineKnown && elapsedMs > 0 ? round((100 * machineMs) / (elapsedMs * os.cpus().length), 0) : Number.NaN,
		};
	};
	return { setup, label: SETUP_LABELS[setup], payment: figures('payment'), booking: figures('booking') };
}

async function check(bench: Bench, progress: (message: string) => void): Promise<QueueChecks> {
	progress('queue part: counting executions and rows...');
	const paymentRuns = await countExecutions(bench.n8n, bench.workflowIds.payment, bench.sent.payment, bench.ok.payment);
	const bookingRuns = await countExecutions(bench.n8n, bench.workflowIds.booking, bench.sent.booking, bench.ok.booking);
	const rows = await countDatabaseRows(bench.database);
	const { reservations, drift } = await inspectReservations(bench.database);
	const paymentRows = rows.claimsDone === bench.sent.payment && rows.claimsOther === 0 && rows.reservationsPaid === bench.sent.payment;
	return {
		payment: {
			...paymentRuns,
			claimsDone: rows.claimsDone,
			claimsNotDone: rows.claimsOther,
			notDone: rows.claimsOther > 0 ? await claimsNotDone(bench.database) : [],
			reservationsPaid: rows.reservationsPaid,
			passed: paymentRuns.exactlyOnce && paymentRows,
		},
		booking: {
			...bookingRuns,
			reservationsInDatabase: reservations,
			soldDriftNights: drift.length,
			passed: bookingRuns.exactlyOnce && reservations === bench.sent.booking && drift.length === 0,
		},
	};
}

async function claimsNotDone(database: TestDatabase): Promise<QueueChecks['payment']['notDone']> {
	const sql = new Client(database.config);
	await sql.connect();
	try {
		const { rows } = await sql.query<{ event_id: string; status: string; first_seen_at: Date }>(
			"SELECT event_id, status, first_seen_at FROM processed_events WHERE status <> 'done' ORDER BY first_seen_at LIMIT 5",
		);
		return rows.map((r) => ({ eventId: r.event_id, status: r.status, firstSeenAt: r.first_seen_at.toISOString() }));
	} finally {
		await sql.end();
	}
}

export function formatQueue(r: QueueReport): string[] {
	const header = ['setup', 'workload', 'requests', 'errors', 'per s', 'p50 ms', 'p99 ms', 'n8n CPU ms/req', 'by process', 'other ms/req', 'machine busy'];
	const rows: string[][] = [];
	for (const workload of ['payment', 'booking'] as const) {
		for (const s of r.setups) {
			const f = s[workload];
			const byProcess = Object.entries(f.cpuMsPerRequestByProcess).map(([name, ms]) => `${name} ${fixed(ms)}`).join(', ');
			const requests = f.truncated ? `${f.requests} (deadline hit)` : String(f.requests);
			rows.push([s.label, workload, requests, errorText(f), fixed(f.executionsPerSecond), fixed(f.p50Ms), fixed(f.p99Ms), fixed(f.n8nCpuMsPerExecution), byProcess, fixed(f.otherCpuMsPerRequest), `${fixed(f.machineBusyPercent, 0)} %`]);
		}
	}
	const ratioLine = (w: Workload, what: string) => {
		const x = r.ratios[w];
		return `  ${what}: 2 workers / 1 worker ${fixed(x.twoWorkersOverOne, 2)}; 1 worker / one process ${fixed(x.oneWorkerOverSingle, 2)}; 2 workers / one process ${fixed(x.twoWorkersOverSingle, 2)}`;
	};
	const mark = (ok: boolean) => (ok ? '✓' : '✗');
	const checkLines = (['single', 'queue'] as const).map((k) => {
		const c = r.checks[k];
		return (
			`  ${k === 'single' ? 'one process' : 'queue mode '}: payments ${c.payment.requestsSent} sent, ${c.payment.requestsOk} answered 200, ${c.payment.successfulExecutions} successful executions, ` +
			`${c.payment.claimsDone} claims done (${c.payment.claimsNotDone} not${c.payment.notDone.length ? `: ${c.payment.notDone.map((n) => `${n.eventId} ${n.status} since ${n.firstSeenAt}`).join(', ')}` : ''}), ` +
			`${c.payment.reservationsPaid} paid ${mark(c.payment.passed)}; ` +
			`bookings ${c.booking.requestsSent} sent, ${c.booking.requestsOk} answered 201, ${c.booking.successfulExecutions} successful executions, ` +
			`${c.booking.reservationsInDatabase} reservations, sold drift on ${c.booking.soldDriftNights} nights ${mark(c.booking.passed)}`
		);
	});
	const ref = r.reference;
	return [
		`Queue mode against one n8n process: ${r.workflows.join(' and ')} as shipped; ${r.database}`,
		`concurrency ${r.concurrency}; warm-up ${r.warmupRequests} payments and ${r.warmupRequests} bookings per n8n (and after the second worker starts), ` +
			`then rounds of ${r.roundRequests} payments and ${r.roundRequests} bookings in the order ${r.order} (1p one process, 1w/2w workers); ` +
			`payment per s = executions/s, booking per s = reservations created (201)/s; ${r.cores} cores for every process, PostgreSQL and Redis`,
		`ready after: one process ${fixed(r.startSeconds.single)} s, queue cluster (main, webhook, 1 worker) ${fixed(r.startSeconds.queue)} s, a second worker ${fixed(r.startSeconds.secondWorker)} s`,
		'',
		alignColumns([header, ...rows]),
		'  (other ms/req: the machine\'s busy CPU that neither the n8n processes nor the bench process used: PostgreSQL, Redis, n8n\'s idle task runners, the kernel, and anything else running)',
		'',
		'Event-loop thread CPU per request, by process (of the n8n CPU above; 1000 / it = the most requests/s that process could take with a core to itself):',
		...(['payment', 'booking'] as const).flatMap((w) =>
			r.setups.map((s) => {
				const byProcess = Object.entries(s[w].mainThreadCpuMsPerRequestByProcess)
					.filter(([, ms]) => ms >= 1)
					.map(([name, ms]) => `${name} ${fixed(ms)} ms (≤ ${fixed(1000 / ms, 0)}/s)`);
				return `  ${w}, ${s.label}: ${byProcess.join(', ') || 'n/a'}`;
			}),
		),
		'',
		'Ratios of throughput:',
		ratioLine('payment', 'payment executions/s'),
		ratioLine('booking', 'reservations/s      '),
		...(ref
			? [`  the default n8n part above (n8n's data in SQLite, the store by the Hotel PostgreSQL credential), same concurrency: ` +
				`payment ${fixed(ref.paymentExecutionsPerSecond ?? Number.NaN)} executions/s, ${fixed(ref.bookingCreationsPerSecond ?? Number.NaN)} reservations/s`]
			: []),
		'',
		'Checks (queue part, warm-ups included):',
		...checkLines,
	];
}

function measured(name: string, pid: number): Measured {
	return { name, read: processCpuReader(pid), readMainThread: processCpuReader(pid, { mainThread: true }) };
}

function sum(values: number[]): number {
	return values.reduce((total, v) => total + v, 0);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
