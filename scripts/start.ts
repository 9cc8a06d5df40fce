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
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { once, startN8n, type N8n } from './n8n';
import { startN8nQueue, type N8nQueue } from './n8nQueue';
import { startStripePeer, type StripePeer } from '../test/peers/stripePeer';
import { startOtaPeer, type OtaPeer } from '../test/peers/otaPeer';
import { startSmtpPeer, type SmtpPeer } from '../test/peers/smtpPeer';
import { startGooglePeer, type GooglePeer } from '../test/peers/googlePeer';
import { ChannelMappings } from '../lib/channels/mapping';
import { HotelService } from '../lib/booking/hotelService';
import { signTestToken } from '../lib/booking/testTokens';
import { addDays, today } from '../lib/inventory/dates';
import { closeAllStores, getStore, type StoreConfig } from '../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../test/support/services';
import { databaseUrl } from '../test/support/workflows';
import { canValidateOta, OTA_XSD_DIR } from '../test/support/xsd';

const repoRoot = path.resolve(__dirname, '..');
const STRIPE_KEY = 'sk_test_local_sandbox';
const STRIPE_WEBHOOK_SECRET = 'whsec_local_sandbox';
const PAYMENT_WEBHOOK_PATH = 'hotel-stripe-payments/stripe';
const BOOKING_ENGINE_SECRET = 'local-sandbox-booking-engine-secret-0123456789';
const BOOKING_ENGINE_AUDIENCE = 'hotel-booking-api';
const OTA_PASSWORD = 'local-sandbox-ota';
const OTA_WEBHOOK_SECRET = 'local-sandbox-ota-webhook-secret';

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
		if (queueMode) {
			database = await createTestDatabase('sandbox');
			cleanUps.push(() => database!.drop());
			await seedDemoHotel(database.config);
		} else {
			await seedDemoHotel({ kind: 'embedded', dir: path.join(userFolder, '.n8n', 'hotel-integrations', 'pgdata') });
		}
		const peers = await startPeers();
		cleanUps.push(() => peers.stripePeer.stop(), () => peers.otaPeer.stop(), () => peers.smtpPeer.stop(), () => peers.googlePeer.stop());

		let n8n: N8n | N8nQueue;
		if (database) {
			console.log('Starting n8n in queue mode: main, two workers and a webhook process (first run installs the pinned n8n host: a few minutes)...');
			n8n = await startN8nQueue({
				n8nDatabase: { ...database.config, password: database.config.password ?? '' },
				hotelDatabaseUrl: databaseUrl(database),
				bullPrefix: `hotel-sandbox-${process.pid}`,
				workers: 2,
			});
		} else {
			console.log('Starting n8n (first run installs the pinned n8n host: a few minutes)...');
			n8n = await startN8n({ userFolder, port: await preferredPort() });
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
		const token = await signTestToken(
			{ sub: 'local-booking-engine', scope: 'reservations', aud: BOOKING_ENGINE_AUDIENCE },
			{ alg: 'HS256', secret: BOOKING_ENGINE_SECRET, expiresIn: '12h' },
		);
		printWelcome(n8n, peers, imported, token);
	} catch (error) {
		console.error(`npm start failed: ${(error as Error).message}`);
		exitAfterStop(1);
	}
}

/**
 * npm passes Ctrl-C and SIGTERM on, but a launcher whose parent died without doing so (npm killed
 * with SIGKILL, a terminal gone) would keep n8n and the peers running: the parent is watched too.
 */
function watchParent(onGone: () => void) {
	const parent = process.ppid;
	const timer = setInterval(() => {
		if (process.ppid !== parent) {
			clearInterval(timer);
			onGone();
		}
	}, 1_000);
	timer.unref();
}

