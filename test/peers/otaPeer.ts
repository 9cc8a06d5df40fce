/**
 * The OTA peer: a local server that plays a channel (Booking.com-style, SiteMinder-style or a
 * generic OpenTravel endpoint, as lib/channels/profiles.ts describes them) for the end-to-end tests
 * and for `npm start`, so the channel nodes can be tried without a channel account.
 *
 * It copies the channels where our code can tell the difference: the transport (plain XML with
 * HTTP Basic auth, or SOAP 1.1 with a WS-Security UsernameToken), every message checked against
 * the OpenTravel 2015B XSDs and refused with Errors when invalid, the channel's limits (message
 * size, one month per Booking.com rate range), inclusive date ranges, and pulled reservations that
 * come back until the hotel acknowledges them. It can also push reservations to a hotel webhook
 * (Expedia-style), optionally signed. Test hooks: the channel's view of the hotel, the request
 * log, the acknowledgement maps, and fault injection for outages.
 *
 * It binds to 127.0.0.1 only: it accepts made-up data and must never look like a real channel.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { PROFILES, type ChannelProfile, type ProfileId } from '../../lib/channels/profiles';
import { buildSoapFault, parseAckResponse, wrapSoap, type ChannelReservation, type SoapCredentials } from '../../lib/ota';
import { Channel, type AriEdit, type Processed } from './ota/channel';
import type { ChannelView } from './ota/channelView';
import { FaultInjector, type FailMode } from './ota/faults';
import {
	acknowledgementRS,
	buildCancelRQ,
	buildHotelResModifyNotifRQ,
	buildHotelResNotifRQ,
	issue,
	responseRootFor,
	soapBodyXml,
	unwrapSoap,
} from './ota/messages';
import type { QueuedReservation } from './ota/reservationQueue';
import { closeServer, listenOnLoopback, readLimitedBody, type LimitedBody } from './localServer';

export type { FailMode } from './ota/faults';
export type { QueuedReservation } from './ota/reservationQueue';

export interface OtaPeerOptions {
	profile: ProfileId;
	hotelCode: string;
	/** HTTP Basic auth (booking, generic) or the WS-Security UsernameToken (siteminder). */
	username: string;
	password: string;
	/** Default 0: any free port. The peer always binds 127.0.0.1. */
	port?: number;
	/** Default true: validate every received message against the XSD and refuse invalid ones as a channel would. */
	validate?: boolean;
	/**
	 * Default 'full': delivered and pushed reservations carry a full test card (number, CVC, expiry,
	 * holder), as real channels send it; 'masked' keeps only what our builders write.
	 */
	cardData?: 'full' | 'masked';
}

export interface OtaRequestRecord {
	method: string;
	path: string;
	/** The OTA root received (inside the SOAP body for siteminder). */
	root?: string;
	/** 0 while unanswered (and for good, in 'timeout' fault mode). */
	status: number;
	bytes: number;
	at: number;
	/** false when the message was refused as a message (XSD, not XML, not a SOAP envelope). */
	valid: boolean;
	errors?: string[];
	/** The message itself, when it is small (acknowledgements, not the bench's pushes). */
	body?: string;
}

export interface PushResult {
	status: number;
	body: string;
	/** The answer read as an acknowledgement, when it is one (an OTA RS or a SOAP fault). */
	ack?: ReturnType<typeof parseAckResponse>;
}

