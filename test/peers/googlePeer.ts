/**
 * The Google peer: a local, in-memory server that speaks enough of Google's OAuth token endpoint
 * and Calendar API v3 for the Hotel Calendar node, its tests and `npm start`.
 *
 * It copies Google where our code can tell the difference:
 *  - POST /token takes the RFC 7523 jwt-bearer grant and checks the assertion as Google does
 *    (RS256 signature with the service account's public key, iss, aud = the token URL, scope,
 *    exp no more than an hour ahead); errors as `{ error, error_description }`;
 *  - the Calendar routes want a bearer token the peer issued (401 otherwise), answer errors as
 *    `{ error: { code, message, errors: [{ reason }] } }`, refuse event ids outside base32hex
 *    (400), answer 409 for an id that exists — cancelled events included, as Google keeps them —
 *    and 410 for deleting a deleted event; PUT replaces, PATCH merges, DELETE cancels.
 * Test hooks: `fail(n)` (the next n requests answer 503), `revokeTokens()`, the request log and
 * the events themselves. It binds to 127.0.0.1 only.
 */
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { closeServer, listenOnLoopback } from './localServer';

export interface GooglePeerOptions {
	/** Default 0: any free port. */
	port?: number;
	/** Calendars that exist besides 'primary'. Default: ['hotel@group.calendar.google.com']. */
	calendars?: string[];
	/** Lifetime of issued access tokens (expires_in). Default 3600. */
	tokenTtlSeconds?: number;
	/** The service account e-mail the peer accepts. Default hotel-calendar@hotel-peer.iam.gserviceaccount.com. */
	serviceAccountEmail?: string;
	/** Under which path the Calendar API lives. Default /calendar/v3. */
	basePath?: string;
	/** The service account's key pair (PEM: PKCS#8 private, SPKI public). Default: a new one per start; pass one to keep credentials valid across restarts. */
	keyPair?: { privateKey: string; publicKey: string };
}

export interface PeerEvent {
	calendarId: string;
	id: string;
	status: string;
	summary?: string;
	description?: string;
	start?: { dateTime?: string; date?: string; timeZone?: string };
	end?: { dateTime?: string; date?: string; timeZone?: string };
	sequence: number;
	created: string;
	updated: string;
	htmlLink: string;
	[field: string]: unknown;
}

export interface PeerRequest {
	method: string;
	path: string;
	status: number;
}

export interface GooglePeer {
	/** http://127.0.0.1:<port> */
	url: string;
	tokenUrl: string;
	apiBaseUrl: string;
	/** Every event in every calendar, cancelled ones included. */
	events: PeerEvent[];
	/** Every request, in order, with the status answered. */
	requests: PeerRequest[];
	/** How many tokens /token issued. */
	tokensIssued(): number;
	/** The protected header and claims of every assertion whose signature verified. */
	assertions: Array<{ header: Record<string, unknown>; claims: Record<string, unknown> }>;
	/** A valid access token, as if obtained by OAuth2 (for tests of the OAuth2 path). */
	issueToken(): string;
	/** Make the next n requests (token and calendar alike) answer with `status` (default 503). */
	fail(n: number, status?: number): void;
	/** Invalidate every token issued so far (as a revoked or expired token looks to Google). */
	revokeTokens(): void;
	/** Forget events, requests and faults (between tests); issued tokens stay valid. */
	reset(): void;
	serviceAccount: { email: string; privateKey: string; publicKey: string };
	/** The fields of a Hotel Google Service Account credential pointing at this peer. */
	credential(calendarId?: string): Record<string, string>;
	stop(): Promise<void>;
}

const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
const EVENT_ID = /^[a-v0-9]{5,1024}$/;

class GoogleError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly reason: string,
	) {
		super(message);
	}
}

