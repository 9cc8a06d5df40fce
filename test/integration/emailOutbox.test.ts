/**
 * The outbox on the real PostgreSQL with the real SMTP peer: an e-mail is queued once and sent
 * once however often it is enqueued or sent now; 4xx answers are retried later with backoff, 5xx
 * answers fail at once without a retry storm; two workers never send the same message; a lease
 * that runs out hands the message to the next worker, and the one window SMTP leaves open (a crash
 * between the server's 250 and markSent) resends with the same Message-ID.
 */
import { composeEmail } from '../../lib/email/compose';
import { sendNow, workQueue } from '../../lib/email/delivery';
import { EmailOutbox, type NewEmail } from '../../lib/email/outbox';
import { SmtpSender, type SmtpConfig } from '../../lib/email/smtpTransport';
import { PartnerError } from '../../lib/resilience/policy';
import type { Db } from '../../lib/store/db';
import type { SmtpPeer } from '../peers/smtpPeer';
import { resetOutboxTestState, startStoreAndSmtpPeer } from '../support/smtpStore';

let db: Db;
let peer: SmtpPeer;
let close: () => Promise<void>;
let smtp: SmtpConfig;
const senders: SmtpSender[] = [];

beforeAll(async () => {
	({ db, peer, close } = await startStoreAndSmtpPeer('email'));
	smtp = { host: peer.host, port: peer.port, tls: 'none', fromAddress: 'desk@seeblick.example', fromName: 'Hotel Seeblick' };
});
afterAll(() => close());
beforeEach(() => resetOutboxTestState(db, peer));
afterEach(() => senders.splice(0).forEach((s) => s.close()));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** One send attempt per claim: retries are the outbox's. */
const sender = (pool?: number) => {
	const s = new SmtpSender(smtp, { pool, resilience: { maxAttempts: 1 } });
	senders.push(s);
	return s;
};
// Delays long enough that "not due yet" holds on a slow machine, short enough for a test.
const fastRetry = { initialDelayMs: 1_000, maxDelayMs: 4_000 };

function confirmation(id: string, version = 1, to = 'zoe@example.com'): NewEmail {
	return composeEmail({
		template: 'reservationConfirmation',
		hotel: { name: 'Hotel Seeblick', email: 'desk@seeblick.example' },
		source: { id, version, arrival: '2026-05-01', departure: '2026-05-03', roomType: 'DBL', adults: 2, guest: { name: 'Zoë', email: to } },
		to,
	});
}

const row = async (id: number) => (await new EmailOutbox(db).get(id))!;

it('enqueues the same e-mail once, however often; a new reservation version is a new e-mail', async () => {
	const outbox = new EmailOutbox(db);
	const first = await outbox.enqueue(confirmation('R-1'));
	const second = await outbox.enqueue(confirmation('R-1'));
	expect(first.outcome).toBe('queued');
	expect(second).toMatchObject({ outcome: 'duplicate', message: { id: first.message.id, status: 'queued' } });
	expect((await outbox.enqueue(confirmation('R-1', 2))).outcome).toBe('queued');
	const concurrent = await Promise.all(Array.from({ length: 10 }, () => outbox.enqueue(confirmation('R-2'))));
	expect(concurrent.filter((r) => r.outcome === 'queued')).toHaveLength(1);
	expect(new Set(concurrent.map((r) => r.message.id)).size).toBe(1);
	expect(await outbox.counts()).toEqual({ queued: 3, sending: 0, sent: 0, failed: 0 });
});

