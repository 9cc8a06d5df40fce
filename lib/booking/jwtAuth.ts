/**
 * Authentication of the booking-engine REST API: every request carries
 * `Authorization: Bearer <JWT>`. jose verifies the signature and the time claims; around it we
 * add what a bare `jwtVerify` call leaves to the caller: the algorithm is checked against the
 * operator's allow-list *before* a key is chosen (so an attacker cannot pick HS256 and have the
 * RSA public key used as an HMAC secret), every token must expire, the key for each algorithm
 * family comes from its own config field, and each failure is turned into a short, stable answer
 * (HTTP status + a stable code, the reason) that never echoes the token or the secret.
 */
import { decodeProtectedHeader, importSPKI, jwtVerify, type CryptoKey } from 'jose';
import { HttpRefusal } from '../errors';

export interface JwtAuthConfig {
	/** The allowed algorithms: 'HS256' | 'HS384' | 'HS512' with `secret`, or RS*, PS*, ES*, EdDSA with `publicKeyPem`. */
	algorithms: string[];
	/** Shared secret for HS*; at least as many bytes as the hash output (RFC 7518 §3.2). */
	secret?: string;
	/** SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`) for RS*, PS*, ES*, EdDSA. */
	publicKeyPem?: string;
	/** Checked when set (an empty string counts as not set). */
	issuer?: string;
	/** Checked when set (an empty string counts as not set). */
	audience?: string;
	/** Read from `scope` (space-separated, OAuth2 style) or the `scp` / `scopes` claims. */
	requiredScope: string;
	/** Allowed clock skew for `exp` and `nbf`; default 30. */
	clockToleranceSeconds?: number;
}

export type AuthFailureReason =
	| 'missing_token'
	| 'malformed'
	| 'bad_signature'
	| 'expired'
	| 'not_yet_valid'
	| 'wrong_issuer'
	| 'wrong_audience'
	| 'algorithm_not_allowed'
	| 'insufficient_scope'
	| 'misconfigured';

/**
 * A refused request: `status` is the HTTP answer, its `code` the reason, a stable word for logs
 * and clients; the answer tells the client which kind of bearer failure it is (RFC 6750 §3).
 */
function authFailure(status: 401 | 403, message: string, reason: AuthFailureReason): HttpRefusal {
	const error = status === 403 ? 'insufficient_scope' : 'invalid_token';
	return new HttpRefusal(status, message, { code: reason, headers: { 'WWW-Authenticate': `Bearer error="${error}"` } });
}

export interface AuthenticatedCaller {
	subject?: string;
	scopes: string[];
	claims: Record<string, unknown>;
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Real access tokens are a few hundred bytes to a few KB. Refusing anything longer before
 * parsing keeps a hostile 100 KB header from costing base64 and JSON work on every request.
 */
export const MAX_AUTHORIZATION_HEADER_CHARS = 8192;

/** Minimum secret length per HMAC algorithm: the hash output size (RFC 7518 §3.2 "MUST"). */
const HMAC_MIN_SECRET_BYTES = new Map([
	['HS256', 32],
	['HS384', 48],
	['HS512', 64],
]);

const PUBLIC_KEY_ALGORITHMS = new Set([
	'RS256',
	'RS384',
	'RS512',
	'PS256',
	'PS384',
	'PS512',
	'ES256',
	'ES384',
	'ES512',
	'EdDSA',
	'Ed25519',
]);

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export async function authenticateBearer(
	authorizationHeader: string | string[] | undefined,
	config: JwtAuthConfig,
): Promise<AuthenticatedCaller> {
	// Configuration first: a broken endpoint should say so on every request, not only when a
	// caller happens to present a token for the algorithm that lacks a key.
	validateConfig(config);
	const token = extractBearerToken(authorizationHeader);
	const alg = allowedAlgorithmOf(token, config.algorithms);
	const key = await verificationKey(alg, config);

	const claims = await verifyToken(token, key, alg, config);
	const scopes = grantedScopes(claims);
	const requiredScope = config.requiredScope.trim();
	if (!scopes.includes(requiredScope)) {
		throw authFailure(403, `The token does not grant the required scope "${requiredScope}".`, 'insufficient_scope');
	}
	return { subject: typeof claims.sub === 'string' ? claims.sub : undefined, scopes, claims };
}

// ---- configuration ----

function misconfigured(message: string): HttpRefusal {
	return authFailure(401, `JWT authentication is misconfigured: ${message}`, 'misconfigured');
}

function validateConfig(config: JwtAuthConfig): void {
	if (!Array.isArray(config.algorithms) || config.algorithms.length === 0) {
		throw misconfigured('set at least one allowed algorithm (e.g. HS256 or RS256).');
	}
	for (const alg of config.algorithms) validateAlgorithmKey(alg, config);
	if (typeof config.requiredScope !== 'string' || config.requiredScope.trim() === '') {
		throw misconfigured('set requiredScope (e.g. "reservations").');
	}
	const tolerance = config.clockToleranceSeconds;
	if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0)) {
		throw misconfigured('clockToleranceSeconds must be a number of seconds, 0 or more.');
	}
}

