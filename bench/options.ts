/**
 * The bench's options, all from the environment and all for diagnosis: a plain `npm run bench`
 * measures this repository, freshly built, on the brief's configuration with n8n's defaults.
 *
 *   BENCH_EVENT_STORE=redis       (a) remembers events in Redis instead of the database
 *   BENCH_DATABASE=embedded       (a) uses the embedded PGlite instead of PostgreSQL
 *   BENCH_N8N_PROFILES=defaults,shipped
 *                                 the n8n settings the payment and booking parts run with, each on an
 *                                 n8n of its own: n8n's defaults, and/or what npm start and docker/ ship
 *   BENCH_N8N_ENV="A=1,B=2"       extra n8n settings, e.g. N8N_EXPRESSION_ENGINE=legacy or N8N_METRICS=true
 *   BENCH_PACKAGE_DIR=<dir>       build and measure another copy of the package (e.g. a prototype)
 *   BENCH_SKIP_BUILD=1            measure the dist/ already there (when unrelated work breaks the build)
 *   BENCH_BOOKING=0               leave out the booking-engine part (c, d, e): the payment part alone
 *   BENCH_OTA=0                   leave out the OTA part (push efficiency, parse/build speed; runs without n8n)
 *   BENCH_EMAIL=0                 leave out the e-mail part (queue vs direct e-mails/s; runs without n8n)
 *   BENCH_QUEUE=0                 leave out the queue-mode part (one n8n process against queue mode with 1 and 2 workers)
 *   BENCH_PAYMENT=0               leave out the single n8n of the payment and booking parts (a–e): with
 *                                 BENCH_OTA=0 BENCH_EMAIL=0 only the queue-mode part runs
 *   BENCH_SOAK=1                  also 20,000 Stripe deliveries (a quarter redeliveries) through the payment
 *                                 workflow, n8n's memory after 2,000 and at the end (soak.ts; ~10 minutes)
 *   BENCH_QUEUE_LOG=<file>        append every line the queue part's n8n processes print to <file>
 */
import path from 'node:path';
import type { Variant } from './setup';

export type N8nProfile = 'defaults' | 'shipped';

export interface BenchOptions {
	variant: Variant;
	profiles: N8nProfile[];
	n8nEnv: Record<string, string>;
	packageDir: string;
	skipBuild: boolean;
	/** Measure the booking-engine API too (default). */
	booking: boolean;
	/** Measure the OTA part too (default): library and local OTA peer only, before n8n starts. */
	ota: boolean;
	/** Measure e-mails/s through the outbox queue against direct sending (default). */
	email: boolean;
	/** The soak part (soak.ts): off unless BENCH_SOAK=1. */
	soak: boolean;
	/** Run the payment part (a, b) and, unless `booking` is off, the booking part on one n8n (default). */
	payment: boolean;
	/** Measure one n8n process against queue mode with 1 and 2 workers (default; queue.ts). */
	queue: boolean;
	/** Where the queue part appends its n8n processes' output (diagnosis); default: kept in memory only. */
	queueLog?: string;
}

export function optionsFromEnv(repoRoot: string, env: NodeJS.ProcessEnv = process.env): BenchOptions {
	return {
		variant: variantFrom(env),
		profiles: profilesFrom(env.BENCH_N8N_PROFILES),
		n8nEnv: n8nEnvFrom(env.BENCH_N8N_ENV),
		packageDir: path.resolve(env.BENCH_PACKAGE_DIR ?? repoRoot),
		skipBuild: env.BENCH_SKIP_BUILD === '1',
		booking: env.BENCH_BOOKING !== '0',
		ota: env.BENCH_OTA !== '0',
		email: env.BENCH_EMAIL !== '0',
		payment: env.BENCH_PAYMENT !== '0',
		soak: env.BENCH_SOAK === '1',
		queue: env.BENCH_QUEUE !== '0',
		queueLog: env.BENCH_QUEUE_LOG ? path.resolve(env.BENCH_QUEUE_LOG) : undefined,
	};
}

function profilesFrom(spec = 'defaults,shipped'): N8nProfile[] {
	const profiles = spec.split(',').map((p) => p.trim()).filter(Boolean);
	for (const p of profiles) if (p !== 'defaults' && p !== 'shipped') throw new Error(`BENCH_N8N_PROFILES takes defaults and/or shipped, not ${p}`);
	if (profiles.length === 0) throw new Error('BENCH_N8N_PROFILES names no profile');
	return profiles as N8nProfile[];
}

function variantFrom(env: NodeJS.ProcessEnv): Variant {
	const eventStore = env.BENCH_EVENT_STORE ?? 'database';
	const database = env.BENCH_DATABASE ?? 'postgres';
	if (eventStore !== 'database' && eventStore !== 'redis') throw new Error(`BENCH_EVENT_STORE must be database or redis, not ${eventStore}`);
	if (database !== 'postgres' && database !== 'embedded') throw new Error(`BENCH_DATABASE must be postgres or embedded, not ${database}`);
	return { eventStore, database };
}

function n8nEnvFrom(spec: string | undefined): Record<string, string> {
	if (!spec?.trim()) return {};
	return Object.fromEntries(
		spec.split(',').map((pair) => {
			const at = pair.indexOf('=');
			if (at < 1) throw new Error(`BENCH_N8N_ENV: "${pair}" is not NAME=value`);
			return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
		}),
	);
}
