/**
 * A Google service account, without a Google library: we sign an RS256 JWT assertion with `jose`
 * and exchange it at the token URL (RFC 7523 jwt-bearer grant), as Google documents for
 * server-to-server apps. (google-auth-library hard-codes Google's token URL, which the local
 * Google-like server of the tests and `npm start` must replace, and its v11 needs Node ≥ 22.)
 *
 * Access tokens are kept in memory until shortly before they expire, per service account, key,
 * delegated user and token URL, so a workflow that syncs 500 reservations asks for one token.
 * The private key is never logged, never put in an error message and never sent anywhere: only the
 * signed assertion goes to the token URL.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { httpRequest, type HttpResponse } from '../http/transport';
import { invalid } from '../errors';
import { PartnerError, callPartner } from '../resilience/policy';
import { PARTNER, googleErrorOf, validateBaseUrl, type CalendarRequest, type CalendarResponse, type CalendarSend } from './client';

export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const GOOGLE_CALENDAR_API = 'https://www.googleapis.com/calendar/v3';

const TOKEN_PARTNER = 'Google token endpoint';
/** Google's maximum assertion lifetime; the token it returns lives as long (3600 s). */
const ASSERTION_LIFETIME_S = 3600;

export interface ServiceAccount {
	email: string;
	privateKey: KeyObject;
	/** Domain-wide delegation: act as this Workspace user. */
	subject?: string;
	tokenUrl: string;
	/** What its tokens are cached under (see cacheKeyOf). */
	cacheKey: string;
}

export interface CalendarConfig {
	apiBaseUrl: string;
	/** The calendar the credential test and health check read ('primary' unless one is set). */
	calendarId: string;
}

/** The API base URL and the calendar to probe, from either credential kind. */
export function calendarConfigFrom(credentials: Record<string, unknown>): CalendarConfig {
	return {
		apiBaseUrl: validateBaseUrl(credentials.apiBaseUrl || GOOGLE_CALENDAR_API, 'apiBaseUrl'),
		calendarId: String(credentials.calendarId ?? '').trim() || 'primary',
	};
}

/**
 * Reads a Hotel Google Service Account credential: e-mail, private key (PEM; the whole JSON key
 * file is accepted too, as people paste it), delegated user, token URL. Errors name the field.
 */
export function serviceAccountFrom(credentials: Record<string, unknown>): ServiceAccount {
	let keyText = String(credentials.privateKey ?? '').trim();
	let email = String(credentials.email ?? '').trim();
	if (keyText.startsWith('{')) {
		const file = parseKeyFile(keyText);
		keyText = file.private_key;
		email ||= file.client_email;
	}
	if (!email) throw invalid('email', 'The service account e-mail is missing (…@…iam.gserviceaccount.com, "client_email" in the JSON key file).');
	const privateKey = importPrivateKey(keyText);
	const subject = String(credentials.delegatedUser ?? '').trim() || undefined;
	const tokenUrl = validateBaseUrl(credentials.tokenUrl || GOOGLE_TOKEN_URL, 'tokenUrl');
	return { email, privateKey, subject, tokenUrl, cacheKey: cacheKeyOf(email, subject, tokenUrl, privateKey) };
}

function parseKeyFile(text: string): { private_key: string; client_email: string } {
	try {
		const file = JSON.parse(text) as { private_key?: unknown; client_email?: unknown };
		return { private_key: String(file.private_key ?? ''), client_email: String(file.client_email ?? '') };
	} catch {
		throw invalid('privateKey', 'The private key looks like JSON but cannot be read: paste the whole key file, or only its "private_key" value.');
	}
}

const KEY_HELP = 'Paste the "private_key" value of the JSON key file from Google Cloud, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----.';

function importPrivateKey(text: string): KeyObject {
	// Copied from the JSON file, the key's line breaks often arrive as the two characters "\n".
	const pem = text.replace(/^"|"$/g, '').replace(/\\n/g, '\n').trim();
	if (!pem) throw invalid('privateKey', `The service account private key is missing. ${KEY_HELP}`);
	let key: KeyObject;
	try {
		key = createPrivateKey({ key: pem, format: 'pem' });
	} catch {
		// The library's message is not shown: it says nothing useful and must never echo key material.
		throw invalid('privateKey', `The service account private key cannot be read as a PEM private key. ${KEY_HELP}`);
	}
	if (key.asymmetricKeyType !== 'rsa') throw invalid('privateKey', `The service account private key is not an RSA key, as Google's are. ${KEY_HELP}`);
	return key;
}

// ---- access tokens ----

interface CachedToken {
	accessToken: string;
	/** Epoch ms after which we fetch a new one (before Google's expiry, with a margin). */
	refreshAt: number;
}

const tokens = new Map<string, CachedToken>();
/** Requests in flight, so concurrent calls of one account wait for one token request. */
const pending = new Map<string, Promise<CachedToken>>();
const MAX_CACHED_TOKENS = 100;

function cacheKeyOf(email: string, subject: string | undefined, tokenUrl: string, privateKey: KeyObject): string {
	// The key's fingerprint is part of the identity: a corrected key must not reuse a token
	// obtained with the old one (nor a wrong key pass because an old token is still cached).
	const keyId = createHash('sha256').update(privateKey.export({ type: 'pkcs8', format: 'der' })).digest('base64url');
	return [email, subject ?? '', tokenUrl, keyId].join('\n');
}

