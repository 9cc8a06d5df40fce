/**
 * The SMTP peer: a real SMTP server (smtp-server) on 127.0.0.1 that keeps every message it accepts,
 * parsed with mailparser, for tests and `npm start` to read back. It behaves like a real server
 * where our code can tell: a message counts as accepted only once the final "250" is sent, and a
 * client that goes away before that (killed mid-send) delivered nothing.
 *
 * Fault injection: reject the next n messages (or recipients) with a 4xx/5xx reply, hold the reply
 * to DATA for a while (so a test can kill a sender mid-send), drop the connection during DATA.
 * `starttls: true` offers STARTTLS with smtp-server's built-in self-signed certificate, which our
 * client must refuse (certificates are always verified).
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface SmtpPeerOptions {
	/** Default 0: a free port. */
	port?: number;
	/** Require this login (AUTH PLAIN/LOGIN over the plain connection); without it, no AUTH is offered. */
	auth?: { user: string; pass: string };
	/** Offer STARTTLS with the built-in self-signed certificate (for certificate-verification tests). */
	starttls?: boolean;
}

export interface ReceivedEmail {
	/** Envelope sender and recipients, as the client gave them in MAIL FROM / RCPT TO. */
	envelopeFrom: string;
	envelopeTo: string[];
	/** Header values. */
	from: string;
	to: string[];
	subject: string;
	html: string;
	text: string;
	messageId: string;
	headers: Record<string, string>;
	user?: string;
	receivedAt: number;
}

export interface Rejection {
	stage: 'rcpt' | 'data';
	code: number;
	at: number;
}

export interface SmtpPeer {
	host: '127.0.0.1';
	port: number;
	/** Every accepted message, in order of acceptance. */
	messages: ReceivedEmail[];
	/** Every reply we faulted on purpose. */
	rejections: Rejection[];
	/** Messages whose client went away before the final reply: not delivered. */
	abandoned: number;
	/** Reject the next `n` messages (stage 'data', default) or recipients (stage 'rcpt') with `code`. */
	fail(n: number, code?: number, stage?: 'data' | 'rcpt'): void;
	/** Hold the reply to the next `count` messages' DATA for `ms` (the message is in; the client waits). */
	delayData(ms: number, count?: number): void;
	/** Cut the connection while receiving the next `n` messages. */
	dropNext(n: number): void;
	/** 'data' (a DATA transfer began), 'message' (accepted), 'rejected', 'abandoned'. */
	events: EventEmitter;
	/** Resolves once `count` messages have been accepted in all. */
	waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
	/** Forget messages and faults (between tests). */
	reset(): void;
	stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
	const list = Array.isArray(value) ? value : value ? [value] : [];
	return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

function smtpError(code: number, message: string): Error {
	return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
	const events = new EventEmitter();
	const faults = { data: [] as number[], rcpt: [] as number[], delays: [] as number[], drops: 0 };
	let server: SMTPServer;

	const connectionOf = (session: SMTPServerSession) => [...server.connections].find((c) => c.id === session.id);

	const readAll = (stream: SMTPServerDataStream) =>
		new Promise<Buffer>((resolve, reject) => {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => resolve(Buffer.concat(chunks)));
			stream.on('error', reject);
		});

	const peer: SmtpPeer = {
		host: '127.0.0.1',
		port: 0,
		messages: [],
		rejections: [],
		abandoned: 0,
		events,
		fail(n, code = 451, stage = 'data') {
			for (let i = 0; i < n; i++) faults[stage].push(code);
		},
		delayData(ms, count = 1) {
			for (let i = 0; i < count; i++) faults.delays.push(ms);
		},
		dropNext(n) {
			faults.drops += n;
		},
		waitForMessages(count, timeoutMs = 20_000) {
			if (peer.messages.length >= count) return Promise.resolve(peer.messages);
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => {
					events.off('message', check);
					reject(new Error(`SMTP peer: ${peer.messages.length} of ${count} messages after ${timeoutMs} ms`));
				}, timeoutMs);
				const check = () => {
					if (peer.messages.length < count) return;
					clearTimeout(timer);
					events.off('message', check);
					resolve(peer.messages);
				};
				events.on('message', check);
			});
		},
		reset() {
			peer.messages.length = 0;
			peer.rejections.length = 0;
			peer.abandoned = 0;
			faults.data.length = 0;
			faults.rcpt.length = 0;
			faults.delays.length = 0;
			faults.drops = 0;
		},
		async stop() {
			for (const connection of server.connections) connection._socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};

	const abandon = () => {
		peer.abandoned++;
		events.emit('abandoned');
	};

	server = new SMTPServer({
		secure: false,
		logger: false,
		closeTimeout: 1_000,
		authOptional: !options.auth,
		allowInsecureAuth: true,
		disabledCommands: [...(options.auth ? [] : ['AUTH']), ...(options.starttls ? [] : ['STARTTLS'])],
		onAuth(auth, _session, callback) {
			if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
			callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
		},
		onRcptTo(_address, _session, callback) {
			const code = faults.rcpt.shift();
			if (code === undefined) return callback();
			peer.rejections.push({ stage: 'rcpt', code, at: Date.now() });
			events.emit('rejected', code);
			callback(smtpError(code, code >= 500 ? '5.1.1 Recipient rejected (fault injected)' : '4.2.0 Recipient temporarily unavailable (fault injected)'));
		},
		onData(stream, session, callback) {
			events.emit('data', session.id);
			if (faults.drops > 0) {
				faults.drops--;
				stream.on('error', () => undefined);
				stream.resume();
				connectionOf(session)?._socket.destroy();
				abandon();
				return;
			}
			const delay = faults.delays.shift() ?? 0;
			void (async () => {
				let raw: Buffer;
				try {
					raw = await readAll(stream);
				} catch {
					return abandon(); // the client went away before the end of the message
				}
				if (delay) await sleep(delay);
				// A client that is gone never saw our reply: the message was not delivered.
				if (!connectionOf(session)) return abandon();
				const code = faults.data.shift();
				if (code !== undefined) {
					peer.rejections.push({ stage: 'data', code, at: Date.now() });
					events.emit('rejected', code);
					return callback(smtpError(code, code >= 500 ? '5.6.0 Message rejected (fault injected)' : '4.3.0 Try again later (fault injected)'));
				}
				const parsed = await simpleParser(raw);
				const headers: Record<string, string> = {};
				for (const [name, value] of parsed.headers) headers[name] = typeof value === 'string' ? value : JSON.stringify(value);
				const message: ReceivedEmail = {
					envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					envelopeTo: session.envelope.rcptTo.map((r) => r.address),
					from: addresses(parsed.from)[0] ?? '',
					to: addresses(parsed.to),
					subject: parsed.subject ?? '',
					html: parsed.html || '',
					text: parsed.text ?? '',
					messageId: parsed.messageId ?? '',
					headers,
					user: session.user as string | undefined,
					receivedAt: Date.now(),
				};
				peer.messages.push(message);
				callback(null, `2.0.0 Ok: queued as ${peer.messages.length}`);
				events.emit('message', message);
			})();
		},
	});
	server.on('error', () => undefined); // a client that resets its connection is not a test failure

	await new Promise<void>((resolve, reject) => {
		server.server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	peer.port = (server.server.address() as AddressInfo).port;
	return peer;
}
