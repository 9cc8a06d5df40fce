/**
 * Signing JWTs for the tests, the bench and the sandbox's demo token (scripts/start.ts). Production
 * never signs: the hotel's identity provider does. Kept out of lib/ (and so out of dist/) so the
 * shipped package holds only the verifier, lib/booking/jwtAuth.ts.
 */
import { importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface TestTokenOptions {
	/** The JWS algorithm, e.g. 'HS256', 'RS256', 'ES256'. */
	alg: string;
	/** For HS*. */
	secret?: string;
	/** PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`) for RS*, PS*, ES*, EdDSA. */
	privateKeyPem?: string;
	/**
	 * Lifetime: a jose duration string ('5m', '2h', '-1m' for an already expired token) or a
	 * number of seconds from now. `null` leaves `exp` out. Default '5m'. An `exp` in `claims` wins.
	 */
	expiresIn?: string | number | null;
}

export async function signTestToken(claims: Record<string, unknown>, options: TestTokenOptions): Promise<string> {
	const jwt = new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: options.alg, typ: 'JWT' });
	if (claims.iat === undefined) jwt.setIssuedAt();
	const expiresIn = options.expiresIn === undefined ? '5m' : options.expiresIn;
	if (claims.exp === undefined && expiresIn !== null) jwt.setExpirationTime(expiryOf(expiresIn));
	return jwt.sign(await signingKey(options));
}

/** jose reads a number as an absolute timestamp; ours means "seconds from now". */
function expiryOf(expiresIn: string | number): string | number {
	return typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn;
}

async function signingKey(options: TestTokenOptions): Promise<CryptoKey | Uint8Array> {
	if (options.alg.startsWith('HS')) {
		if (options.secret === undefined) throw new Error(`signTestToken: ${options.alg} needs a secret.`);
		return new TextEncoder().encode(options.secret);
	}
	if (options.privateKeyPem === undefined) throw new Error(`signTestToken: ${options.alg} needs privateKeyPem.`);
	return importPKCS8(options.privateKeyPem, options.alg);
}