/** A valid access token for the account, from the cache unless `fresh` (the credential Test). */
export async function accessToken(sa: ServiceAccount, opts: { fresh?: boolean } = {}): Promise<string> {
	const key = sa.cacheKey;
	const cached = tokens.get(key);
	if (!opts.fresh && cached && cached.refreshAt > Date.now()) return cached.accessToken;
	let request = pending.get(key);
	if (!request) {
		request = requestToken(sa).finally(() => pending.delete(key));
		pending.set(key, request);
	}
	const token = await request;
	if (tokens.size >= MAX_CACHED_TOKENS && !tokens.has(key)) tokens.delete(tokens.keys().next().value as string);
	tokens.set(key, token);
	return token.accessToken;
}

/** Forgets the account's token (Google refused it: revoked, or expired early). */
export function forgetToken(sa: ServiceAccount): void {
	tokens.delete(sa.cacheKey);
}

/** Test hook: forget every cached token. */
export function clearTokenCache(): void {
	tokens.clear();
}

async function requestToken(sa: ServiceAccount): Promise<CachedToken> {
	const jwt = new SignJWT({ scope: CALENDAR_SCOPE }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setIssuer(sa.email);
	// `sub` only with domain-wide delegation: it names the user to act as.
	if (sa.subject) jwt.setSubject(sa.subject);
	const assertion = await jwt
		.setAudience(sa.tokenUrl)
		.setIssuedAt()
		.setExpirationTime(`${ASSERTION_LIFETIME_S}s`)
		.sign(sa.privateKey);
	const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
	// One attempt here: a token is fetched inside a calendar call, whose policy retries the whole
	// call. Retrying here as well would multiply the attempts; the breaker and timeout still apply.
	const res = await callPartner(
		TOKEN_PARTNER,
		`google-token|${sa.tokenUrl}`,
		({ signal }) =>
			httpRequest(TOKEN_PARTNER, {
				method: 'POST',
				url: sa.tokenUrl,
				headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
				body,
				signal,
				returnClientErrors: true,
				maxResponseBytes: 100_000,
			}),
		{ maxAttempts: 1 },
	);
	const answer = parseJson(res) as { access_token?: unknown; expires_in?: unknown } | null;
	if (res.status >= 400) throw tokenRefused(sa, res.status, answer);
	if (typeof answer?.access_token !== 'string' || !answer.access_token) {
		throw new PartnerError(`${TOKEN_PARTNER} at ${sa.tokenUrl} answered without an access token.`, { partner: TOKEN_PARTNER, retryable: false, status: res.status });
	}
	const lifetimeS = Number(answer.expires_in) > 0 ? Number(answer.expires_in) : ASSERTION_LIFETIME_S;
	// Renew 5 minutes early (or halfway, for short-lived tokens), so no request goes out with a
	// token that expires on the way.
	const marginS = Math.min(300, lifetimeS / 2);
	return { accessToken: answer.access_token, refreshAt: Date.now() + (lifetimeS - marginS) * 1000 };
}

function tokenRefused(sa: ServiceAccount, status: number, answer: unknown): PartnerError {
	const { message, reason } = googleErrorOf(answer);
	const hint =
		reason === 'unauthorized_client'
			? ` Domain-wide delegation for ${sa.subject ?? 'the delegated user'} must allow the scope ${CALENDAR_SCOPE} (Google Workspace admin console).`
			: ' Check the service account e-mail and private key (the key may have been deleted in Google Cloud), and the delegated user if one is set.';
	return new PartnerError(`Google refused a token for service account ${sa.email} (${status}${reason ? ` ${reason}` : ''}): ${message.replace(/\.+$/, '')}.${hint}`, {
		partner: TOKEN_PARTNER,
		retryable: false,
		status,
		code: reason || undefined,
	});
}

function parseJson(res: HttpResponse): unknown {
	if (!res.body.trim()) return null;
	try {
		return JSON.parse(res.body);
	} catch {
		// An HTML error page from a proxy, say: keep its start for the message.
		return res.body;
	}
}

// ---- sending calendar requests ----

/**
 * The `send` function (see CalendarSend) for a service-account credential: a bearer token from the
 * cache, our one HTTP transport, and one retry with a new token when Google answers 401.
 * `fresh` fetches a new token first (the credential Test must prove the key still works).
 */
export function serviceAccountSender(credentials: Record<string, unknown>, opts: { fresh?: boolean } = {}): CalendarSend {
	const sa = serviceAccountFrom(credentials);
	let fresh = opts.fresh ?? false;
	return async (req: CalendarRequest): Promise<CalendarResponse> => {
		const token = await accessToken(sa, { fresh });
		fresh = false;
		let res = await sendWith(token, req);
		if (res.status === 401) {
			forgetToken(sa);
			res = await sendWith(await accessToken(sa), req);
		}
		return { status: res.status, body: parseJson(res) };
	};
}

function sendWith(token: string, req: CalendarRequest): Promise<HttpResponse> {
	return httpRequest(PARTNER, {
		method: req.method,
		url: req.url,
		headers: {
			authorization: `Bearer ${token}`,
			accept: 'application/json',
			...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: req.body === undefined ? undefined : JSON.stringify(req.body),
		signal: req.signal,
		returnClientErrors: true,
	});
}