function validateAlgorithmKey(alg: string, config: JwtAuthConfig): void {
	const minSecretBytes = HMAC_MIN_SECRET_BYTES.get(alg);
	if (minSecretBytes !== undefined) {
		validateSecret(alg, config.secret, minSecretBytes);
	} else if (PUBLIC_KEY_ALGORITHMS.has(alg)) {
		if (!config.publicKeyPem || !config.publicKeyPem.includes('-----BEGIN PUBLIC KEY-----')) {
			throw misconfigured(`set publicKeyPem to the issuer's SPKI public key ("-----BEGIN PUBLIC KEY-----") for ${alg}.`);
		}
	} else {
		// 'none' lands here too: an unsigned token is never acceptable, whatever the list says.
		throw misconfigured(`algorithm "${alg}" is not supported; use HS256/384/512, RS*, PS*, ES* or EdDSA.`);
	}
}

function validateSecret(alg: string, secret: string | undefined, minBytes: number): void {
	if (!secret) throw misconfigured(`set secret (the shared HMAC secret) for ${alg}.`);
	// A PEM pasted as the HMAC secret is the classic algorithm-confusion set-up: the "secret"
	// would be a public key that anyone can download and sign with.
	if (secret.includes('-----BEGIN')) {
		throw misconfigured(`secret looks like a PEM key; put public keys in publicKeyPem with an RS/PS/ES algorithm.`);
	}
	if (Buffer.byteLength(secret, 'utf8') < minBytes) {
		throw misconfigured(`the ${alg} secret must be at least ${minBytes} bytes long.`);
	}
}

// ---- the request ----

function extractBearerToken(header: string | string[] | undefined): string {
	// Two Authorization headers are ambiguous (which one did the proxy check?); refuse them.
	if (Array.isArray(header) && header.length > 1) {
		throw authFailure(401, 'Send exactly one Authorization header.', 'missing_token');
	}
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value.trim() === '') {
		throw authFailure(401, 'Missing Authorization header: send "Authorization: Bearer <token>".', 'missing_token');
	}
	if (value.length > MAX_AUTHORIZATION_HEADER_CHARS) {
		throw authFailure(401, 'The Authorization header is too long.', 'malformed');
	}
	// The scheme name is case-insensitive (RFC 7235 §2.1).
	const match = /^Bearer +(\S+) *$/i.exec(value.trim());
	if (!match) {
		throw authFailure(401, 'Expected "Authorization: Bearer <token>".', 'missing_token');
	}
	return match[1];
}

/** Reads `alg` from the (still unverified) header and refuses it unless the operator allowed it. */
function allowedAlgorithmOf(token: string, allowed: string[]): string {
	if (!JWT_SHAPE.test(token)) {
		throw authFailure(401, 'The bearer token is not a JWT (expected three base64url parts).', 'malformed');
	}
	let alg: unknown;
	try {
		alg = decodeProtectedHeader(token).alg;
	} catch {
		throw authFailure(401, 'The bearer token header cannot be decoded.', 'malformed');
	}
	if (typeof alg !== 'string' || alg === '') {
		throw authFailure(401, 'The bearer token header has no algorithm.', 'malformed');
	}
	// Exact, case-sensitive match: 'none', 'None' and 'NONE' are all simply not on the list.
	if (!allowed.includes(alg)) {
		throw authFailure(401, 'The token is signed with an algorithm this API does not accept.', 'algorithm_not_allowed');
	}
	return alg;
}

// ---- keys ----

type VerificationKey = CryptoKey | Uint8Array;