export interface OtaPeer {
	/** http://127.0.0.1:<port> */
	url: string;
	port: number;
	/** The channel's view of the hotel: what our pushes told it, per channel room code / rate code and night. */
	view: ChannelView;
	/** Queue a reservation (new, modified or cancelled) to be pulled; returns it with the version assigned. */
	queueReservation(r: QueuedReservation): ChannelReservation;
	/** Answer the next pull (a GET of new reservations, or an OTA_ReadRQ) with this message as it is. */
	answerNextPullWith(xml: string): void;
	/** Reservations acknowledged by the hotel, by id, with how many times each was acknowledged. */
	acknowledged: Map<string, number>;
	/** Reservations the hotel reported as failed (error acks), with the reason it gave. */
	rejected: Map<string, string>;
	requests: OtaRequestRecord[];
	/** Fault injection for outage tests (see FailMode); it ends by itself. */
	fail(mode: FailMode): void;
	/** The next `messages` availability or rate messages are answered Success and not applied (lost by the channel). */
	loseAriUpdates(messages: number): void;
	/** The next `messages` availability or rate messages are answered Success and applied with `edit` (applied wrong). */
	alterAriUpdates(messages: number, edit: AriEdit): void;
	/**
	 * Push a reservation to a hotel webhook: OTA_HotelResNotifRQ (book), OTA_HotelResModifyNotifRQ
	 * (modify), OTA_CancelRQ (cancel); SOAP by default on siteminder, plain XML otherwise. With
	 * `secret`, signed as `X-OTA-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
	 */
	pushReservation(url: string, r: QueuedReservation, opts?: { secret?: string; soap?: boolean; timeoutMs?: number }): Promise<PushResult>;
	stop(): Promise<void>;
}

const XML_TYPE = 'text/xml; charset=utf-8';
const PUSH_TIMEOUT_MS = 10_000;
/** `npm start` polls for hours; the log keeps the most recent requests (oldest dropped first). */
const MAX_LOGGED_REQUESTS = 10_000;

interface Reply {
	status: number;
	body: string;
	contentType?: string;
	headers?: Record<string, string>;
	log?: Partial<Pick<OtaRequestRecord, 'root' | 'valid' | 'errors'>>;
}

// ---------------------------------------------------------------------------------------------
// Credentials.
// ---------------------------------------------------------------------------------------------

/** Compares digests, so neither the length nor the content leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}

function basicAuthMatches(header: string | undefined, expected: SoapCredentials): boolean {
	const [scheme = '', encoded = ''] = (header ?? '').split(' ', 2);
	if (!/^basic$/i.test(scheme)) return false;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return false;
	// Both compared, always, so a wrong user name takes as long as a wrong password.
	const userOk = sameSecret(decoded.slice(0, colon), expected.username);
	const passwordOk = sameSecret(decoded.slice(colon + 1), expected.password);
	return userOk && passwordOk;
}

function tokenMatches(token: SoapCredentials | undefined, expected: SoapCredentials): boolean {
	if (!token) return false;
	const userOk = sameSecret(token.username, expected.username);
	const passwordOk = sameSecret(token.password, expected.password);
	return userOk && passwordOk;
}

// ---------------------------------------------------------------------------------------------
// Replies.
// ---------------------------------------------------------------------------------------------

function plain(status: number, body: string, headers?: Record<string, string>): Reply {
	return { status, body, contentType: 'text/plain; charset=utf-8', headers };
}

/** SOAP 1.1 answers every fault with HTTP 500 (the size refusal keeps its 413). */
function soapFault(message: string, log: Reply['log'], status = 500): Reply {
	return { status, body: buildSoapFault('Client', message), log: { valid: false, ...log } };
}

function fromProcessed(processed: Processed, soap: boolean): Reply {
	return {
		status: 200,
		body: soap ? wrapSoap(processed.response) : processed.response,
		log: { root: processed.root, valid: processed.valid, ...(processed.errors ? { errors: processed.errors } : {}) },
	};
}

// ---------------------------------------------------------------------------------------------
// The two transports.
// ---------------------------------------------------------------------------------------------

interface Transport {
	profile: ChannelProfile;
	channel: Channel;
	credentials: SoapCredentials;
}

/** Booking.com and generic: plain XML, Basic auth, one path per message. */
function answerXml({ channel, credentials }: Transport, req: http.IncomingMessage, path: string, text: string): Reply {
	const method = req.method ?? 'GET';
	const pull = channel.pullCategory(path);
	const accepted = channel.rootsFor(path);
	if (!pull && accepted.length === 0) return plain(404, `No OTA endpoint at ${path}.`);
	if (!basicAuthMatches(req.headers.authorization, credentials)) {
		return plain(401, 'Authentication required.', { 'WWW-Authenticate': 'Basic realm="OTA peer", charset="UTF-8"' });
	}
	if (method === 'GET' && pull) return { status: 200, body: channel.pull(pull) };
	if (method !== 'POST' || accepted.length === 0) return plain(405, `${method} is not allowed on ${path}.`, { Allow: pull ? 'GET, POST' : 'POST' });
	return fromProcessed(channel.process(text, accepted), false);
}

