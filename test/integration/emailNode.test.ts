/**
 * The Hotel Email node on its own: a fake n8n context, the outbox on the real PostgreSQL, the real
 * SMTP peer. Preview renders without sending, Enqueue and Send Now are sent-once, bad input is a
 * NodeOperationError naming the field (or an error item with Continue On Fail), the credential's
 * Test button asks the server, and the SMTP password never appears in logs or errors.
 */
import { NodeApiError, NodeOperationError, type ICredentialTestFunctions } from 'n8n-workflow';
import { HotelEmail } from '../../nodes/HotelEmail/HotelEmail.node';
import { DEFAULT_RECIPIENT } from '../../nodes/HotelEmail/description';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import type { Db } from '../../lib/store/db';
import { fakeExecuteContext, type FakeRun } from '../support/fakeExecuteContext';
import type { SmtpPeer } from '../peers/smtpPeer';
import type { TestDatabase } from '../support/services';
import { startStoreAndSmtpPeer } from '../support/smtpStore';

const PASSWORD = 'Smtp-Pa55-do-not-log';
let database: TestDatabase;
let db: Db;
let peer: SmtpPeer;
let close: () => Promise<void>;

beforeAll(async () => {
	({ database, db, peer, close } = await startStoreAndSmtpPeer('emailnode', { auth: { user: 'hotel', pass: PASSWORD } }));
});
afterAll(() => close());
beforeEach(() => {
	peer.reset();
	resetPartnerPolicies();
});

const smtpCredential = (password = PASSWORD) => ({ host: peer.host, port: peer.port, tls: 'none', user: 'hotel', password, fromAddress: 'desk@seeblick.example', fromName: 'Hotel Seeblick' });

const reservation = (id: string, version = 1, name = 'Zoë Müller') => ({
	id,
	version,
	status: 'booked',
	arrival: '2026-05-01',
	departure: '2026-05-03',
	roomType: 'DBL',
	rooms: 1,
	adults: 2,
	children: 0,
	amount: 24000,
	currency: 'EUR',
	guest: { name, email: 'zoe@example.com', phone: null },
});

const baseParams = {
	resource: 'email',
	template: 'reservationConfirmation',
	to: 'zoe@example.com',
	hotelName: 'Hotel Seeblick',
	logoUrl: 'https://seeblick.example/logo.png',
	hotelPhone: '+49 30 123',
	hotelEmail: 'desk@seeblick.example',
	hotelAddress: 'Uferweg 1, Berlin',
	templateOverrides: {},
	options: {},
	database: 'postgres',
};

function run(params: Record<string, unknown>, opts: Partial<FakeRun> & { password?: string } = {}) {
	const { config } = database;
	return fakeExecuteContext({
		node: { type: 'n8n-nodes-hotel-integrations.hotelEmail', parameters: { ...baseParams, ...params } },
		items: opts.items ?? [{}],
		continueOnFail: opts.continueOnFail,
		credentials: {
			hotelSmtpApi: smtpCredential(opts.password),
			hotelDetailsApi: { hotelName: 'Hotel am See (Details)', timeZone: 'Europe/Berlin', checkInTime: '14:00', checkOutTime: '10:30', phone: '+49 30 999', email: 'hello@see.example', address: 'Seestraße 2, Berlin', logoUrl: '' },
			hotelPostgresApi: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '' },
		},
	});
}

const execute = (ctx: ReturnType<typeof run>['ctx']) => new HotelEmail().execute.call(ctx);
const outboxRows = async () => (await db.query<{ n: string }>('SELECT count(*) AS n FROM email_outbox')).rows[0].n;

it('previews subject, HTML and text without sending or queueing anything', async () => {
	const before = await outboxRows();
	const [[item]] = await execute(run({ operation: 'preview', reservation: reservation('R-P1', 1, '<script>alert(1)</script>') }).ctx);
	expect(item.json).toMatchObject({
		status: 'preview',
		outboxId: null,
		template: 'reservationConfirmation',
		to: 'zoe@example.com',
		dedupeKey: 'reservationConfirmation:reservation:R-P1:v1',
		subject: 'Your reservation R-P1 at Hotel Seeblick is confirmed',
	});
	expect(item.json.html).toContain('Dear &lt;script&gt;alert(1)&lt;/script&gt;,');
	expect(item.json.text).toContain('Total:       240.00 EUR');
	expect(item.json.messageId).toMatch(/@seeblick\.example>$/);
	expect(await outboxRows()).toBe(before);
	expect(peer.messages).toHaveLength(0);
	// A preview needs no recipient yet.
	const [[noRecipient]] = await execute(run({ operation: 'preview', to: '', reservation: reservation('R-P1') }).ctx);
	expect(noRecipient.json.to).toBe('');
});

