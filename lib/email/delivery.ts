/**
 * Moving e-mails from the outbox to the SMTP server: one claimed message (deliver), "send now"
 * (sent-once like the queue: the same row, the same lease), and the queue worker (workQueue).
 */
import { PartnerError } from '../resilience/policy';
import { EmailOutbox, type ClaimedMessage, type NewEmail, type OutboxMessage } from './outbox';
import { isPermanentRejection, type SmtpSender } from './smtpTransport';

export interface Delivery {
	/** sent: accepted by the server. retrying: queued again after a backoff. failed: given up. */
	status: 'sent' | 'retrying' | 'failed';
	message: OutboxMessage;
	attempts: number;
	response?: string;
	error?: PartnerError;
	/** The row was taken over by another worker while this one was sending (lease too short). */
	leaseLost?: boolean;
}

/** Sends one claimed message and records the outcome under its lease. */
export async function deliver(outbox: EmailOutbox, sender: SmtpSender, message: ClaimedMessage): Promise<Delivery> {
	return (await deliverAndTakeNext(outbox, sender, message)).delivery;
}

/**
 * deliver(), and when `takeNext` still wants one once the send is over, the next due message
 * claimed for the caller — in the same round trip as the "sent" record after a success, so a queue
 * worker pays one statement per message besides the send. The sent record is still written the
 * moment the server accepts.
 */
async function deliverAndTakeNext(
	outbox: EmailOutbox,
	sender: SmtpSender,
	message: ClaimedMessage,
	takeNext?: { leaseMs: number; wanted: () => boolean },
): Promise<{ delivery: Delivery; next?: ClaimedMessage }> {
	let accepted;
	try {
		accepted = await sender.send(message);
	} catch (caught) {
		if (!(caught instanceof PartnerError)) throw caught; // a database error: the lease will run out
		const outcome = await outbox.markFailed(message.id, message.leaseToken, caught.message, isPermanentRejection(caught) ? 'permanent' : 'retry');
		const delivery: Delivery = { status: outcome === 'queued' ? 'retrying' : 'failed', message, attempts: message.attempts, error: caught, leaseLost: outcome === null };
		return { delivery, next: takeNext?.wanted() ? (await outbox.claimDue(1, takeNext.leaseMs))[0] : undefined };
	}
	const { marked, next } = takeNext?.wanted()
		? await outbox.markSentAndClaimNext(message.id, message.leaseToken, accepted.response, takeNext.leaseMs)
		: { marked: await outbox.markSent(message.id, message.leaseToken, accepted.response), next: undefined };
	return { delivery: { status: 'sent', message, attempts: message.attempts, response: accepted.response, leaseLost: !marked }, next };
}

export type SendNowResult =
	| { status: 'sent'; message: OutboxMessage; response: string }
	| { status: 'already sent'; message: OutboxMessage }
	/** Another worker holds this message right now and is sending it. */
	| { status: 'sending'; message: OutboxMessage };

// Send Now retries quickly inside one lease (callPartner: up to 4 attempts of at most ~45 s):
// the lease must outlast them, or the Email Queue Trigger could take the message meanwhile.
const SEND_NOW_LEASE_MS = 300_000;

/**
 * Sends an e-mail at once, through the outbox: the row is created (or found by its dedupe key),
 * leased and sent. An e-mail already sent is not sent again. A failure throws; a transient one
 * leaves the message queued, so the Email Queue Trigger (or the next run) retries it.
 */
export async function sendNow(outbox: EmailOutbox, sender: SmtpSender, email: NewEmail, leaseMs = SEND_NOW_LEASE_MS): Promise<SendNowResult> {
	const { message } = await outbox.enqueue(email);
	if (message.status === 'sent') return { status: 'already sent', message };
	const claimed = await outbox.claim(message.id, leaseMs);
	if (!claimed) {
		const now = (await outbox.get(message.id)) ?? message;
		return now.status === 'sent' ? { status: 'already sent', message: now } : { status: 'sending', message: now };
	}
	const result = await deliver(outbox, sender, claimed);
	if (result.status === 'sent') return { status: 'sent', message: claimed, response: result.response ?? '' };
	const error = result.error as PartnerError;
	const fate =
		result.status === 'retrying'
			? `The message stays in the outbox (id ${claimed.id}) and is retried by the Email Queue Trigger or the next run.`
			: `The message is marked failed in the outbox (id ${claimed.id}).`;
	throw new PartnerError(`${error.message} ${fate}`, { ...error.details, cause: error });
}

export interface WorkOptions {
	outbox: EmailOutbox;
	sender: SmtpSender;
	/** Messages sent at the same time. */
	concurrency: number;
	/** How long a claimed message is held; must exceed the longest send (a minute or two). */
	leaseMs: number;
	/** At most this many messages per call (the trigger emits after each call). */
	batch: number;
	/** Stops taking new messages; messages already being sent are finished and recorded. */
	signal?: AbortSignal;
}

export interface WorkResult {
	deliveries: Delivery[];
	/** Messages whose worker died on their last attempt: failed without a further try. */
	abandoned: OutboxMessage[];
}

/**
 * Works the queue once: `concurrency` lanes each claim one due message at a time (so a lease only
 * runs while its message is really being sent), until nothing is due, `batch` messages were taken
 * or `signal` aborts. Each "sent" record claims the lane's next message in the same statement.
 */
export async function workQueue(options: WorkOptions): Promise<WorkResult> {
	const { outbox, sender, signal } = options;
	const abandoned = await outbox.expireAbandoned();
	const deliveries: Delivery[] = [];
	let budget = Math.max(1, options.batch);
	const more = () => budget > 0 && !signal?.aborted && budget-- > 0;
	const lane = async () => {
		let message = more() ? (await outbox.claimDue(1, options.leaseMs))[0] : undefined;
		while (message) {
			const { delivery, next } = await deliverAndTakeNext(outbox, sender, message, { leaseMs: options.leaseMs, wanted: more });
			deliveries.push(delivery);
			message = next;
		}
	};
	// Every lane finishes what it holds before an error (a database outage) is reported.
	const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, options.concurrency) }, lane));
	const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
	if (failed) throw failed.reason;
	return { deliveries, abandoned };
}
