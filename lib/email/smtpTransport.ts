/**
 * SMTP through nodemailer: the configuration a Hotel SMTP credential gives, the transport, the
 * server check behind the credential's Test button, and sending through the one retry policy
 * (callPartner) with SMTP's answers sorted into what a retry can fix and what it cannot:
 *  - 4xx replies and lost connections are transient: retried (and backed off by the outbox);
 *  - 5xx replies to the message or its recipients are permanent for that message: never retried;
 *  - refused logins, failed TLS, bad settings are the configuration's fault, not the message's:
 *    not retried at once, but a queued message is kept (and tried again later), not failed.
 *
 * TLS certificates are always verified. 'none' (no TLS at all) exists for local test servers.
 */
import { createTransport, type NodemailerError } from 'nodemailer';
import { callPartner, PartnerError, type ResilienceOptions } from '../resilience/policy';
import { isEmailAddress } from './addresses';

export type SmtpTlsMode = 'starttls' | 'tls' | 'none';

export interface SmtpConfig {
	host: string;
	port: number;
	tls: SmtpTlsMode;
	user?: string;
	password?: string;
	fromAddress: string;
	fromName?: string;
}

const TLS_MODES: SmtpTlsMode[] = ['starttls', 'tls', 'none'];

/** From a Hotel SMTP credential's data. Throws a clear Error for settings that cannot work. */
export function smtpConfigFrom(credentials: Record<string, unknown>): SmtpConfig {
	const host = String(credentials.host ?? '').trim();
	const port = Number(credentials.port ?? 587);
	const tls = String(credentials.tls ?? 'starttls') as SmtpTlsMode;
	const fromAddress = String(credentials.fromAddress ?? '').trim();
	if (!host) throw new Error('The Hotel SMTP credential has no host.');
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`The Hotel SMTP credential's port ${credentials.port} is not a TCP port.`);
	if (!TLS_MODES.includes(tls)) throw new Error(`The Hotel SMTP credential's TLS mode "${tls}" is not one of ${TLS_MODES.join(', ')}.`);
	if (!isEmailAddress(fromAddress)) throw new Error(`The Hotel SMTP credential's From address ${JSON.stringify(fromAddress)} is not an e-mail address.`);
	const user = String(credentials.user ?? '').trim();
	const password = String(credentials.password ?? '');
	const fromName = String(credentials.fromName ?? '').trim();
	return { host, port, tls, user: user || undefined, password: password || undefined, fromAddress, fromName: fromName || undefined };
}

/** Where the breaker and the log lines put this server. */
export function smtpEndpoint(config: SmtpConfig): string {
	return `smtp:${config.host}:${config.port}`;
}

export interface TransportOptions {
	/**
	 * Keep up to this many connections open and reuse them (nodemailer's pool). The queue worker
	 * sends many messages in a row: one TLS handshake and login per connection instead of per
	 * message. Without it, each message opens and closes its own connection (credential tests).
	 */
	pool?: number;
}

/**
 * A nodemailer transport for `config`. Its own timeouts are shorter than callPartner's per-attempt
 * timeout, so nodemailer reports a stuck server itself (and closes the socket) first.
 */
export function createSmtpTransport(config: SmtpConfig, options: TransportOptions = {}) {
	const connection = {
		host: config.host,
		port: config.port,
		secure: config.tls === 'tls',
		requireTLS: config.tls === 'starttls',
		ignoreTLS: config.tls === 'none',
		// Never rejectUnauthorized: false. A server with a private CA needs NODE_EXTRA_CA_CERTS.
		tls: { minVersion: 'TLSv1.2' as const },
		auth: config.user ? { user: config.user, pass: config.password ?? '' } : undefined,
		connectionTimeout: 10_000,
		greetingTimeout: 10_000,
		socketTimeout: 30_000,
		logger: false,
		debug: false,
	};
	const from = { name: config.fromName ?? '', address: config.fromAddress };
	if (options.pool) return createTransport({ ...connection, pool: true as const, maxConnections: options.pool, maxMessages: 100 }, { from });
	return createTransport(connection, { from });
}

/**
 * Connects, says EHLO, upgrades to TLS as configured and logs in — the server's own verdict on the
 * settings, nothing is sent. Throws an Error that says what failed. Deliberately outside
 * callPartner: a check must report this one try as it went, not retried or short-circuited.
 */
export async function verifySmtp(config: SmtpConfig, signal?: AbortSignal): Promise<void> {
	const transport = createSmtpTransport(config);
	let onAbort: (() => void) | undefined;
	try {
		const aborted = new Promise<never>((_, reject) => {
			onAbort = () => reject(new Error(`SMTP server ${config.host}:${config.port} did not answer before the check was cancelled.`));
			if (signal?.aborted) onAbort();
			else signal?.addEventListener('abort', onAbort, { once: true });
		});
		await Promise.race([transport.verify(), aborted]);
	} catch (error) {
		throw new Error(explain(config, error as NodemailerError));
	} finally {
		if (onAbort) signal?.removeEventListener('abort', onAbort);
		transport.close();
	}
}

