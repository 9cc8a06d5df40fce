/**
 * `npm start`: the product on this machine, with nothing else to set up.
 *
 * Builds the package, starts the local peers (a Stripe-compatible API that sends signed webhooks),
 * starts n8n 2.41.1 on 127.0.0.1 with the package loaded under its real name, creates the owner,
 * an API key and the credentials the workflows name (pointing at the peers), imports and activates
 * every workflow in workflows/, and prints where to look. Ctrl-C stops everything it started.
 *
 * Each start is a fresh sandbox (a new temp n8n user folder, embedded database inside it), so
 * what you try here never leaks into the next run.
 *
 * `npm run start:queue` (--queue) is the same sandbox on n8n's queue mode: a main, two workers and
 * a webhook process (scripts/n8nQueue.ts) on a fresh PostgreSQL database and the local Redis.
 * SIGINT, SIGTERM or SIGHUP, or npm's process going away, stop every process either start started.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { once, startN8n, type N8n } from './n8n';
import { startN8nQueue, type N8nQueue } from './n8nQueue';
import {
	BOOKING_ENGINE_AUDIENCE,
	BOOKING_ENGINE_SECRET,
	createSandboxCredentials,
	OTA_WEBHOOK_SECRET,
	PAYMENT_WEBHOOK_PATH,
	SQUARE_ACCESS_TOKEN,
	SQUARE_SIGNATURE_KEY,
	SQUARE_WEBHOOK_PATH,
	seedDemoHotel,
	startPeers,
	stopPeers,
	STRIPE_KEY,
	STRIPE_WEBHOOK_SECRET,
	type Peers,
} from './sandbox';
import { signTestToken } from '../test/support/testTokens';
import { addDays, today } from '../lib/inventory/dates';
import { createTestDatabase, type TestDatabase } from '../test/support/services';
import { databaseUrl } from '../test/support/workflows';

const repoRoot = path.resolve(__dirname, '..');

async function main() {
	const queueMode = process.argv.includes('--queue');
	console.log('Building the package...');
	execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'n8n-node'), ['build'], { cwd: repoRoot, stdio: 'ignore' });

	// Whatever happens from here, everything started is stopped: on Ctrl-C, on SIGTERM or SIGHUP (a
	// process manager, a closed terminal), when npm's process goes away, and on a failed start.
	const cleanUps: Array<() => Promise<unknown>> = [];
	const stopAll = once(async () => {
		for (const cleanUp of cleanUps.reverse()) await cleanUp().catch((error: Error) => console.error(`while stopping: ${error.message}`));
	});
	const exitAfterStop = (code: number) => void stopAll().then(() => process.exit(code));
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => exitAfterStop(0));
	watchParent(() => exitAfterStop(0));

	try {
		// The hotel's store holds a small hotel before n8n starts: the embedded database in a fresh
		// n8n user folder, or (queue mode) a fresh PostgreSQL database that n8n's own data shares,
		// as in docker/compose.queue.yml.
		const userFolder = mkdtempSync(path.join(os.tmpdir(), 'n8n-hotel-sandbox-'));
		cleanUps.push(async () => rmSync(userFolder, { recursive: true, force: true }));
		let database: TestDatabase | undefined;
		let demo: { reservationId?: string };
		if (queueMode) {
			database = await createTestDatabase('sandbox');
			cleanUps.push(() => database!.drop());
			demo = await seedDemoHotel(database.config, { guestReservation: true });
		} else {
			demo = await seedDemoHotel({ kind: 'embedded', dir: path.join(userFolder, '.n8n', 'hotel-integrations', 'pgdata') }, { guestReservation: true });
		}
		const peers = await startPeers({ printEmails: true });
		cleanUps.push(() => stopPeers(peers));

		let n8n: N8n | N8nQueue;
		if (database) {
			console.log('Starting n8n in queue mode: main, two workers and a webhook process (first run installs the pinned n8n host: a few minutes)...');
			n8n = await startN8nQueue({
				n8nDatabase: { ...database.config, password: database.config.password ?? '' },
				hotelDatabaseUrl: databaseUrl(database),
				redisPrefix: `hotel-sandbox-${process.pid}`,
				workers: 2,
			});
		} else {
			console.log('Starting n8n (first run installs the pinned n8n host: a few minutes)...');
			// The hotel's time zone is n8n's (calendar events, schedules): set, not left to n8n's default (New York).
			n8n = await startN8n({ userFolder, port: await preferredPort(), env: { GENERIC_TIMEZONE: SANDBOX_TIME_ZONE } });
		}
		cleanUps.push(n8n.stop);
		const credentialIds = await createSandboxCredentials(n8n, peers);
		const imported: string[] = [];
		for (const file of readdirSync(path.join(repoRoot, 'workflows')).filter((f) => f.endsWith('.json')).sort()) {
			await n8n.api.importWorkflowFile(file, credentialIds);
			imported.push(file);
		}
		await n8n.api.waitForWebhook(PAYMENT_WEBHOOK_PATH, 'POST');
		peers.stripePeer.setWebhook(n8n.webhookUrl(PAYMENT_WEBHOOK_PATH), STRIPE_WEBHOOK_SECRET);
		await n8n.api.waitForWebhook(SQUARE_WEBHOOK_PATH, 'POST');
		peers.squarePeer.setWebhook(n8n.webhookUrl(SQUARE_WEBHOOK_PATH), SQUARE_SIGNATURE_KEY);
		const token = await signTestToken(
			{ sub: 'local-booking-engine', scope: 'reservations', aud: BOOKING_ENGINE_AUDIENCE },
			{ alg: 'HS256', secret: BOOKING_ENGINE_SECRET, expiresIn: '12h' },
		);
		printWelcome(n8n, peers, imported, token, String(demo.reservationId));
	} catch (error) {
		console.error(`npm start failed: ${(error as Error).message}`);
		exitAfterStop(1);
	}
}

/**
 * npm passes SIGTERM on to the shell that runs the script, and the shell dies without passing it to
 * tsx (seen with npm 11 and Debian's dash): the launcher would live on, orphaned, with n8n and the
 * peers. So the launcher watches its ancestors up to npm's own process (only its parent when it
 * was not started by npm) and stops everything as soon as one of them is gone.
 */