/** SiteMinder: SOAP 1.1, every message POSTed to '/', dispatched on the element in Body. */
function answerSoap({ channel, credentials }: Transport, req: http.IncomingMessage, path: string, text: string): Reply {
	const accepted = channel.rootsFor(path);
	if (accepted.length === 0) return plain(404, `No OTA endpoint at ${path}.`);
	if (req.method !== 'POST') return plain(405, 'SOAP takes POST only.', { Allow: 'POST' });
	let envelope: ReturnType<typeof unwrapSoap>;
	try {
		envelope = unwrapSoap(text, { maxBytes: Infinity });
	} catch (error) {
		return soapFault(`Not a SOAP 1.1 envelope: ${(error as Error).message}`, { errors: [(error as Error).message] });
	}
	const root = envelope.root;
	if (!tokenMatches(envelope.usernameToken, credentials)) return soapFault('WS-Security authentication failed: UsernameToken missing or wrong.', { root, valid: true });
	const inner = soapBodyXml(text);
	if (inner === undefined) return soapFault('The SOAP Body holds no element.', { root });
	const processed = channel.process(inner, accepted);
	if (processed.unsupported) return soapFault(`${root} is not supported; expected ${accepted.join(', ')}.`, { root, valid: true });
	return fromProcessed(processed, true);
}

function tooLarge({ profile, channel }: Transport, path: string, bytes: number): Reply {
	const message = `The message has ${bytes} bytes; at most ${profile.limits.maxMessageBytes} are accepted.`;
	const log = { valid: false, errors: [message] };
	if (profile.envelope === 'soap') return soapFault(message, log, 413);
	const accepted = channel.rootsFor(path);
	if (accepted.length === 0) return { ...plain(413, message), log };
	return { status: 413, body: acknowledgementRS(responseRootFor(accepted[0]), { errors: [issue('invalidMessage', message)] }), log };
}

// ---------------------------------------------------------------------------------------------
// Pushes to a hotel webhook.
// ---------------------------------------------------------------------------------------------

/** The message a channel pushes for each kind of change (Expedia's Booking Notification API). */
/** A pushed reservation in the profile's shape: Expedia names its id as HotelReservationID ResID_Type 8. */
function pushMessage(reservation: ChannelReservation, profile: ChannelProfile): string {
	if (reservation.action === 'cancel') return buildCancelRQ(reservation);
	const opts = { channelIdType: profile.idTypes?.channel };
	if (reservation.action === 'modify') return buildHotelResModifyNotifRQ([reservation], opts);
	return buildHotelResNotifRQ([reservation], opts);
}

