/**
 * workflows/guest-notifications.json in a real n8n against a real SMTP server (smtp-server, read
 * back with mailparser) and the local Google-like server: reservation and payment changes made in
 * the store, by any means, become one e-mail each and one calendar event per reservation; running
 * the whole feed through the workflow again sends nothing new and duplicates no event.
 */
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput, runManually, type WorkflowJson } from '../../scripts/n8nApi';
import { HotelService } from '../../lib/booking/hotelService';
import { eventIdFor } from '../../lib/calendar/events';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startGooglePeer, type GooglePeer } from '../peers/googlePeer';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { createPostgresCredential, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { sleep, waitFor } from '../support/waitFor';
import { day } from '../support/days';
import { createHotelDetailsCredential, createSmtpCredential, seedGuestHotel } from '../support/guestHotel';

let n8n: N8n;
let smtp: SmtpPeer;
let google: GooglePeer;
let database: TestDatabase;
let db: Db;
let workflowId: string;

jest.setTimeout(300_000);

/**
 * The shipped workflow with the queue worked every second. The event trigger keeps its one-minute
 * poll: n8n refuses polls more often than once a minute, so each step below waits up to a minute.
 */
function fastQueue(workflow: WorkflowJson): WorkflowJson {
	for (const node of workflow.nodes) {
		if (node.type.endsWith('.emailQueueTrigger')) node.parameters = { ...node.parameters, intervalSeconds: 1 };
	}
	return workflow;
}

beforeAll(async () => {
	database = await createTestDatabase('e2e_notify');
	db = await getStore(database.config);
	await seedGuestHotel(db);
	smtp = await startSmtpPeer();
	google = await startGooglePeer();
	n8n = await startN8n({ env: { N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info' } });
	const ids: Record<string, string> = {};
	ids[POSTGRES_CREDENTIAL_NAME] = await createPostgresCredential(n8n, database);
	ids['Hotel SMTP'] = await createSmtpCredential(n8n, smtp);
	ids['Hotel Details'] = await createHotelDetailsCredential(n8n);
	ids['Hotel Google Calendar'] = (await n8n.api.createCredential({
		name: 'Hotel Google Calendar',
		type: 'hotelGoogleServiceAccountApi',
		data: google.credential(),
	})).id;
	workflowId = (await n8n.api.importWorkflowFile(writeTempWorkflow(fastQueue(usePostgres(shippedWorkflow('guest-notifications.json')))), ids)).id;
	// Each trigger's first poll places its cursor at the newest event; changes from then on are its.
	// Two triggers: one for the e-mails, one (reservations only, in order) for the calendar.
	await waitFor(async () => (await db.query('SELECT 1 FROM hotel_event_cursors')).rows.length === 2, 60_000, 'the trigger to start reading').catch((error) => {
		throw new Error(`${(error as Error).message}; n8n said:\n${n8n.logs().slice(-40).join('\n')}`);
	});
});

afterAll(async () => {
	await n8n?.stop();
	await smtp?.stop();
	await google?.stop();
	await closeAllStores();
	await database?.drop();
});

it('sends one e-mail per change and keeps one calendar event per reservation', async () => {
	const hotel = new HotelService(db);
	const stay = { roomType: 'DBL', ratePlan: 'BAR', adults: 2, guest: { name: 'Zoë <script>alert(1)</script>', email: 'zoe@guest.example' } };
	const kept = await hotel.create({ ...stay, arrival: day(10), departure: day(12) });
	await hotel.update(kept.id, { departure: day(13) });
	const dropped = await hotel.create({ ...stay, arrival: day(20), departure: day(21), guest: { name: 'Ada Lovelace', email: 'ada@guest.example' } });
	await hotel.cancel(dropped.id);
	const paid = { paymentId: 'pi_e2e_1', reservationId: kept.id, currency: 'EUR', amount: 30000, amountReceived: 30000, status: 'succeeded' };
	await new BillingLedger(db).apply(paid);
	await new BillingLedger(db).apply({ ...paid, amountRefunded: 10000 }); // a partial refund

	const mails = await smtp.waitForMessages(6, 120_000);
	const summary = mails.map((m) => `${m.to.join()} | ${m.subject}`).sort();
	expect(summary).toEqual([
		`ada@guest.example | Your reservation ${dropped.id} at Hotel Example has been cancelled`,
		`ada@guest.example | Your reservation ${dropped.id} at Hotel Example is confirmed`,
		`zoe@guest.example | Payment received for reservation ${kept.id} – Hotel Example`,
		`zoe@guest.example | Refund for reservation ${kept.id} – Hotel Example`,
		`zoe@guest.example | Your reservation ${kept.id} at Hotel Example has been changed`,
		`zoe@guest.example | Your reservation ${kept.id} at Hotel Example is confirmed`,
	]);
	const confirmation = mails.find((m) => m.to.includes('zoe@guest.example') && /confirm/i.test(m.subject))!;
	expect(confirmation.html).toContain('Zoë &lt;script&gt;alert(1)&lt;/script&gt;');
	expect(confirmation.html).not.toContain('<script>');
	expect(confirmation.text).toContain(kept.id);
	const refund = mails.find((m) => /^Refund/.test(m.subject))!;
	expect(refund.text).toContain('We have refunded 100.00 EUR of your payment of 300.00 EUR');

	// The calendar has its own trigger. n8n polls each trigger once a minute at a second of its own
	// choosing, so the calendar's next read can come up to a minute after the e-mail trigger's.
	const calendarWait = 120_000;
	const keptEvent = await waitFor(() => google.events.find((e) => e.id === eventIdFor(kept.id) && e.end?.dateTime?.startsWith(day(13))), calendarWait, 'the moved event');
	expect(keptEvent).toMatchObject({ status: 'confirmed', start: { dateTime: expect.stringContaining(day(10)) } });
	expect(keptEvent.summary).toContain(kept.id);
	await waitFor(() => google.events.find((e) => e.id === eventIdFor(dropped.id) && e.status === 'cancelled'), calendarWait, 'the cancelled event');
	expect(google.events).toHaveLength(2);
});

it('sends nothing new and duplicates no event when the whole feed runs through the workflow again', async () => {
	const mailsBefore = smtp.messages.length;
	const executionsBefore = (await n8n.api.listExecutions({ workflowId })).length;
	// Rewind both triggers: every event since the start is emitted and processed once more.
	await db.query('UPDATE hotel_event_cursors SET event_id = 0');
	const caughtUp = async () => {
		const { rows } = await db.query<{ behind: string }>('SELECT count(*)::text AS behind FROM hotel_event_cursors WHERE event_id < (SELECT max(id) FROM hotel_events)');
		return rows[0].behind === '0';
	};
	await waitFor(caughtUp, 120_000, 'both triggers to read the feed again');
	await waitFor(async () => (await n8n.api.listExecutions({ workflowId })).length >= executionsBefore + 2, 60_000, 'the rerun executions');
	await n8n.api.countSettledExecutions(workflowId, { timeoutMs: 60_000 }); // the rerun has finished
	await new Promise((r) => setTimeout(r, 3_000)); // a queue pass or two
	expect(smtp.messages.length).toBe(mailsBefore);
	expect(google.events).toHaveLength(2);
	const outbox = await db.query<{ status: string; n: string }>("SELECT status, count(*)::text AS n FROM email_outbox GROUP BY status");
	expect(outbox.rows).toEqual([{ status: 'sent', n: '6' }]);
});

it('puts the calendar right within one catch-up run after an outage that failed the event-driven sync', async () => {
	const hotel = new HotelService(db);
	google.fail(1_000); // the calendar is down: the event path fails (a red execution) and moves on
	const missed = await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(30), departure: day(33), adults: 1, guest: { name: 'Missed While Down', email: 'missed@guest.example' } });
	await hotel.update(missed.id, { departure: day(34) });
	await waitFor(async () => ((await db.query('SELECT 1 FROM hotel_event_cursors WHERE event_id >= (SELECT max(id) FROM hotel_events)')).rows.length === 2 ? true : undefined), 150_000, 'both triggers to read the changes');
	await n8n.api.countSettledExecutions(workflowId, { timeoutMs: 60_000 });
	expect(google.events.find((e) => e.id === eventIdFor(missed.id))).toBeUndefined();
	google.fail(0); // back

	const id = await runManually(n8n, workflowId, 'Every 15 Minutes');
	const run = await waitFor(async () => {
		const e = await n8n.api.getExecution(id, true);
		return e.finished || e.status === 'error' ? e : undefined;
	}, 60_000, 'the catch-up run');
	expect(run.status).toBe('success');
	const [report] = nodeOutput(run, 'Catch Up Hotel Calendar', 0) as Array<{ synced: Array<{ reservationId: string; version: number }> }>;
	expect(report.synced).toEqual(expect.arrayContaining([expect.objectContaining({ reservationId: missed.id, version: 2 })]));
	expect(google.events.filter((e) => e.id === eventIdFor(missed.id)).at(-1)).toMatchObject({ status: 'confirmed', end: { dateTime: expect.stringContaining(day(34)) } });
});

it('sends a confirmation whose enqueueing failed when the hourly catch-up re-reads the recent changes, once', async () => {
	const hotel = new HotelService(db);
	const runCatchUp = async () => {
		const id = await runManually(n8n, workflowId, 'Recent Changes (Catch-Up)');
		return waitFor(async () => {
			const e = await n8n.api.getExecution(id, true);
			return e.finished || e.status === 'error' ? e : undefined;
		}, 60_000, 'the catch-up run');
	};
	const to = 'unlucky@guest.example';
	const mailsTo = () => smtp.messages.filter((m) => m.to.includes(to));
	// The outbox is unavailable while the change is handed out: that execution fails.
	await db.query('ALTER TABLE email_outbox RENAME TO email_outbox_down');
	let reservation;
	try {
		reservation = await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(40), departure: day(42), adults: 2, guest: { name: 'Unlucky', email: to } });
		await waitFor(async () => ((await db.query('SELECT 1 FROM hotel_event_cursors WHERE event_id >= (SELECT max(id) FROM hotel_events)')).rows.length === 2 ? true : undefined), 150_000, 'the triggers to hand the change out');
		await n8n.api.countSettledExecutions(workflowId, { timeoutMs: 60_000 });
	} finally {
		await db.query('ALTER TABLE email_outbox_down RENAME TO email_outbox');
	}
	await sleep(3_000);
	expect(mailsTo()).toHaveLength(0);

	expect((await runCatchUp()).status).toBe('success');
	const [mail] = await waitFor(() => (mailsTo().length > 0 ? mailsTo() : undefined), 60_000, 'the late confirmation');
	expect(mail.subject).toBe(`Your reservation ${reservation.id} at Hotel Example is confirmed`);
	// Again: everything recent is re-read, nothing is sent twice.
	expect((await runCatchUp()).status).toBe('success');
	await sleep(3_000);
	expect(mailsTo()).toHaveLength(1);
});