export async function startGooglePeer(opts: GooglePeerOptions = {}): Promise<GooglePeer> {
	const { privateKey, publicKey } =
		opts.keyPair ??
		generateKeyPairSync('rsa', {
			modulusLength: 2048,
			privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
			publicKeyEncoding: { type: 'spki', format: 'pem' },
		});
	const verifyKey = await importSPKI(publicKey, 'RS256');
	const email = opts.serviceAccountEmail ?? 'hotel-calendar@hotel-peer.iam.gserviceaccount.com';
	const basePath = (opts.basePath ?? '/calendar/v3').replace(/\/+$/, '');
	const ttl = opts.tokenTtlSeconds ?? 3600;
	const calendars = new Set(['primary', ...(opts.calendars ?? ['hotel@group.calendar.google.com'])]);
	const tokens = new Map<string, number>(); // token → expiry (epoch ms)
	const events: PeerEvent[] = [];
	const requests: PeerRequest[] = [];
	const assertions: GooglePeer['assertions'] = [];
	let failures: { left: number; status: number } = { left: 0, status: 503 };
	let issued = 0;
	let url = '';

	const newToken = () => {
		const token = `ya29.peer-${randomBytes(16).toString('hex')}`;
		tokens.set(token, Date.now() + ttl * 1000);
		return token;
	};

	async function token(form: URLSearchParams): Promise<[number, unknown]> {
		if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
			return [400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' }];
		}
		try {
			const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', verifyKey, { algorithms: ['RS256'], issuer: email });
			assertions.push({ header: { ...protectedHeader }, claims: { ...payload } });
			// The audience is the token URL as the client knows it (127.0.0.1, localhost, a Docker host name…).
			if (typeof payload.aud !== 'string' || new URL(payload.aud).pathname !== '/token') {
				return [400, { error: 'invalid_grant', error_description: 'Invalid JWT: audience must be the token URL.' }];
			}
			if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > 3600) {
				return [400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.' }];
			}
			if (!String(payload.scope ?? '').split(' ').includes(CALENDAR_SCOPE)) {
				return [400, { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' }];
			}
		} catch {
			return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }];
		}
		issued++;
		return [200, { access_token: newToken(), expires_in: ttl, token_type: 'Bearer' }];
	}

	function authorised(header: string | undefined): boolean {
		const match = /^Bearer (\S+)$/.exec(header ?? '');
		const expiry = match ? tokens.get(match[1]) : undefined;
		return expiry !== undefined && expiry > Date.now();
	}

	function calendarOf(rawId: string): string {
		const id = decodeURIComponent(rawId);
		if (!calendars.has(id)) throw new GoogleError(404, 'Not Found', 'notFound');
		return id;
	}

	const find = (calendarId: string, id: string) => events.find((e) => e.calendarId === calendarId && e.id === id);
	const view = ({ calendarId: _calendarId, ...event }: PeerEvent) => ({ kind: 'calendar#event', ...event });

	function validTimes(event: Record<string, unknown>): void {
		for (const which of ['start', 'end'] as const) {
			const t = event[which] as PeerEvent['start'];
			if (!t || (!t.dateTime && !t.date)) throw new GoogleError(400, `Missing ${which} time.`, 'required');
			if (t.dateTime && !/[zZ]|[+-]\d{2}:\d{2}$/.test(t.dateTime) && !t.timeZone) {
				throw new GoogleError(400, `Missing time zone definition for ${which} time.`, 'required');
			}
			if (t.timeZone) {
				try {
					new Intl.DateTimeFormat('en-US', { timeZone: t.timeZone });
				} catch {
					throw new GoogleError(400, `Invalid time zone definition for ${which} time.`, 'timeRangeEmpty');
				}
			}
		}
		const start = event.start as PeerEvent['start'];
		const end = event.end as PeerEvent['end'];
		if (Date.parse(end?.dateTime ?? end?.date ?? '') <= Date.parse(start?.dateTime ?? start?.date ?? '')) {
			throw new GoogleError(400, 'The specified time range is empty.', 'timeRangeEmpty');
		}
	}

	function calendarRoute(method: string, path: string, body: Record<string, unknown>): [number, unknown] {
		const now = new Date().toISOString();
		if (method === 'GET' && path === '/users/me/calendarList') {
			return [200, { kind: 'calendar#calendarList', items: [...calendars].map((id) => ({ kind: 'calendar#calendarListEntry', id, summary: id, accessRole: 'owner' })) }];
		}
		const calendar = /^\/calendars\/([^/]+)$/.exec(path);
		if (calendar && method === 'GET') {
			const id = calendarOf(calendar[1]);
			return [200, { kind: 'calendar#calendar', id: id === 'primary' ? email : id, summary: id, timeZone: 'UTC' }];
		}
		const collection = /^\/calendars\/([^/]+)\/events$/.exec(path);
		if (collection && method === 'POST') {
			const calendarId = calendarOf(collection[1]);
			const id = body.id === undefined ? randomBytes(13).toString('hex') : String(body.id);
			if (!EVENT_ID.test(id)) throw new GoogleError(400, 'Invalid resource id value.', 'invalid');
			if (find(calendarId, id)) throw new GoogleError(409, 'The requested identifier already exists.', 'duplicate');
			validTimes(body);
			const event: PeerEvent = {
				status: 'confirmed',
				...body,
				calendarId,
				id,
				sequence: 0,
				created: now,
				updated: now,
				htmlLink: `${url}/calendar/event?eid=${Buffer.from(`${id} ${calendarId}`).toString('base64url')}`,
			};
			events.push(event);
			return [200, view(event)];
		}
		const single = /^\/calendars\/([^/]+)\/events\/([^/]+)$/.exec(path);
		if (single) {
			const calendarId = calendarOf(single[1]);
			const event = find(calendarId, decodeURIComponent(single[2]));
			if (!event) throw new GoogleError(404, 'Not Found', 'notFound');
			const keep = { calendarId, id: event.id, created: event.created, htmlLink: event.htmlLink, sequence: event.sequence + 1 };
			switch (method) {
				case 'GET':
					return [200, view(event)];
				case 'PUT':
					validTimes(body);
					// A full replacement: what the body leaves out is gone.
					for (const key of Object.keys(event)) delete event[key];
					Object.assign(event, { status: 'confirmed' }, body, keep, { updated: now });
					return [200, view(event)];
				case 'PATCH': {
					const merged = { ...event, ...body };
					validTimes(merged);
					Object.assign(event, merged, keep, { updated: now });
					return [200, view(event)];
				}
				case 'DELETE':
					if (event.status === 'cancelled') throw new GoogleError(410, 'Resource has been deleted', 'deleted');
					Object.assign(event, { status: 'cancelled', updated: now });
					return [204, null];
			}
		}
		throw new GoogleError(404, 'Not Found', 'notFound');
	}

	async function handle(req: http.IncomingMessage, raw: string): Promise<[number, unknown]> {
		const { pathname } = new URL(req.url ?? '/', 'http://peer');
		const method = req.method ?? 'GET';
		if (failures.left > 0) {
			failures.left--;
			return [failures.status, { error: { code: failures.status, message: 'The service is currently unavailable.', errors: [{ reason: 'backendError' }] } }];
		}
		if (method === 'POST' && pathname === '/token') return token(new URLSearchParams(raw));
		if (!pathname.startsWith(`${basePath}/`)) return [404, { error: { code: 404, message: 'Not Found', errors: [{ reason: 'notFound' }] } }];
		if (!authorised(req.headers.authorization)) {
			return [401, { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.', errors: [{ reason: 'authError' }], status: 'UNAUTHENTICATED' } }];
		}
		let body: Record<string, unknown> = {};
		if (raw.trim()) {
			try {
				body = JSON.parse(raw) as Record<string, unknown>;
			} catch {
				return [400, { error: { code: 400, message: 'Parse Error', errors: [{ reason: 'parseError' }] } }];
			}
		}
		try {
			return calendarRoute(method, pathname.slice(basePath.length), body);
		} catch (error) {
			if (!(error instanceof GoogleError)) throw error;
			return [error.status, { error: { code: error.status, message: error.message, errors: [{ domain: 'global', reason: error.reason, message: error.message }] } }];
		}
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			handle(req, Buffer.concat(chunks).toString('utf8'))
				.catch((error: Error) => [500, { error: { code: 500, message: error.message } }] as [number, unknown])
				.then(([status, body]) => {
					requests.push({ method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://peer').pathname, status });
					if (body === null) res.writeHead(status).end();
					else res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body, null, 2));
				});
		});
	});
	url = `http://127.0.0.1:${await listenOnLoopback(server, opts.port)}`;

	return {
		url,
		tokenUrl: `${url}/token`,
		apiBaseUrl: `${url}${basePath}`,
		events,
		requests,
		tokensIssued: () => issued,
		assertions,
		issueToken: newToken,
		fail(n, status = 503) {
			failures = { left: n, status };
		},
		revokeTokens: () => tokens.clear(),
		reset() {
			events.length = 0;
			requests.length = 0;
			failures = { left: 0, status: 503 };
		},
		serviceAccount: { email, privateKey, publicKey },
		credential: (calendarId = 'primary') => ({ email, privateKey, delegatedUser: '', calendarId, tokenUrl: `${url}/token`, apiBaseUrl: `${url}${basePath}` }),
		stop: () => closeServer(server),
	};
}