/**
 * Imported public keys, by algorithm and PEM. Keyed by content rather than by config object so
 * that a config rebuilt for every request (as n8n does from credentials) still hits the cache.
 * Bounded because the PEM is operator input and nothing else evicts entries.
 */
const publicKeyCache = new Map<string, Promise<CryptoKey>>();
const PUBLIC_KEY_CACHE_LIMIT = 32;

/** The key comes from the field of the algorithm's family, never from the other one. */
function verificationKey(alg: string, config: JwtAuthConfig): Promise<VerificationKey> | VerificationKey {
	if (HMAC_MIN_SECRET_BYTES.has(alg)) return new TextEncoder().encode(config.secret);
	return importPublicKey(alg, config.publicKeyPem as string);
}

function importPublicKey(alg: string, pem: string): Promise<CryptoKey> {
	const cacheKey = `${alg}\n${pem}`;
	let key = publicKeyCache.get(cacheKey);
	if (!key) {
		key = importSPKI(pem, alg).catch(() => {
			// Forget failures, so a corrected PEM in the same process is not masked by the cache.
			publicKeyCache.delete(cacheKey);
			throw misconfigured(`publicKeyPem could not be imported as an SPKI public key for ${alg}.`);
		});
		if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) {
			publicKeyCache.delete(publicKeyCache.keys().next().value as string);
		}
		publicKeyCache.set(cacheKey, key);
	}
	return key;
}

// ---- verification ----

async function verifyToken(
	token: string,
	key: VerificationKey,
	alg: string,
	config: JwtAuthConfig,
): Promise<Record<string, unknown>> {
	try {
		const { payload } = await jwtVerify(token, key, {
			// Only the algorithm the key was chosen for: jose re-checks the header against it.
			algorithms: [alg],
			issuer: config.issuer || undefined,
			audience: config.audience || undefined,
			// A token without expiry would be a password that never changes.
			requiredClaims: ['exp'],
			clockTolerance: config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
		});
		return payload as Record<string, unknown>;
	} catch (error) {
		throw asAuthFailure(error);
	}
}

/** jose's messages are written for developers; callers get ours. Unknown errors stay loud. */
function asAuthFailure(error: unknown): unknown {
	const { code, claim, reason } = (error ?? {}) as { code?: string; claim?: string; reason?: string };
	switch (code) {
		case 'ERR_JWT_EXPIRED':
			return authFailure(401, 'The token has expired.', 'expired');
		case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
			return claimFailure(claim, reason);
		case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
			return authFailure(401, 'The token signature is not valid.', 'bad_signature');
		case 'ERR_JOSE_ALG_NOT_ALLOWED':
			return authFailure(401, 'The token is signed with an algorithm this API does not accept.', 'algorithm_not_allowed');
		case 'ERR_JWS_INVALID':
		case 'ERR_JWT_INVALID':
		case 'ERR_JOSE_NOT_SUPPORTED':
			return authFailure(401, 'The bearer token is not a valid JWT.', 'malformed');
		default:
			return error;
	}
}

function claimFailure(claim: string | undefined, reason: string | undefined): HttpRefusal {
	if (claim === 'exp' && reason === 'missing') {
		return authFailure(401, 'The token has no expiry (exp claim); only expiring tokens are accepted.', 'malformed');
	}
	if (claim === 'nbf' && reason === 'check_failed') {
		return authFailure(401, 'The token is not valid yet (nbf is in the future).', 'not_yet_valid');
	}
	if (claim === 'iss') return authFailure(401, 'The token was issued by an unexpected issuer.', 'wrong_issuer');
	if (claim === 'aud') return authFailure(401, 'The token is not intended for this API (audience).', 'wrong_audience');
	return authFailure(401, 'The token has an invalid claim.', 'malformed');
}

// ---- scopes ----

/** Union of the OAuth2 `scope` string and the `scp` / `scopes` claims (arrays or strings). */
function grantedScopes(claims: Record<string, unknown>): string[] {
	const scopes = new Set<string>();
	for (const name of ['scope', 'scp', 'scopes']) addScopes(claims[name], scopes);
	return [...scopes];
}

function addScopes(value: unknown, into: Set<string>): void {
	if (typeof value === 'string') {
		for (const scope of value.split(/\s+/)) if (scope !== '') into.add(scope);
	} else if (Array.isArray(value)) {
		for (const scope of value) if (typeof scope === 'string' && scope !== '') into.add(scope);
	}
}
