/**
 * The outbox on the embedded database (PGlite, the nodes' default store): the same SQL — SKIP
 * LOCKED claims, leases, backoff arithmetic, sent-once — works there as on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeEmail } from '../../lib/email/compose';
import { sendNow, workQueue } from '../../lib/email/delivery';
import { EmailOutbox } from '../../lib/email/outbox';
import { SmtpSender } from '../../lib/email/smtpTransport';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';

let dir: string;
let db: Db;
let peer: SmtpPeer;
let sender: SmtpSender;

beforeAll(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'email-pglite-'));
	db = await getStore({ kind: 'embedded', dir });
	peer = await startSmtpPeer();
	sender = new SmtpSender({ host: peer.host, port: peer.port, tls: 'none', fromAddress: 'desk@seeblick.example' }, { resilience: { maxAttempts: 1 } });
	resetPartnerPolicies();
});
afterAll(async () => {
	sender.close();
	await peer.stop();
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

const email = (id: string) =>
	composeEmail({
		template: 'reservationCancellation',
		hotel: { name: 'Hotel Seeblick' },
		source: { id, version: 2, arrival: '2026-05-01', departure: '2026-05-02', guest: { name: 'Zoë' } },
		to: 'zoe@example.com',
	});

it('queues, retries with backoff, leases and sends once on PGlite', async () => {
	const outbox = new EmailOutbox(db, { initialDelayMs: 100, maxDelayMs: 200 });
	expect((await outbox.enqueue(email('R-PG1'))).outcome).toBe('queued');
	expect((await outbox.enqueue(email('R-PG1'))).outcome).toBe('duplicate');
	peer.fail(1, 451);
	expect((await workQueue({ outbox, sender, concurrency: 2, leaseMs: 5_000, batch: 10 })).deliveries.map((d) => d.status)).toEqual(['retrying']);
	await new Promise((resolve) => setTimeout(resolve, 150));
	expect((await workQueue({ outbox, sender, concurrency: 2, leaseMs: 5_000, batch: 10 })).deliveries.map((d) => [d.status, d.attempts])).toEqual([['sent', 2]]);

	expect((await sendNow(outbox, sender, email('R-PG2'))).status).toBe('sent');
	expect((await sendNow(outbox, sender, email('R-PG2'))).status).toBe('already sent');

	await outbox.enqueue(email('R-PG3'));
	const [held] = await outbox.claimDue(5, 100);
	await new Promise((resolve) => setTimeout(resolve, 150));
	const [taken] = await outbox.claimDue(5, 5_000);
	expect(taken.id).toBe(held.id);
	expect(await outbox.markSent(held.id, held.leaseToken, '250 late')).toBe(false);
	expect(await outbox.markSent(taken.id, taken.leaseToken, '250 ok')).toBe(true);

	expect(await outbox.counts()).toEqual({ queued: 0, sending: 0, sent: 3, failed: 0 });
	expect(peer.messages).toHaveLength(2); // R-PG3 was "sent" by hand above, not through SMTP
});
