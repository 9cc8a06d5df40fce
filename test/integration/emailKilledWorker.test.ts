/**
 * The queue survives a killed worker: a worker in a child process claims a message and is killed
 * (SIGKILL, no chance to clean up) while the SMTP server holds its DATA. The message is neither
 * lost nor sent twice: nobody else takes it while the dead worker's lease runs, the server drops
 * the half-finished transaction, and after the lease a second worker sends it — the server accepts
 * it exactly once and nothing is left in the queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { composeEmail } from '../../lib/email/compose';
import { workQueue } from '../../lib/email/delivery';
import { EmailOutbox } from '../../lib/email/outbox';
import { SmtpSender, type SmtpConfig } from '../../lib/email/smtpTransport';
import type { Db } from '../../lib/store/db';
import type { SmtpPeer } from '../peers/smtpPeer';
import type { TestDatabase } from '../support/services';
import { startStoreAndSmtpPeer } from '../support/smtpStore';

const ROOT = path.resolve(__dirname, '../..');
const LEASE_MS = 8_000; // must outlast claim → SMTP handshake → DATA → kill → claimDue, on a slow machine too

let database: TestDatabase;
let db: Db;
let peer: SmtpPeer;
let close: () => Promise<void>;
let smtp: SmtpConfig;
let scratch: string;

beforeAll(async () => {
	({ database, db, peer, close } = await startStoreAndSmtpPeer('emailkill'));
	smtp = { host: peer.host, port: peer.port, tls: 'none', fromAddress: 'desk@seeblick.example' };
	scratch = mkdtempSync(path.join(tmpdir(), 'email-worker-'));
});
afterAll(async () => {
	await close();
	rmSync(scratch, { recursive: true, force: true });
});

/** A worker process: works the queue once, the way the Email Queue Trigger does, and exits. */
function spawnWorker(): ChildProcess {
	const script = path.join(scratch, 'worker.ts');
	const lib = (p: string) => JSON.stringify(path.join(ROOT, 'lib', p));
	writeFileSync(
		script,
		`import { getStore, closeAllStores } from ${lib('store/db')};
import { EmailOutbox } from ${lib('email/outbox')};
import { workQueue } from ${lib('email/delivery')};
import { SmtpSender } from ${lib('email/smtpTransport')};
const { store, smtp, leaseMs } = JSON.parse(process.env.EMAIL_WORKER as string);
(async () => {
	const outbox = new EmailOutbox(await getStore(store));
	const sender = new SmtpSender(smtp, { resilience: { maxAttempts: 1 } });
	const { deliveries } = await workQueue({ outbox, sender, concurrency: 1, leaseMs, batch: 1 });
	process.stdout.write(JSON.stringify(deliveries.map((d) => d.status)));
	sender.close();
	await closeAllStores();
})();
`,
	);
	// One process (tsx as a loader, not its CLI, which would run the script in a grandchild): the
	// SIGKILL below must hit the process that holds the SMTP connection.
	const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
	return spawn(process.execPath, ['--import', loader, script], {
		cwd: ROOT,
		env: { ...process.env, EMAIL_WORKER: JSON.stringify({ store: database.config, smtp, leaseMs: LEASE_MS }) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

const waitFor = <T>(what: string, ms: number, run: (done: (value: T) => void) => void) =>
	new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
		run((value) => {
			clearTimeout(timer);
			resolve(value);
		});
	});

it('a worker killed mid-send loses nothing and sends nothing twice', async () => {
	const outbox = new EmailOutbox(db);
	const email = composeEmail({
		template: 'reservationConfirmation',
		hotel: { name: 'Hotel Seeblick' },
		source: { id: 'R-KILL', version: 1, arrival: '2026-05-01', departure: '2026-05-02', guest: { name: 'Zoë' } },
		to: 'zoe@example.com',
	});
	const { message } = await outbox.enqueue(email);
	peer.delayData(6_000, 1); // the server holds its answer to the first DATA past the kill

	const child = spawnWorker();
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
	try {
		await waitFor('the worker to start sending', 30_000, (done) => peer.events.once('data', done));
	} catch (error) {
		child.kill('SIGKILL');
		throw new Error(`${(error as Error).message}; worker output: ${output}`);
	}
	expect(await outbox.get(message.id)).toMatchObject({ status: 'sending', attempts: 1 });
	child.kill('SIGKILL');
	expect(await exited).toBe('SIGKILL');
	expect(output).toBe(''); // it never got to report anything

	// While the dead worker's lease runs, nobody else takes the message.
	expect(await outbox.claimDue(10, LEASE_MS)).toEqual([]);
	// The server sees the client gone and drops the transaction: not delivered.
	await waitFor('the server to drop the transaction', 20_000, (done) => (peer.abandoned > 0 ? done(undefined) : peer.events.once('abandoned', done)));
	expect(peer.messages).toHaveLength(0);

	// After the lease, a second worker sends it.
	const waitMs = Date.parse((await outbox.get(message.id))!.nextAttemptAt) - Date.now();
	await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs) + 100));
	const sender = new SmtpSender(smtp, { resilience: { maxAttempts: 1 } });
	try {
		const { deliveries } = await workQueue({ outbox, sender, concurrency: 2, leaseMs: 10_000, batch: 10 });
		expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([['sent', 2]]);
	} finally {
		sender.close();
	}

	expect(peer.messages).toHaveLength(1);
	expect(peer.messages[0]).toMatchObject({ messageId: email.messageId, to: ['zoe@example.com'] });
	expect(await outbox.counts()).toEqual({ queued: 0, sending: 0, sent: 1, failed: 0 });
	expect(peer.abandoned).toBe(1);
});
