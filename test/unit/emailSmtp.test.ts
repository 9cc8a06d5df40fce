/**
 * SMTP against the in-process SMTP peer: the credential's settings, the server check behind the
 * Test button (with TLS certificates always verified), and how each SMTP answer is classified for
 * retrying: 4xx and lost connections transient, 5xx permanent, logins and TLS the configuration's.
 */
import { PartnerError, resetPartnerPolicies } from '../../lib/resilience/policy';
import { classifySmtpError, isPermanentRejection, smtpConfigFrom, SmtpSender, verifySmtp, type SmtpConfig } from '../../lib/email/smtpTransport';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';

const AUTH = { user: 'hotel', pass: 's3cret-Pa55' };
let peer: SmtpPeer;
let config: SmtpConfig;

beforeAll(async () => {
	peer = await startSmtpPeer({ auth: AUTH });
	config = { host: peer.host, port: peer.port, tls: 'none', user: AUTH.user, password: AUTH.pass, fromAddress: 'desk@seeblick.example', fromName: 'Hotel Seeblick' };
});
afterAll(() => peer.stop());
beforeEach(() => {
	peer.reset();
	resetPartnerPolicies();
});

const fast = { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 5 };
const email = (n = 1) => ({ to: 'zoe@example.com', subject: `Test ${n}`, html: `<p>Hello ${n}</p>`, text: `Hello ${n}`, messageId: `<test-${n}@seeblick.example>` });

async function sendError(sender: SmtpSender): Promise<PartnerError> {
	const error = await sender.send(email()).catch((e) => e);
	expect(error).toBeInstanceOf(PartnerError);
	return error;
}

it('reads a Hotel SMTP credential and refuses settings that cannot work', () => {
	expect(smtpConfigFrom({ host: ' smtp.example.com ', port: 465, tls: 'tls', user: 'u', password: 'p', fromAddress: 'a@b.example', fromName: '' })).toEqual({
		host: 'smtp.example.com',
		port: 465,
		tls: 'tls',
		user: 'u',
		password: 'p',
		fromAddress: 'a@b.example',
		fromName: undefined,
	});
	expect(smtpConfigFrom({ host: 'h', fromAddress: 'a@b.example' })).toMatchObject({ port: 587, tls: 'starttls', user: undefined });
	expect(() => smtpConfigFrom({ host: '', fromAddress: 'a@b.example' })).toThrow(/no host/);
	expect(() => smtpConfigFrom({ host: 'h', port: 70000, fromAddress: 'a@b.example' })).toThrow(/not a TCP port/);
	expect(() => smtpConfigFrom({ host: 'h', tls: 'off', fromAddress: 'a@b.example' })).toThrow(/TLS mode "off"/);
	expect(() => smtpConfigFrom({ host: 'h', fromAddress: 'nobody' })).toThrow(/From address/);
});

it('verifies a server with the right login, and explains a wrong one without revealing the password', async () => {
	await expect(verifySmtp(config)).resolves.toBeUndefined();
	const error = await verifySmtp({ ...config, password: 'wrong-Pa55word' }).catch((e) => e);
	expect(error.message).toMatch(/refused the login for user "hotel".*535/);
	expect(error.message).not.toContain('wrong-Pa55word');
	expect(peer.messages).toHaveLength(0);
});

it('never accepts a certificate it cannot verify (STARTTLS with a self-signed one)', async () => {
	const tlsPeer = await startSmtpPeer({ starttls: true });
	try {
		const error = await verifySmtp({ ...config, port: tlsPeer.port, tls: 'starttls', user: undefined, password: undefined }).catch((e) => e);
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toMatch(/TLS with SMTP server 127\.0\.0\.1:\d+ failed: .*certificate/i);
		// STARTTLS required: a server that does not offer it is refused, never spoken to in clear text.
		const plain = await verifySmtp({ ...config, tls: 'starttls', user: undefined }).catch((e) => e);
		expect(plain.message).toMatch(/STARTTLS|TLS/);
	} finally {
		await tlsPeer.stop();
	}
});

it('reports an unreachable server, and a cancelled check', async () => {
	const stopped = await startSmtpPeer();
	const port = stopped.port;
	await stopped.stop();
	expect((await verifySmtp({ ...config, port }).catch((e) => e)).message).toMatch(/ECONNREFUSED|connect/i);
	const controller = new AbortController();
	controller.abort();
	expect((await verifySmtp(config, controller.signal).catch((e) => e)).message).toMatch(/cancelled/);
});