it('enqueues a batch in one statement: answers in input order, a key twice in the batch is queued once, a failed one is queued again', async () => {
	const outbox = new EmailOutbox(db);
	const sent = (await outbox.enqueue(confirmation('R-40'))).message;
	await db.query("UPDATE email_outbox SET status = 'failed', attempts = 8 WHERE id = $1", [sent.id]);
	const already = (await outbox.enqueue(confirmation('R-41'))).message;

	const batch = [confirmation('R-42'), confirmation('R-41'), confirmation('R-40'), confirmation("R-43 O'Brien; DROP TABLE email_outbox --", 1, 'zoë@example.com'), confirmation('R-42')];
	const answers = await outbox.enqueueMany(batch);
	expect(answers.map((a) => a.outcome)).toEqual(['queued', 'duplicate', 'queued', 'queued', 'duplicate']);
	expect(answers.map((a) => a.message.dedupeKey)).toEqual(batch.map((e) => e.dedupeKey));
	expect(answers[1].message.id).toBe(already.id);
	expect(answers[2].message).toMatchObject({ id: sent.id, status: 'queued', attempts: 0 });
	expect(answers[4].message.id).toBe(answers[0].message.id);
	expect(answers[3].message).toMatchObject({ reservationId: "R-43 O'Brien; DROP TABLE email_outbox --", to: 'zoë@example.com' });
	// New rows take ids in the batch's order, so the queue sends them in that order.
	expect(answers[0].message.id).toBeLessThan(answers[3].message.id);
	expect(await outbox.counts()).toEqual({ queued: 4, sending: 0, sent: 0, failed: 0 });
	expect(await outbox.enqueueMany([])).toEqual([]);
});

it('sends now once: a second Send Now reports "already sent" and sends nothing; a queued e-mail sent now leaves the queue', async () => {
	const outbox = new EmailOutbox(db);
	const first = await sendNow(outbox, sender(), confirmation('R-3'));
	expect(first.status).toBe('sent');
	const again = await sendNow(outbox, sender(), confirmation('R-3'));
	expect(again.status).toBe('already sent');
	expect(peer.messages).toHaveLength(1);
	expect(peer.messages[0].messageId).toBe(confirmation('R-3').messageId);
	expect(await row(first.message.id)).toMatchObject({ status: 'sent', attempts: 1, smtpResponse: expect.stringMatching(/^250/) });

	const queued = await outbox.enqueue(confirmation('R-4'));
	expect((await sendNow(outbox, sender(), confirmation('R-4'))).status).toBe('sent');
	expect((await workQueue({ outbox, sender: sender(), concurrency: 2, leaseMs: 5_000, batch: 10 })).deliveries).toHaveLength(0);
	expect(peer.messages.map((m) => m.messageId)).toEqual([confirmation('R-3').messageId, queued.message.messageId]);
});

it('retries a 4xx later, with backoff, and then sends it once', async () => {
	const outbox = new EmailOutbox(db, fastRetry);
	const { message } = await outbox.enqueue(confirmation('R-5'));
	peer.fail(2, 451);
	const work = () => workQueue({ outbox, sender: sender(), concurrency: 1, leaseMs: 5_000, batch: 10 });

	expect((await work()).deliveries.map((d) => d.status)).toEqual(['retrying']);
	const afterFirst = await row(message.id);
	expect(afterFirst).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringMatching(/451/) });
	// Backed off: not due at once (500–1,000 ms for the first retry).
	expect((await work()).deliveries).toHaveLength(0);
	await sleep(1_020);
	expect((await work()).deliveries.map((d) => d.status)).toEqual(['retrying']);
	await sleep(2_020); // second retry: 1,000–2,000 ms
	expect((await work()).deliveries.map((d) => d.status)).toEqual(['sent']);
	expect(await row(message.id)).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
	expect(peer.rejections.map((r) => r.code)).toEqual([451, 451]);
	expect(peer.messages).toHaveLength(1);
});

it('fails a 5xx at once, without retrying it, and keeps the reason', async () => {
	const outbox = new EmailOutbox(db, fastRetry);
	const { message } = await outbox.enqueue(confirmation('R-6'));
	peer.fail(1, 550, 'rcpt');
	const work = () => workQueue({ outbox, sender: sender(), concurrency: 2, leaseMs: 5_000, batch: 10 });
	const { deliveries } = await work();
	expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([['failed', 1]]);
	expect(deliveries[0].error?.details.code).toBe('smtp_rejected');
	for (let n = 0; n < 2; n++) {
		await sleep(1_020); // past when a retry would have been due
		expect((await work()).deliveries).toHaveLength(0);
	}
	expect(await row(message.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/550/) });
	expect(peer.rejections).toHaveLength(1);
	expect(peer.messages).toHaveLength(0);
	// Running the workflow again is how a hotel retries a failed e-mail.
	expect((await outbox.enqueue(confirmation('R-6'))).message).toMatchObject({ status: 'queued', attempts: 0 });
});