function watchParent(onGone: () => void) {
	const watched = ancestorsUpToNpm();
	const timer = setInterval(() => {
		if (watched.some((pid) => !isAlive(pid))) {
			clearInterval(timer);
			onGone();
		}
	}, 500);
	timer.unref();
}

function ancestorsUpToNpm(): number[] {
	const chain: number[] = [];
	let pid = process.ppid;
	for (let depth = 0; depth < 6 && pid > 1; depth++) {
		chain.push(pid);
		const proc = readProc(pid);
		if (!proc) break;
		// npm names itself by its title ("npm start"); a plain node npm-cli.js by its path.
		if (proc.command.some((part) => /^npm( |$)|(^|\/)npm(-cli\.js)?$/.test(part))) return chain;
		pid = proc.parent;
	}
	return chain.slice(0, 1);
}

/** A process's command line and parent, from /proc (Linux); undefined elsewhere or once it is gone. */
function readProc(pid: number): { command: string[]; parent: number } | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return {
			command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'),
			// "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
			parent: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]),
		};
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** n8n's usual 5678 when it is free (N8N_PORT overrides), else any free port. */
async function preferredPort(): Promise<number | undefined> {
	const wanted = Number(process.env.N8N_PORT ?? 5678);
	const free = await new Promise<boolean>((resolve) => {
		const probe = net.createServer().once('error', () => resolve(false));
		probe.listen(wanted, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
	return free ? wanted : undefined;
}

/** The sandbox hotel's time zone, as docker/.env.example sets it for the compose files and queue mode. */
const SANDBOX_TIME_ZONE = 'Europe/Berlin';

function printWelcome(n8n: N8n | N8nQueue, { stripePeer, squarePeer, otaPeer, smtpPeer, googlePeer }: Peers, workflows: string[], token: string, reservationId: string) {
	const api = n8n.webhookUrl('hotel-booking-engine');
	const arrival = addDays(today(), 7);
	const departure = addDays(today(), 9);
	const roles = { main: 'editor, public API, triggers and schedules', webhook: 'production webhooks (/webhook/...)', worker: 'executions (health server)' };
	const processes = 'processes' in n8n
		? `\nIn queue mode: n8n's data and the hotel's in a fresh database of the local PostgreSQL (dropped at stop), jobs in the local Redis:\n${n8n.processes
			.map((p) => `  ${p.name.padEnd(9)} pid ${String(p.proc.pid).padEnd(7)} ${p.url}  ${roles[p.role]}`)
			.join('\n')}\n`
		: '';
	console.log(`
n8n with n8n-nodes-hotel-integrations is running.
${processes}
  Editor:     ${n8n.url}
  Login:      ${n8n.owner.email} / ${n8n.owner.password}
  API key:    ${n8n.apiKey} (header X-N8N-API-KEY, ${n8n.url}/api/v1)
  Workflows:  ${workflows.join(', ')} (imported and active)
  Time zone:  ${SANDBOX_TIME_ZONE} (n8n's GENERIC_TIMEZONE: the hotel's, for calendar events and schedules)

  Local Stripe-compatible API: ${stripePeer.url} (secret key ${STRIPE_KEY})
  It sends signed webhooks to ${n8n.webhookUrl(PAYMENT_WEBHOOK_PATH)}

Try a payment for the demo reservation ${reservationId} (Katherine Johnson, 2 nights; then watch
Executions in the editor, and the receipt e-mail below):
  curl -s ${stripePeer.url}/v1/payment_intents -u ${STRIPE_KEY}: \\
    -d amount=24000 -d currency=eur -d "metadata[reservation_id]=${reservationId}" \\
    -d payment_method=pm_card_visa -d confirm=true

  Local Square-compatible API: ${squarePeer.url} (access token ${SQUARE_ACCESS_TOKEN}, location ${squarePeer.locationId})
  It sends signed webhooks to ${n8n.webhookUrl(SQUARE_WEBHOOK_PATH)}
Or take it with Square (a front-desk style payment, reservation id in reference_id):
  curl -s ${squarePeer.url}/v2/payments -H "Authorization: Bearer ${SQUARE_ACCESS_TOKEN}" -H 'Content-Type: application/json' \\
    -d '{"idempotency_key":"demo-1","source_id":"cnon:card-nonce-ok","amount_money":{"amount":24000,"currency":"EUR"},"reference_id":"${reservationId}"}'

Booking-engine API (JWT below is valid 12 h; Redis on 127.0.0.1:6379 caches availability):
  export TOKEN=${token}
  curl -s "${api}/availability?arrival=${arrival}&departure=${departure}&adults=2" -H "Authorization: Bearer $TOKEN"
  curl -s -X POST ${api}/reservations -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d '{"roomType":"DBL","ratePlan":"BAR","arrival":"${arrival}","departure":"${departure}","adults":2,"guest":{"name":"Ada Lovelace"}}'

Local OTA (Booking.com-style, codes BDC-DBL / BDC-FAM / BDC-BAR): ${otaPeer.url}
  The push workflow sends changes every minute; the pull workflow polls it every minute and has
  taken in the three bookings waiting there (BDC-1001, BDC-1002, and BDC-1003 with a double and a
  family room, dated by nightly rates as Booking.com sends them): see its first execution.
  Reservations pushed by a channel go to ${n8n.webhookUrl('hotel-ota-webhook/reservations')}
  (webhook secret ${OTA_WEBHOOK_SECRET}).

Guest e-mails (confirmations, changes, cancellations, payment receipts, refunds) go to a local SMTP server
on 127.0.0.1:${smtpPeer.port} and are listed below as they arrive; reservations appear as events in a
local Google-like calendar (${googlePeer.apiBaseUrl}). Integration health checks every 5 minutes and
e-mails it@hotel.example once when an integration keeps failing.

Ctrl-C stops n8n and the peers.`);
}

void main();