export function signBody(body: string, secret: string): string {
	return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

async function postToHotel(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PushResult> {
	const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
	const text = await response.text();
	let ack: PushResult['ack'];
	try {
		ack = parseAckResponse(text);
	} catch {
		// Not an OTA answer (an HTML error page, an empty body): the caller still gets status and body.
		ack = undefined;
	}
	return { status: response.status, body: text, ...(ack ? { ack } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The peer.
// ---------------------------------------------------------------------------------------------

function checkOptions(opts: OtaPeerOptions): ChannelProfile {
	const profile = PROFILES[opts.profile];
	if (!profile) throw new Error(`startOtaPeer: unknown profile "${opts.profile}" (known: ${Object.keys(PROFILES).join(', ')})`);
	for (const key of ['hotelCode', 'username', 'password'] as const) {
		if (typeof opts[key] !== 'string' || opts[key] === '') throw new Error(`startOtaPeer: ${key} is required`);
	}
	return profile;
}

export async function startOtaPeer(opts: OtaPeerOptions): Promise<OtaPeer> {
	const profile = checkOptions(opts);
	const credentials = { username: opts.username, password: opts.password };
	const channel = new Channel({ profile, hotelCode: opts.hotelCode, validate: opts.validate ?? true, cardData: opts.cardData ?? 'full' });
	const transport: Transport = { profile, channel, credentials };
	const faults = new FaultInjector();
	const requests: OtaRequestRecord[] = [];
	const timers = new Set<NodeJS.Timeout>();

	function delay(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve();
			}, ms);
			timers.add(timer);
		});
	}

	function answer(req: http.IncomingMessage, path: string, body: LimitedBody): Reply {
		if (body.text === undefined) return tooLarge(transport, path, body.bytes);
		return profile.envelope === 'soap' ? answerSoap(transport, req, path, body.text) : answerXml(transport, req, path, body.text);
	}

	function send(res: http.ServerResponse, record: OtaRequestRecord, reply: Reply): void {
		Object.assign(record, { status: reply.status, ...reply.log });
		res.writeHead(reply.status, {
			'Content-Type': reply.contentType ?? XML_TYPE,
			'Content-Length': Buffer.byteLength(reply.body),
			...reply.headers,
		});
		res.end(reply.body);
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const at = Date.now();
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
		const body = await readLimitedBody(req, profile.limits.maxMessageBytes);
		// Logged on arrival, so a request never answered (timeout mode) is still in the log.
		const record: OtaRequestRecord = { method: req.method ?? 'GET', path, status: 0, bytes: body.bytes, at, valid: true };
		if (body.text !== undefined && body.bytes <= 64 * 1024) record.body = body.text;
		requests.push(record);
		if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();
		const fault = faults.take();
		if (fault?.kind === 'timeout') return; // hold the socket: stop() or the client ends it
		if (fault?.kind === '5xx') return send(res, record, plain(fault.status, 'Service temporarily unavailable (injected by the OTA peer).'));
		if (fault?.kind === 'slow') await delay(fault.delayMs);
		send(res, record, answer(req, path, body));
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (res.headersSent) return void res.end();
			res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
			res.end(`The OTA peer failed: ${(error as Error).message}`);
		});
	});
	const port = await listenOnLoopback(server, opts.port);

	let closing: Promise<void> | undefined;
	function stop(): Promise<void> {
		if (!closing) {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			// Held (timeout mode) and keep-alive sockets are ended too.
			closing = closeServer(server);
		}
		return closing;
	}

	async function pushReservation(url: string, r: QueuedReservation, pushOpts: { secret?: string; soap?: boolean; timeoutMs?: number } = {}): Promise<PushResult> {
		const xml = channel.withCards(pushMessage(channel.queue.complete(r), profile));
		const soap = pushOpts.soap ?? profile.envelope === 'soap';
		const body = soap ? wrapSoap(xml, credentials) : xml;
		const headers: Record<string, string> = { 'Content-Type': XML_TYPE };
		if (soap) headers.SOAPAction = '""';
		if (pushOpts.secret !== undefined) headers['X-OTA-Signature'] = signBody(body, pushOpts.secret);
		return postToHotel(url, body, headers, pushOpts.timeoutMs ?? PUSH_TIMEOUT_MS);
	}

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		view: channel.view,
		queueReservation(r) {
			const reservation = channel.queue.complete(r);
			// Refuse now what could not be written later, so the mistake shows at the test's line.
			buildHotelResNotifRQ([reservation]);
			return channel.queue.add(reservation);
		},
		answerNextPullWith: (xml) => void channel.rawAnswers.push(xml),
		acknowledged: channel.queue.acknowledged,
		rejected: channel.queue.rejected,
		requests,
		fail: (mode) => faults.set(mode),
		loseAriUpdates: (messages) => void (channel.ariFault.lose = messages),
		alterAriUpdates: (messages, edit) => void Object.assign(channel.ariFault, { alter: messages, edit }),
		pushReservation,
		stop,
	};
}