export interface OutgoingEmail {
	to: string;
	subject: string;
	html: string;
	text: string;
	/** Deterministic, from the dedupe key: a resend is recognisable as the same message. */
	messageId: string;
}

export interface SmtpAccepted {
	/** The server's final reply, e.g. "250 2.0.0 Ok: queued as 4F2A1". */
	response: string;
	accepted: string[];
	rejected: string[];
}

/** Sends through one transport (pooled or not) with the resilience policy; close() when done. */
export class SmtpSender {
	private readonly transport: ReturnType<typeof createSmtpTransport>;

	constructor(
		readonly config: SmtpConfig,
		private readonly options: TransportOptions & { resilience?: Partial<ResilienceOptions> } = {},
	) {
		this.transport = createSmtpTransport(config, options);
	}

	async send(email: OutgoingEmail): Promise<SmtpAccepted> {
		return callPartner(
			'SMTP',
			smtpEndpoint(this.config),
			async ({ signal }) => {
				try {
					const info = await this.transport.sendMail({
						to: email.to,
						subject: email.subject,
						html: email.html,
						text: email.text,
						messageId: email.messageId,
						// RFC 3834: no vacation auto-replies to a machine's mail.
						headers: { 'Auto-Submitted': 'auto-generated' },
						signal,
					});
					return {
						response: String(info.response ?? ''),
						accepted: (info.accepted ?? []).map(String),
						rejected: (info.rejected ?? []).map(String),
					};
				} catch (error) {
					// Cut off by our own timeout: callPartner reports that itself.
					if (signal.aborted) throw error;
					throw classifySmtpError(this.config, error);
				}
			},
			// Per-attempt timeout above nodemailer's own socket timeouts (see createSmtpTransport).
			{ timeoutMs: 45_000, ...this.options.resilience },
		);
	}

	close(): void {
		this.transport.close();
	}
}

export type SmtpErrorCode = 'smtp_rejected' | 'smtp_transient' | 'smtp_connection' | 'smtp_auth' | 'smtp_tls' | 'smtp_config';

/** What an SMTP failure means for retrying: see the file comment. */
export function classifySmtpError(config: SmtpConfig, error: unknown): PartnerError {
	if (error instanceof PartnerError) return error;
	const e = (error ?? {}) as NodemailerError;
	const message = explain(config, e);
	const make = (code: SmtpErrorCode, retryable: boolean) => new PartnerError(message, { partner: 'SMTP', retryable, code, cause: error });
	if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return make('smtp_auth', false);
	if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || isTlsFailure(e)) return make('smtp_tls', false);
	if (typeof e.responseCode === 'number') {
		// nodemailer marks 5xx (except 503, a session hiccup) as permanent; 4xx as worth another try.
		const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
		return permanent ? make('smtp_rejected', false) : make('smtp_transient', true);
	}
	if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'EABORT'].includes(e.code ?? '') || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(e.originalCode ?? '')) {
		return make('smtp_connection', true);
	}
	if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return make('smtp_rejected', false);
	return make('smtp_config', false);
}

/** True when the server refused this message for good: retrying it would be refused again. */
export function isPermanentRejection(error: unknown): boolean {
	return error instanceof PartnerError && error.details.code === 'smtp_rejected';
}

/** A TLS handshake that failed (untrusted or expired certificate, no TLS on the port), not an SMTP reply. */
function isTlsFailure(e: NodemailerError): boolean {
	if (e.responseCode) return false;
	return /certificate|self[- ]signed|SSL routines|wrong version number/i.test(e.message ?? '') || (e.originalCode ?? '').startsWith('ERR_SSL');
}

function explain(config: SmtpConfig, e: NodemailerError): string {
	const where = `SMTP server ${config.host}:${config.port}`;
	const reply = e.response ? ` (${e.response.trim().slice(0, 300)})` : '';
	if (e.code === 'EAUTH') return `${where} refused the login for user ${JSON.stringify(config.user ?? '')}${reply}. Check the user name and password of the Hotel SMTP credential.`;
	if (e.code === 'ENOAUTH') return `${where} requires a login, but the Hotel SMTP credential has no user.`;
	if (/certificate|self[- ]signed/i.test(e.message ?? '')) {
		return `TLS with ${where} failed: ${e.message}. Certificates are always verified: the server needs a valid certificate for ${config.host} (a private CA can be added to n8n with NODE_EXTRA_CA_CERTS).`;
	}
	if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || isTlsFailure(e)) {
		const why = /wrong version number/i.test(e.message ?? '') ? 'the server does not speak TLS on this port' : e.message;
		return `TLS with ${where} failed: ${why}. Check the TLS mode (STARTTLS, usually port 587; implicit TLS, usually port 465).`;
	}
	if (typeof e.responseCode === 'number') {
		const what = e.code === 'EENVELOPE' ? 'the sender or a recipient' : e.command === 'DATA' || e.code === 'EMESSAGE' ? 'the message' : `the ${e.command ?? 'command'}`;
		return `${where} refused ${what}${reply || ` (${e.responseCode})`}.`;
	}
	return `${where}: ${e.message ?? String(e)}${e.originalCode ? ` (${e.originalCode})` : ''}.`;
}