it('enqueues once: the second run of the workflow reports a duplicate of the same outbox row', async () => {
	const [[first]] = await execute(run({ operation: 'enqueue', reservation: reservation('R-Q1') }).ctx);
	const [[second]] = await execute(run({ operation: 'enqueue', reservation: reservation('R-Q1') }).ctx);
	expect(first.json).toMatchObject({ status: 'queued', outboxStatus: 'queued', to: 'zoe@example.com', template: 'reservationConfirmation', reservationId: 'R-Q1' });
	expect(second.json).toMatchObject({ status: 'duplicate', outboxId: first.json.outboxId, messageId: first.json.messageId });
	expect(typeof first.json.outboxId).toBe('number');
	expect(peer.messages).toHaveLength(0);
});

it('sends now once, however often the workflow runs, and logs no recipient nor password', async () => {
	const { ctx, logs } = run({ operation: 'sendNow', reservation: reservation('R-S1') });
	const [[sent]] = await execute(ctx);
	expect(sent.json).toMatchObject({ status: 'sent', template: 'reservationConfirmation', dedupeKey: 'reservationConfirmation:reservation:R-S1:v1', response: expect.stringMatching(/^250/) });
	expect(sent.pairedItem).toEqual({ item: 0 });
	const [[again]] = await execute(run({ operation: 'sendNow', reservation: reservation('R-S1') }).ctx);
	expect(again.json).toMatchObject({ status: 'already sent', outboxId: sent.json.outboxId });
	expect(peer.messages).toHaveLength(1);
	expect(peer.messages[0]).toMatchObject({ subject: 'Your reservation R-S1 at Hotel Seeblick is confirmed', from: 'desk@seeblick.example', user: 'hotel', messageId: sent.json.messageId });
	expect(logs.join('\n')).toContain('Hotel Email operation done');
	expect(logs.join('\n')).not.toContain(PASSWORD);
	expect(logs.join('\n')).not.toContain('zoe@example.com');
	// A new version of the reservation is a new e-mail.
	const [[modified]] = await execute(run({ operation: 'sendNow', template: 'reservationModification', reservation: reservation('R-S1', 2) }).ctx);
	expect(modified.json.status).toBe('sent');
	expect(peer.messages).toHaveLength(2);
});

it('names the field of bad input in a NodeOperationError, and goes on with Continue On Fail', async () => {
	const bad = await execute(run({ operation: 'enqueue', to: 'not an address', reservation: reservation('R-B1') }).ctx).catch((e) => e);
	expect(bad).toBeInstanceOf(NodeOperationError);
	expect(bad.message).toMatch(/^to is not a valid e-mail address/);
	expect(bad.description).toBe('Field: to');

	const empty = await execute(run({ operation: 'sendNow', to: '', reservation: reservation('R-B1') }).ctx).catch((e) => e);
	expect(empty).toBeInstanceOf(NodeOperationError);
	expect(empty.message).toMatch(/No recipient/);

	const placeholder = await execute(run({ operation: 'preview', templateOverrides: { subject: 'Hi {{guest.firstname}}' }, reservation: reservation('R-B1') }).ctx).catch((e) => e);
	expect(placeholder).toBeInstanceOf(NodeOperationError);
	expect(placeholder.message).toContain('{{guest.firstname}}');
	expect(placeholder.description).toBe('Field: templateOverrides.subject');

	const logo = await execute(run({ operation: 'preview', logoUrl: 'javascript:alert(1)', reservation: reservation('R-B1') }).ctx).catch((e) => e);
	expect(logo.description).toBe('Field: logoUrl');

	const { ctx } = run({ operation: 'enqueue' }, { items: [{ to: 'nobody', reservation: reservation('R-B2') }, { reservation: reservation('R-B3') }], continueOnFail: true });
	const [items] = await execute(ctx);
	expect(items[0].json).toMatchObject({ error: expect.stringMatching(/not a valid e-mail address/), details: { code: 'invalid', field: 'to', statusCode: 422 } });
	expect(items[1].json).toMatchObject({ status: 'queued', reservationId: 'R-B3' });
	expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

	// All items of an execution go to the outbox in one statement; without Continue On Fail a bad
	// item stops the node before any of them is written.
	const stopped = await execute(run({ operation: 'enqueue' }, { items: [{ reservation: reservation('R-B4') }, { to: 'nobody', reservation: reservation('R-B5') }] }).ctx).catch((e) => e);
	expect(stopped).toBeInstanceOf(NodeOperationError);
	expect(stopped.message).toMatch(/not a valid e-mail address/);
	expect((await db.query("SELECT count(*)::int AS n FROM email_outbox WHERE reservation_id IN ('R-B4', 'R-B5')")).rows[0].n).toBe(0);
	expect(peer.messages).toHaveLength(0);
});

