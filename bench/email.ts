/**
 * The e-mail part of `npm run bench`, run without n8n: e-mails per second through the outbox queue
 * (enqueue into PostgreSQL, then `workQueue` — what the Email Queue Trigger runs — claiming each
 * message with SKIP LOCKED and a lease, sending it, marking it sent) into the local SMTP server
 * (smtp-server + mailparser), against the same sender writing the same messages straight to that
 * server with no queue. Same SMTP server, same pooled transport, same concurrency, same process.
 *
 * The queue runs twice: enqueued one statement per message (one e-mail per execution, as the
 * guest notifications workflow does), and as a Hotel Email node enqueues an execution's items —
 * BATCH e-mails per statement.
 *
 * Checked as well: every message arrived exactly once and nothing is left queued.
 * Left out with BENCH_EMAIL=0.
 */
import { EmailOutbox, type NewEmail } from '../lib/email/outbox';
import { workQueue } from '../lib/email/delivery';
import { SmtpSender } from '../lib/email/smtpTransport';
import { closeAllStores, getStore } from '../lib/store/db';
import { startSmtpPeer } from '../test/peers/smtpPeer';
import { createTestDatabase } from '../test/support/services';
import { ratio, round } from './stats';

const MESSAGES = 1_000;
const CONCURRENCY = 4;
/** Items of one Hotel Email execution (enqueue): one INSERT for all of them. */
const BATCH = 100;

export interface EmailReport {
	messages: number;
	concurrency: number;
	/** Enqueue (one statement per message) and drain, end to end. */
	queued: { emailsPerSecond: number; seconds: number; enqueueSeconds: number };
	/** The same with `batch` messages per enqueue statement. */
	batched: { batch: number; emailsPerSecond: number; seconds: number; enqueueSeconds: number };
	/** The same sender, no queue. */
	direct: { emailsPerSecond: number; seconds: number };
	/** queued / direct e-mails per second. */
	ratio: number;
	/** batched / direct e-mails per second. */
	batchedRatio: number;
	/** Each message accepted by the SMTP server exactly once, nothing left in the outbox. */
	passed: boolean;
	notes: string[];
}

export async function runEmail(progress: (m: string) => void): Promise<EmailReport> {
	const database = await createTestDatabase('bench_email');
	const smtp = await startSmtpPeer();
	const config = { host: smtp.host, port: smtp.port, tls: 'none' as const, fromAddress: 'bench@hotel.example' };
	const sender = new SmtpSender(config, { pool: CONCURRENCY });
	try {
		const db = await getStore(database.config);
		const outbox = new EmailOutbox(db);
		const emails = (prefix: string): NewEmail[] =>
			Array.from({ length: MESSAGES }, (_, i) => ({
				dedupeKey: `${prefix}:${i}`,
				template: 'reservationConfirmation',
				reservationId: `R-${i}`,
				to: `guest${i}@guest.example`,
				subject: `Your reservation R-${i} is confirmed`,
				html: `<p>Dear guest ${i}, your room is waiting.</p>`.repeat(20),
				text: `Dear guest ${i}, your room is waiting.\n`.repeat(20),
				messageId: `<${prefix}.${i}@hotel.example>`,
			}));

		progress(`e-mail: ${MESSAGES} messages straight to the SMTP server (no queue), ${CONCURRENCY} at a time`);
		const direct = emails('direct');
		const directStarted = performance.now();
		let next = 0;
		await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
			while (next < direct.length) await sender.send(direct[next++]);
		}));
		const directSeconds = (performance.now() - directStarted) / 1000;

		// Enqueue all (in statements of `perStatement` messages), then drain as the Email Queue Trigger does.
		const throughQueue = async (prefix: string, perStatement: number) => {
			const started = performance.now();
			const all = emails(prefix);
			for (let at = 0; at < all.length; at += perStatement) {
				const part = all.slice(at, at + perStatement);
				if (part.length === 1) await outbox.enqueue(part[0]);
				else await outbox.enqueueMany(part);
			}
			const enqueueSeconds = (performance.now() - started) / 1000;
			let sent = 0;
			while (sent < MESSAGES) {
				const { deliveries } = await workQueue({ outbox, sender, concurrency: CONCURRENCY, leaseMs: 60_000, batch: 500 });
				if (deliveries.length === 0) break;
				sent += deliveries.length;
			}
			return { sent, seconds: (performance.now() - started) / 1000, enqueueSeconds };
		};
		progress(`e-mail: ${MESSAGES} messages through the outbox queue (PostgreSQL), ${CONCURRENCY} lanes, one enqueue statement per message`);
		const queued = await throughQueue('queued', 1);
		progress(`e-mail: the same, ${BATCH} messages per enqueue statement (one Hotel Email execution's items)`);
		const batched = await throughQueue('batched', BATCH);

		const ids = smtp.messages.map((m) => m.messageId);
		const once = new Set(ids).size === ids.length && ids.length === 3 * MESSAGES;
		const left = (await db.query<{ n: string }>("SELECT count(*)::text AS n FROM email_outbox WHERE status <> 'sent'")).rows[0].n;
		const queuedRate = MESSAGES / queued.seconds;
		const batchedRate = MESSAGES / batched.seconds;
		const directRate = MESSAGES / directSeconds;
		return {
			messages: MESSAGES,
			concurrency: CONCURRENCY,
			queued: { emailsPerSecond: round(queuedRate, 1), seconds: round(queued.seconds, 2), enqueueSeconds: round(queued.enqueueSeconds, 2) },
			batched: { batch: BATCH, emailsPerSecond: round(batchedRate, 1), seconds: round(batched.seconds, 2), enqueueSeconds: round(batched.enqueueSeconds, 2) },
			direct: { emailsPerSecond: round(directRate, 1), seconds: round(directSeconds, 2) },
			ratio: ratio(queuedRate, directRate),
			batchedRatio: ratio(batchedRate, directRate),
			passed: once && left === '0' && queued.sent === MESSAGES && batched.sent === MESSAGES,
			notes: [
				`accepted by the SMTP server: ${ids.length} (${once ? 'each once' : 'NOT each once'}); left in the outbox: ${left}`,
				'the queue pays per message: an INSERT (or its share of a batched one), and one statement that records it sent and claims (FOR UPDATE SKIP LOCKED + lease) the next',
			],
		};
	} finally {
		sender.close();
		await smtp.stop();
		await closeAllStores();
		await database.drop();
	}
}

export function formatEmail(r: EmailReport): string[] {
	return [
		`E-mail (no n8n): ${r.messages} messages into a local SMTP server, concurrency ${r.concurrency}`,
		`  through the outbox queue: ${r.queued.emailsPerSecond} e-mails/s (${r.queued.seconds} s, of which enqueueing ${r.queued.enqueueSeconds} s)`,
		`  the same, ${r.batched.batch} per enqueue statement: ${r.batched.emailsPerSecond} e-mails/s (${r.batched.seconds} s, of which enqueueing ${r.batched.enqueueSeconds} s)`,
		`  straight to SMTP:         ${r.direct.emailsPerSecond} e-mails/s (${r.direct.seconds} s)`,
		`  queue / direct: ${r.ratio}× (one per statement), ${r.batchedRatio}× (${r.batched.batch} per statement)   ${r.passed ? 'ok' : 'FAILED'}`,
		...r.notes.map((n) => `  ${n}`),
	];
}