/** The local partners, with bookings waiting at the OTA. */
async function startPeers(): Promise<Peers> {
	const stripePeer = await startStripePeer({ secretKey: STRIPE_KEY, port: Number(process.env.STRIPE_PEER_PORT ?? 0) });
	// The local OTA checks what it receives against the OpenTravel schemas where it can (they live
	// beside the development clone, and need xmllint); a lone clone runs it without that check.
	const validate = canValidateOta();
	const otaPeer = await startOtaPeer({ profile: 'booking', hotelCode: 'SANDBOX1', username: 'hotel', password: OTA_PASSWORD, port: Number(process.env.OTA_PEER_PORT ?? 0), validate });
	if (!validate) console.log(`(The local OTA does not check messages against the OpenTravel schemas: none at ${OTA_XSD_DIR}, or no xmllint.)`);
	// Bookings waiting at the OTA, as Booking.com sends them (stays dated by nightly rates, no
	// TimeSpan): the pull workflow takes them in when it is activated. The third holds a double and
	// a family room.
	for (const [id, name, arrival] of [['BDC-1001', 'Grace Hopper', 5], ['BDC-1002', 'Alan Turing', 12]] as const) {
		otaPeer.queueReservation({
			channelReservationId: id, action: 'book', roomType: 'BDC-DBL', ratePlan: 'BDC-BAR', arrival: addDays(today(), arrival), departure: addDays(today(), arrival + 2),
			rooms: 1, adults: 2, children: 0, amount: 24000, currency: 'EUR', guest: { name, email: `${id.toLowerCase()}@example.com` },
		});
	}
	const family = { arrival: addDays(today(), 8), departure: addDays(today(), 10), ratePlan: 'BDC-BAR', units: 1, childAges: [], nightly: [], currency: 'EUR', status: 'active' as const };
	otaPeer.queueReservation({
		channelReservationId: 'BDC-1003', action: 'book', arrival: family.arrival, departure: family.departure, amount: 60000, currency: 'EUR',
		roomStays: [
			{ ...family, index: '1', roomType: 'BDC-DBL', adults: 2, children: 0, amount: 24000, guestName: 'Ada Lovelace' },
			{ ...family, index: '2', roomType: 'BDC-FAM', adults: 2, children: 2, childAges: [5, 9], amount: 36000, guestName: 'Charles Babbage' },
		],
		guest: { name: 'Ada Lovelace', email: 'bdc-1003@example.com' }, specialRequests: ['Cot in the family room'],
	});
	// Guest e-mails and alerts land in a local SMTP server (each one is printed here); the hotel's
	// calendar is a local Google-like server.
	const smtpPeer = await startSmtpPeer({ port: Number(process.env.SMTP_PEER_PORT ?? 0) });
	smtpPeer.events.on('message', (m: { to: string[]; subject: string }) => console.log(`  [local SMTP] to ${m.to.join(', ')}: ${m.subject}`));
	const googlePeer = await startGooglePeer();
	return { stripePeer, otaPeer, smtpPeer, googlePeer };
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

/** The credentials our shipped workflows name, each pointing at a local peer. */
interface Peers {
	stripePeer: StripePeer;
	otaPeer: OtaPeer;
	smtpPeer: SmtpPeer;
	googlePeer: GooglePeer;
}

async function createSandboxCredentials(n8n: N8n, { stripePeer, otaPeer, smtpPeer, googlePeer }: Peers): Promise<Record<string, string>> {
	const stripe = await n8n.api.createCredential({
		name: 'Hotel Stripe',
		type: 'hotelStripeApi',
		data: { secretKey: STRIPE_KEY, webhookSecret: STRIPE_WEBHOOK_SECRET, baseUrl: stripePeer.url },
	});
	const bookingEngine = await n8n.api.createCredential({
		name: 'Hotel Booking Engine',
		type: 'hotelBookingEngineApi',
		data: { algorithm: 'HS256', secret: BOOKING_ENGINE_SECRET, publicKeyPem: '', issuer: '', audience: BOOKING_ENGINE_AUDIENCE, requiredScope: 'reservations' },
	});
	// The machine's Redis (cache and broadcast for the booking engine); keys under their own prefix.
	const redis = await n8n.api.createCredential({
		name: 'Hotel Redis',
		type: 'hotelRedisApi',
		data: { host: '127.0.0.1', port: 6379, username: '', password: '', database: 0, tls: false, keyPrefix: `hotel-sandbox:${process.pid}:` },
	});
	const ota = await n8n.api.createCredential({
		name: 'Hotel OTA Channel',
		type: 'hotelOtaChannelApi',
		data: { profile: 'booking', channel: 'booking', baseUrl: otaPeer.url, hotelCode: 'SANDBOX1', username: 'hotel', password: OTA_PASSWORD, webhookSecret: OTA_WEBHOOK_SECRET },
	});
	const smtp = await n8n.api.createCredential({
		name: 'Hotel SMTP',
		type: 'hotelSmtpApi',
		data: { host: smtpPeer.host, port: smtpPeer.port, tls: 'none', user: '', password: '', fromAddress: 'frontdesk@hotel.example', fromName: 'Hotel Example' },
	});
	const calendar = await n8n.api.createCredential({
		name: 'Hotel Google Calendar',
		type: 'hotelGoogleServiceAccountApi',
		data: googlePeer.credential(),
	});
	return {
		'Hotel Stripe': stripe.id,
		'Hotel Booking Engine': bookingEngine.id,
		'Hotel Redis': redis.id,
		'Hotel OTA Channel': ota.id,
		'Hotel SMTP': smtp.id,
		'Hotel Google Calendar': calendar.id,
	};
}

/** Two room types with a year of rooms and rates, so the booking-engine API has something to sell. */
async function seedDemoHotel(store: StoreConfig) {
	const hotel = new HotelService(await getStore(store));
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
	await hotel.catalog.upsertRoomType({ code: 'FAM', name: 'Family room', maxOccupancy: 4 });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	const from = today();
	const to = addDays(from, 365);
	await hotel.setInventory({ roomType: 'DBL', from, to, allotment: 10 });
	await hotel.setInventory({ roomType: 'FAM', from, to, allotment: 4 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from, to, amount: 12000 });
	await hotel.setRates({ roomType: 'FAM', ratePlan: 'BAR', from, to, amount: 18000 });
	// The local OTA calls them by its own codes.
	await new ChannelMappings(await getStore(store), 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'BDC-DBL' },
		{ kind: 'room_type', hotelCode: 'FAM', channelCode: 'BDC-FAM' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'BDC-BAR' },
	]);
	await closeAllStores(); // n8n opens it next; an embedded database has one opener at a time
}

function printWelcome(n8n: N8n | N8nQueue, { stripePeer, otaPeer, smtpPeer, googlePeer }: Peers, workflows: string[], token: string) {
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

  Local Stripe-compatible API: ${stripePeer.url} (secret key ${STRIPE_KEY})
  It sends signed webhooks to ${n8n.webhookUrl(PAYMENT_WEBHOOK_PATH)}

Try a payment for reservation R-1001 (then watch Executions in the editor):
  curl -s ${stripePeer.url}/v1/payment_intents -u ${STRIPE_KEY}: \\
    -d amount=12000 -d currency=eur -d "metadata[reservation_id]=R-1001" \\
    -d payment_method=pm_card_visa -d confirm=true

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