it('reports an SMTP refusal as a NodeApiError without the password, and a refused login too', async () => {
	peer.fail(1, 550, 'rcpt');
	const { ctx, logs } = run({ operation: 'sendNow', reservation: reservation('R-E1') });
	const refused = await execute(ctx).catch((e) => e);
	expect(refused).toBeInstanceOf(NodeApiError);
	expect(refused.message).toMatch(/refused the sender or a recipient \(550.*marked failed/);

	const login = run({ operation: 'sendNow', reservation: reservation('R-E2') }, { password: 'Wrong-Pa55-do-not-log' });
	const denied = await execute(login.ctx).catch((e) => e);
	expect(denied).toBeInstanceOf(NodeApiError);
	expect(denied.message).toMatch(/refused the login for user "hotel"/);
	const everything = [...logs, ...login.logs, JSON.stringify(refused), JSON.stringify(denied), denied.message, denied.description ?? ''].join('\n');
	expect(everything).not.toContain(PASSWORD);
	expect(everything).not.toContain('Wrong-Pa55-do-not-log');
	expect(peer.messages).toHaveLength(0);
});

it("tests the Hotel SMTP credential against the server: OK, wrong password, no server", async () => {
	const test = new HotelEmail().methods.credentialTest.hotelSmtpConnection;
	const call = (data: Record<string, unknown>) => test.call({} as ICredentialTestFunctions, { id: '1', name: 'SMTP', type: 'hotelSmtpApi', data } as never);
	expect(await call(smtpCredential())).toEqual({ status: 'OK', message: `Connected to 127.0.0.1:${peer.port} and logged in` });
	const wrong = await call(smtpCredential('Wrong-Pa55-do-not-log'));
	expect(wrong.status).toBe('Error');
	expect(wrong.message).toMatch(/refused the login for user "hotel"/);
	expect(wrong.message).not.toContain('Wrong-Pa55-do-not-log');
	const nowhere = await call({ ...smtpCredential(), port: 1 });
	expect(nowhere).toMatchObject({ status: 'Error', message: expect.stringMatching(/ECONNREFUSED/) });
	const incomplete = await call({ host: 'smtp.example.com', fromAddress: '' });
	expect(incomplete).toMatchObject({ status: 'Error', message: expect.stringMatching(/From address/) });
});

it('takes the hotel from the Hotel Details credential when told to: name, contact and the check-in and check-out times', async () => {
	const [[item]] = await execute(run({ operation: 'preview', hotelDetails: 'credential', hotelName: '', reservation: reservation('R-HD1') }).ctx);
	expect(item.json.text).toContain('Hotel am See (Details)');
	expect(item.json.text).toContain('check-in from 14:00');
	expect(item.json.text).toContain('check-out by 10:30');
	expect(item.json.html).toContain('+49 30 999');
	expect(item.json.text).not.toContain('Seeblick');
	// Typed on the node (the default, as workflows saved before the credential): no times unless given.
	const [[typed]] = await execute(run({ operation: 'preview', reservation: reservation('R-HD1') }).ctx);
	expect(typed.json.text).toContain('Hotel Seeblick');
	expect(typed.json.text).not.toContain('check-in from');
});

it('tests the Hotel Details credential: a real time zone and times, a name', async () => {
	const check = new HotelEmail().methods.credentialTest.hotelDetailsCheck;
	const test = (data: Record<string, unknown>) => check.call({} as never, { id: 'x', name: 'Hotel Details', type: 'hotelDetailsApi', data } as never);
	expect(await test({ hotelName: 'Hotel Example', timeZone: 'Europe/Berlin', checkInTime: '15:00', checkOutTime: '11:00' })).toMatchObject({ status: 'OK' });
	expect(await test({ hotelName: 'Hotel Example', timeZone: 'Mars/Olympus', checkInTime: '15:00' })).toMatchObject({ status: 'Error', message: expect.stringMatching(/Mars\/Olympus/) });
	expect(await test({ hotelName: 'Hotel Example', timeZone: 'Europe/Berlin', checkInTime: '25:00' })).toMatchObject({ status: 'Error' });
	expect(await test({ hotelName: ' ', timeZone: 'Europe/Berlin' })).toMatchObject({ status: 'Error', message: expect.stringMatching(/Hotel Name is empty/) });
});

it('describes itself as n8n expects: the guest e-mail by default, credentials tested by this node', () => {
	const { description } = new HotelEmail();
	const to = description.properties.find((p) => p.name === 'to');
	expect(to?.default).toBe(DEFAULT_RECIPIENT);
	expect(description.credentials).toEqual(
		expect.arrayContaining([
			expect.objectContaining({ name: 'hotelSmtpApi', testedBy: 'hotelSmtpConnection' }),
			expect.objectContaining({ name: 'hotelPostgresApi', testedBy: 'hotelPostgresConnection' }),
		]),
	);
	const operations = description.properties.find((p) => p.name === 'operation')?.options?.map((o) => ('value' in o ? o.value : null));
	expect(operations).toEqual(['enqueue', 'preview', 'sendNow']);
});