it('gives up after the last allowed attempt', async () => {
	const outbox = new EmailOutbox(db, { ...fastRetry, initialDelayMs: 50, maxAttempts: 2 });
	const { message } = await outbox.enqueue(confirmation('R-7'));
	peer.fail(5, 421);
	const work = () => workQueue({ outbox, sender: sender(), concurrency: 1, leaseMs: 5_000, batch: 10 });
	expect((await work()).deliveries.map((d) => d.status)).toEqual(['retrying']);
	await sleep(80);
	expect((await work()).deliveries.map((d) => d.status)).toEqual(['failed']);
	await sleep(200);
	expect((await work()).deliveries).toHaveLength(0);
	expect(await row(message.id)).toMatchObject({ status: 'failed', attempts: 2 });
	expect(peer.rejections).toHaveLength(2);
});

it('Send Now reports a refusal, marks a 5xx failed and leaves a 4xx queued for the trigger', async () => {
	const outbox = new EmailOutbox(db);
	peer.fail(1, 554);
	const permanent = await sendNow(outbox, sender(), confirmation('R-8')).catch((e) => e);
	expect(permanent).toBeInstanceOf(PartnerError);
	expect(permanent.message).toMatch(/refused the message \(554.*marked failed in the outbox/);
	expect((await outbox.byKey(confirmation('R-8').dedupeKey))?.status).toBe('failed');

	peer.fail(1, 451);
	const transient = await sendNow(outbox, sender(), confirmation('R-9')).catch((e) => e);
	expect(transient.message).toMatch(/451.*stays in the outbox/);
	expect((await outbox.byKey(confirmation('R-9').dedupeKey))?.status).toBe('queued');
	expect(peer.messages).toHaveLength(0);
});

it('delivers 20 messages exactly once with two workers working the queue at the same time', async () => {
	const outbox = new EmailOutbox(db);
	for (let n = 0; n < 20; n++) await outbox.enqueue(confirmation(`R-20-${n}`, 1, `guest${n}@example.com`));
	peer.delayData(30, 20); // each send takes a moment, so both workers are busy at once
	const worker = () => workQueue({ outbox: new EmailOutbox(db), sender: sender(3), concurrency: 3, leaseMs: 10_000, batch: 100 });
	const [a, b] = await Promise.all([worker(), worker()]);
	expect(a.deliveries.length + b.deliveries.length).toBe(20);
	expect(a.deliveries.length).toBeGreaterThan(0);
	expect(b.deliveries.length).toBeGreaterThan(0);
	const ids = peer.messages.map((m) => m.messageId);
	expect(ids).toHaveLength(20);
	expect(new Set(ids).size).toBe(20);
	expect(await outbox.counts()).toEqual({ queued: 0, sending: 0, sent: 20, failed: 0 });
	const attempts = await db.query<{ attempts: number }>('SELECT DISTINCT attempts FROM email_outbox');
	expect(attempts.rows).toEqual([{ attempts: 1 }]);
});

it('a lease that runs out hands the message over; the old holder can no longer record anything', async () => {
	const outbox = new EmailOutbox(db);
	const { message } = await outbox.enqueue(confirmation('R-10'));
	const [held] = await outbox.claimDue(5, 2_000);
	expect(held).toMatchObject({ id: message.id, status: 'sending', attempts: 1 });
	expect(await outbox.claimDue(5, 2_000)).toEqual([]); // held: nobody else takes it
	await sleep(2_050);
	const [taken] = await outbox.claimDue(5, 5_000);
	expect(taken).toMatchObject({ id: message.id, attempts: 2 });
	expect(taken.leaseToken).not.toBe(held.leaseToken);
	expect(await outbox.markSent(held.id, held.leaseToken, '250 late')).toBe(false);
	expect(await outbox.markFailed(held.id, held.leaseToken, 'late')).toBeNull();
	expect(await outbox.markSent(taken.id, taken.leaseToken, '250 ok')).toBe(true);
	expect(await row(message.id)).toMatchObject({ status: 'sent', smtpResponse: '250 ok' });
});

it('records a message sent and claims the next in one statement, never the same row, and only with its own lease', async () => {
	const outbox = new EmailOutbox(db);
	const first = (await outbox.enqueue(confirmation('R-30'))).message;
	const second = (await outbox.enqueue(confirmation('R-31'))).message;
	const [held] = await outbox.claimDue(1, 10_000);
	expect(held.id).toBe(first.id);
	// A stale token records nothing, and the claim still happens: the next row is due.
	const stale = await outbox.markSentAndClaimNext(held.id, 'not-the-token', '250 stale', 10_000);
	expect(stale.marked).toBe(false);
	expect(stale.next).toMatchObject({ id: second.id, status: 'sending', attempts: 1 });
	expect(await row(first.id)).toMatchObject({ status: 'sending' });
	const done = await outbox.markSentAndClaimNext(held.id, held.leaseToken, '250 ok', 10_000);
	expect(done).toEqual({ marked: true, next: undefined }); // the other row is held; this one is sent, not reclaimed
	expect(await row(first.id)).toMatchObject({ status: 'sent', smtpResponse: '250 ok' });
	expect((await outbox.markSentAndClaimNext(second.id, stale.next!.leaseToken, '250 ok', 10_000)).marked).toBe(true);
	expect(await outbox.counts()).toEqual({ queued: 0, sending: 0, sent: 2, failed: 0 });
});

it('a worker that dies on the last allowed attempt leaves the message failed, reported once', async () => {
	const outbox = new EmailOutbox(db, { maxAttempts: 1 });
	const { message } = await outbox.enqueue(confirmation('R-11'));
	await outbox.claimDue(1, 100); // and never heard of again
	await sleep(150);
	const { deliveries, abandoned } = await workQueue({ outbox, sender: sender(), concurrency: 1, leaseMs: 5_000, batch: 10 });
	expect(deliveries).toHaveLength(0);
	expect(abandoned.map((m) => [m.id, m.status])).toEqual([[message.id, 'failed']]);
	expect((await workQueue({ outbox, sender: sender(), concurrency: 1, leaseMs: 5_000, batch: 10 })).abandoned).toHaveLength(0);
	expect(peer.messages).toHaveLength(0);
});

it('documents the window SMTP leaves: accepted but not recorded → sent again, with the same Message-ID', async () => {
	const outbox = new EmailOutbox(db);
	const { message } = await outbox.enqueue(confirmation('R-12'));
	const [claimed] = await outbox.claimDue(1, 300);
	await sender().send(claimed); // the server said 250 ... and the worker died before markSent
	await sleep(350);
	expect((await workQueue({ outbox, sender: sender(), concurrency: 1, leaseMs: 5_000, batch: 10 })).deliveries.map((d) => d.status)).toEqual(['sent']);
	expect(peer.messages).toHaveLength(2);
	expect(peer.messages[0].messageId).toBe(message.messageId);
	expect(peer.messages[1].messageId).toBe(message.messageId);
	expect(await row(message.id)).toMatchObject({ status: 'sent', attempts: 2 });
});

it('stops taking messages when told to, and finishes the ones it holds', async () => {
	const outbox = new EmailOutbox(db);
	for (let n = 0; n < 6; n++) await outbox.enqueue(confirmation(`R-13-${n}`));
	peer.delayData(300, 6);
	const stop = new AbortController();
	const working = workQueue({ outbox, sender: sender(2), concurrency: 2, leaseMs: 10_000, batch: 100, signal: stop.signal });
	await new Promise((resolve) => peer.events.once('data', resolve));
	stop.abort();
	const { deliveries } = await working;
	expect(deliveries.length).toBeGreaterThanOrEqual(1);
	expect(deliveries.length).toBeLessThanOrEqual(2);
	expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
	expect(await outbox.counts()).toEqual({ queued: 6 - deliveries.length, sending: 0, sent: deliveries.length, failed: 0 });
});