it('sends through nodemailer with the given Message-ID, From and an Auto-Submitted header', async () => {
	const sender = new SmtpSender(config);
	try {
		const accepted = await sender.send(email(7));
		expect(accepted.response).toMatch(/^250 /);
		expect(accepted.accepted).toEqual(['zoe@example.com']);
	} finally {
		sender.close();
	}
	expect(peer.messages).toHaveLength(1);
	expect(peer.messages[0]).toMatchObject({ messageId: '<test-7@seeblick.example>', from: 'desk@seeblick.example', to: ['zoe@example.com'], subject: 'Test 7', text: 'Hello 7', user: 'hotel' });
	expect(peer.messages[0].html).toContain('<p>Hello 7</p>');
	expect(peer.messages[0].headers['auto-submitted']).toBe('auto-generated');
});

it('classifies 4xx as transient (retried), 5xx as permanent (not retried), logins as configuration', async () => {
	const sender = new SmtpSender(config, { resilience: { ...fast, maxAttempts: 3 } });
	try {
		peer.fail(2, 451);
		expect((await sender.send(email())).response).toMatch(/^250/); // two 451s, then accepted
		expect(peer.rejections.map((r) => r.code)).toEqual([451, 451]);

		peer.reset();
		peer.fail(1, 554);
		const permanent = await sendError(sender);
		expect(permanent.details).toMatchObject({ code: 'smtp_rejected', retryable: false });
		expect(permanent.message).toMatch(/refused the message \(554/);
		expect(isPermanentRejection(permanent)).toBe(true);
		expect(peer.rejections).toHaveLength(1); // no retry

		peer.reset();
		peer.fail(1, 550, 'rcpt');
		const rcpt = await sendError(sender);
		expect(rcpt.details.code).toBe('smtp_rejected');
		expect(rcpt.message).toMatch(/550/);

		peer.reset();
		peer.fail(3, 421);
		const transient = await sendError(sender);
		expect(transient.details).toMatchObject({ code: 'smtp_transient', retryable: true });
		expect(isPermanentRejection(transient)).toBe(false);
		expect(peer.rejections).toHaveLength(3);
	} finally {
		sender.close();
	}
	const badLogin = new SmtpSender({ ...config, password: 'nope' }, { resilience: { ...fast, maxAttempts: 3 } });
	try {
		const auth = await sendError(badLogin);
		expect(auth.details).toMatchObject({ code: 'smtp_auth', retryable: false });
		expect(isPermanentRejection(auth)).toBe(false); // the message is fine; the settings are not
	} finally {
		badLogin.close();
	}
});

it('treats a dropped connection as transient', async () => {
	const sender = new SmtpSender(config, { resilience: fast });
	try {
		peer.dropNext(1);
		const dropped = await sendError(sender);
		expect(dropped.details).toMatchObject({ code: 'smtp_connection', retryable: true });
		expect(peer.abandoned).toBe(1);
		expect(peer.messages).toHaveLength(0);
	} finally {
		sender.close();
	}
});

it('classifies errors from nodemailer by code and reply', () => {
	const c = (e: object) => classifySmtpError(config, Object.assign(new Error('x'), e)).details;
	expect(c({ code: 'EENVELOPE', responseCode: 550, permanent: true, response: '550 no such user' })).toMatchObject({ code: 'smtp_rejected', retryable: false });
	expect(c({ code: 'EMESSAGE', responseCode: 452, permanent: false })).toMatchObject({ code: 'smtp_transient', retryable: true });
	expect(c({ code: 'EPROTOCOL', responseCode: 503 })).toMatchObject({ code: 'smtp_transient', retryable: true });
	expect(c({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' })).toMatchObject({ code: 'smtp_connection', retryable: true });
	expect(c({ code: 'ETIMEDOUT' })).toMatchObject({ code: 'smtp_connection', retryable: true });
	expect(c({ code: 'ETLS' })).toMatchObject({ code: 'smtp_tls', retryable: false });
	expect(c({ code: 'EAUTH', responseCode: 535 })).toMatchObject({ code: 'smtp_auth', retryable: false });
	expect(c({ code: 'ECONFIG' })).toMatchObject({ code: 'smtp_config', retryable: false });
});
