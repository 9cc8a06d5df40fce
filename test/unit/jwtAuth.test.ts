import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, importSPKI } from 'jose';
import { authenticateBearer, type AuthFailureReason, type JwtAuthConfig } from '../../lib/booking/jwtAuth';
import { HttpRefusal } from '../../lib/errors';
import { signTestToken } from '../support/testTokens';

// Wrap importSPKI (behaviour unchanged) so the key cache can be observed.
jest.mock('jose', () => {
	const actual = jest.requireActual('jose');
	return { ...actual, importSPKI: jest.fn(actual.importSPKI) };
});

const secret = 'booking-engine-test-secret-0123456789abcdef';
const issuer = 'https://idp.hotel.example';
const audience = 'booking-api';
const claims = { sub: 'channel-manager-7', iss: issuer, aud: audience, scope: 'availability reservations' };
const hsConfig: JwtAuthConfig = { algorithms: ['HS256'], secret, issuer, audience, requiredScope: 'reservations' };

const rsa = pemPair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const ec = pemPair(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const rsConfig: JwtAuthConfig = { ...hsConfig, algorithms: ['RS256'], secret: undefined, publicKeyPem: rsa.publicKeyPem };
const esConfig: JwtAuthConfig = { ...hsConfig, algorithms: ['ES256'], secret: undefined, publicKeyPem: ec.publicKeyPem };

function pemPair(pair: { publicKey: import('node:crypto').KeyObject; privateKey: import('node:crypto').KeyObject }) {
	return {
		publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
		privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
	};
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hs256 = (overrides: Record<string, unknown> = {}, expiresIn?: string | number | null) =>
	signTestToken({ ...claims, ...overrides }, { alg: 'HS256', secret, expiresIn });

/** Every refusal must say nothing about the token or the secret. */
async function refusal(header: string | string[] | undefined, config: JwtAuthConfig): Promise<HttpRefusal> {
	try {
		await authenticateBearer(header, config);
	} catch (error) {
		expect(error).toBeInstanceOf(HttpRefusal);
		const token = typeof header === 'string' ? header.replace(/^bearer\s+/i, '') : '';
		if (token.length > 8) expect((error as Error).message).not.toContain(token);
		expect((error as Error).message).not.toContain(secret);
		return error as HttpRefusal;
	}
	throw new Error('expected a refusal');
}

async function expectRefused(
	header: string | string[] | undefined,
	config: JwtAuthConfig,
	status: 401 | 403,
	reason: AuthFailureReason,
): Promise<HttpRefusal> {
	const error = await refusal(header, config);
	expect({ status: error.status, reason: error.code }).toEqual({ status, reason });
	// The answer tells the client which kind of bearer failure it is (RFC 6750 §3).
	expect(error.headers['WWW-Authenticate']).toBe(`Bearer error="${status === 403 ? 'insufficient_scope' : 'invalid_token'}"`);
	return error;
}

describe('authenticateBearer: valid tokens', () => {
	it('accepts an HS256 token whose scope string holds the required scope', async () => {
		const caller = await authenticateBearer(`Bearer ${await hs256()}`, hsConfig);
		expect(caller.subject).toBe('channel-manager-7');
		expect(caller.scopes).toEqual(['availability', 'reservations']);
		expect(caller.claims.iss).toBe(issuer);
	});

	it('reads scopes from scp and scopes arrays', async () => {
		const scp = await hs256({ scope: undefined, scp: ['reservations', 'rates'] });
		expect((await authenticateBearer(`Bearer ${scp}`, hsConfig)).scopes).toEqual(['reservations', 'rates']);
		const scopes = await hs256({ scope: undefined, scopes: ['reservations'] });
		expect((await authenticateBearer(`Bearer ${scopes}`, hsConfig)).scopes).toEqual(['reservations']);
	});

	it('accepts the scheme in any case and a one-element header array', async () => {
		const token = await hs256();
		await expect(authenticateBearer(`bearer ${token}`, hsConfig)).resolves.toBeDefined();
		await expect(authenticateBearer([`Bearer ${token}`], hsConfig)).resolves.toBeDefined();
	});

	it('skips issuer and audience checks when they are not configured', async () => {
		const token = await hs256({ iss: 'someone-else', aud: undefined });
		const config = { ...hsConfig, issuer: undefined, audience: '' };
		await expect(authenticateBearer(`Bearer ${token}`, config)).resolves.toBeDefined();
	});

	it('accepts an RS256 token signed with the configured key pair', async () => {
		const token = await signTestToken(claims, { alg: 'RS256', privateKeyPem: rsa.privateKeyPem });
		expect((await authenticateBearer(`Bearer ${token}`, rsConfig)).subject).toBe('channel-manager-7');
	});

	it('accepts an ES256 token signed with the configured key pair', async () => {
		const token = await signTestToken(claims, { alg: 'ES256', privateKeyPem: ec.privateKeyPem });
		expect((await authenticateBearer(`Bearer ${token}`, esConfig)).subject).toBe('channel-manager-7');
	});

	it('imports a public key once, even when the config object is rebuilt per request', async () => {
		const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' });
		const pair = pemPair(pem);
		const token = await signTestToken(claims, { alg: 'ES256', privateKeyPem: pair.privateKeyPem });
		const importMock = importSPKI as jest.MockedFunction<typeof importSPKI>;
		const before = importMock.mock.calls.filter(([p]) => p === pair.publicKeyPem).length;
		for (let i = 0; i < 3; i++) {
			await authenticateBearer(`Bearer ${token}`, { ...esConfig, publicKeyPem: pair.publicKeyPem });
		}
		expect(importMock.mock.calls.filter(([p]) => p === pair.publicKeyPem).length - before).toBe(1);
	});
});

describe('authenticateBearer: signature and structure', () => {
	it('refuses a token signed with another secret', async () => {
		const forged = await signTestToken(claims, { alg: 'HS256', secret: 'an-attacker-secret-of-sufficient-length!!' });
		const error = await expectRefused(`Bearer ${forged}`, hsConfig, 401, 'bad_signature');
		expect(error.message).toBe('The token signature is not valid.');
	});

	it('refuses a token whose payload was changed after signing', async () => {
		const [header, , signature] = (await hs256({ scope: 'availability' })).split('.');
		const tampered = `${header}.${b64url({ ...claims, exp: nowSeconds() + 300 })}.${signature}`;
		await expectRefused(`Bearer ${tampered}`, hsConfig, 401, 'bad_signature');
	});

	it('refuses garbage tokens as malformed', async () => {
		await expectRefused('Bearer not-a-jwt', hsConfig, 401, 'malformed');
		await expectRefused('Bearer a.b.c', hsConfig, 401, 'malformed');
		await expectRefused('Bearer %%%.$$$.***', hsConfig, 401, 'malformed');
		// A header that is base64url but not JSON ("not json").
		await expectRefused('Bearer bm90IGpzb24.e30.x', hsConfig, 401, 'malformed');
	});

	it('refuses a correctly signed token whose payload is not a JSON object', async () => {
		const header = b64url({ alg: 'HS256', typ: 'JWT' });
		const payload = Buffer.from('"just a string"').toString('base64url');
		const { createHmac } = await import('node:crypto');
		const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
		await expectRefused(`Bearer ${header}.${payload}.${signature}`, hsConfig, 401, 'malformed');
	});

	it('refuses a 100 KB Authorization header quickly', async () => {
		const started = performance.now();
		const error = await expectRefused(`Bearer ${'a'.repeat(100 * 1024)}`, hsConfig, 401, 'malformed');
		expect(performance.now() - started).toBeLessThan(1_000); // a backtracking parser would take far longer
		expect(error.message.length).toBeLessThan(100);
	});
});

describe('authenticateBearer: time claims', () => {
	it('refuses an expired token', async () => {
		const error = await expectRefused(`Bearer ${await hs256({}, -120)}`, hsConfig, 401, 'expired');
		expect(error.message).toBe('The token has expired.');
	});

	it('tolerates 30 seconds of clock skew by default, and less when configured', async () => {
		const justExpired = await hs256({}, -10);
		await expect(authenticateBearer(`Bearer ${justExpired}`, hsConfig)).resolves.toBeDefined();
		await expectRefused(`Bearer ${justExpired}`, { ...hsConfig, clockToleranceSeconds: 0 }, 401, 'expired');
	});

	it('refuses a token without exp', async () => {
		const error = await expectRefused(`Bearer ${await hs256({}, null)}`, hsConfig, 401, 'malformed');
		expect(error.message).toMatch(/exp/);
	});

	it('refuses a token that is not valid yet', async () => {
		const token = await hs256({ nbf: nowSeconds() + 600 }, '20m');
		await expectRefused(`Bearer ${token}`, hsConfig, 401, 'not_yet_valid');
	});
});

describe('authenticateBearer: issuer, audience, scope', () => {
	it('refuses a wrong or missing issuer', async () => {
		await expectRefused(`Bearer ${await hs256({ iss: 'https://evil.example' })}`, hsConfig, 401, 'wrong_issuer');
		await expectRefused(`Bearer ${await hs256({ iss: undefined })}`, hsConfig, 401, 'wrong_issuer');
	});

	it('refuses a wrong audience', async () => {
		await expectRefused(`Bearer ${await hs256({ aud: 'payments-api' })}`, hsConfig, 401, 'wrong_audience');
		await expectRefused(`Bearer ${await hs256({ aud: ['payments-api', 'crm'] })}`, hsConfig, 401, 'wrong_audience');
	});

	it('answers 403 to a valid token without the required scope', async () => {
		const error = await expectRefused(`Bearer ${await hs256({ scope: 'availability' })}`, hsConfig, 403, 'insufficient_scope');
		expect(error.message).toContain('"reservations"');
		await expectRefused(`Bearer ${await hs256({ scope: undefined })}`, hsConfig, 403, 'insufficient_scope');
		// Scopes match exactly: a prefix or a longer name is not the scope.
		await expectRefused(`Bearer ${await hs256({ scope: 'reservations:read' })}`, hsConfig, 403, 'insufficient_scope');
	});
});

describe('authenticateBearer: algorithms', () => {
	it('refuses alg "none" (hand-made unsigned token), in any spelling', async () => {
		const payload = b64url({ ...claims, exp: nowSeconds() + 300 });
		for (const alg of ['none', 'None', 'NONE']) {
			const unsigned = `${b64url({ alg, typ: 'JWT' })}.${payload}.`;
			await expectRefused(`Bearer ${unsigned}`, hsConfig, 401, 'algorithm_not_allowed');
		}
	});

	it('refuses an HS256 token presented to an RS256-only config', async () => {
		await expectRefused(`Bearer ${await hs256()}`, rsConfig, 401, 'algorithm_not_allowed');
	});

	it('refuses an HS256 token signed with the RSA public key PEM as the secret (algorithm confusion)', async () => {
		const confused = await signTestToken(claims, { alg: 'HS256', secret: rsa.publicKeyPem });
		await expectRefused(`Bearer ${confused}`, rsConfig, 401, 'algorithm_not_allowed');
		// Even where HS256 is allowed too, its key is the secret, never the public key.
		const both = { ...rsConfig, algorithms: ['RS256', 'HS256'], secret };
		await expectRefused(`Bearer ${confused}`, both, 401, 'bad_signature');
	});

	it('refuses an ES256 token on an RS256-only config, and an RS256 token signed by another key', async () => {
		const es = await signTestToken(claims, { alg: 'ES256', privateKeyPem: ec.privateKeyPem });
		await expectRefused(`Bearer ${es}`, rsConfig, 401, 'algorithm_not_allowed');
		const other = pemPair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
		const forged = await signTestToken(claims, { alg: 'RS256', privateKeyPem: other.privateKeyPem });
		await expectRefused(`Bearer ${forged}`, rsConfig, 401, 'bad_signature');
	});

	it('ignores a public key embedded in the token header', async () => {
		const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const jwk = await exportJWK(attacker.publicKey);
		const { SignJWT } = await import('jose');
		const token = await new SignJWT({ ...claims })
			.setProtectedHeader({ alg: 'RS256', jwk })
			.setExpirationTime('5m')
			.sign(attacker.privateKey);
		await expectRefused(`Bearer ${token}`, rsConfig, 401, 'bad_signature');
	});
});

describe('authenticateBearer: missing or other credentials', () => {
	it('refuses a missing or empty header', async () => {
		await expectRefused(undefined, hsConfig, 401, 'missing_token');
		await expectRefused('', hsConfig, 401, 'missing_token');
		await expectRefused('   ', hsConfig, 401, 'missing_token');
		await expectRefused([], hsConfig, 401, 'missing_token');
		await expectRefused('Bearer', hsConfig, 401, 'missing_token');
	});

	it('refuses other schemes', async () => {
		await expectRefused('Basic dXNlcjpwYXNzd29yZA==', hsConfig, 401, 'missing_token');
		await expectRefused(`Token ${await hs256()}`, hsConfig, 401, 'missing_token');
	});

	it('refuses two Authorization headers', async () => {
		const token = await hs256();
		await expectRefused([`Bearer ${token}`, `Bearer ${token}`], hsConfig, 401, 'missing_token');
	});
});

describe('authenticateBearer: configuration', () => {
	async function misconfigured(config: JwtAuthConfig, mentions: RegExp): Promise<void> {
		const error = await expectRefused(`Bearer ${await hs256()}`, config, 401, 'misconfigured');
		expect(error.message).toMatch(mentions);
	}

	it('tells the operator which key to set', async () => {
		await misconfigured({ ...hsConfig, secret: undefined }, /set secret/);
		await misconfigured({ ...hsConfig, algorithms: ['HS256', 'RS256'] }, /set publicKeyPem/);
		await misconfigured({ ...rsConfig, publicKeyPem: 'not a pem' }, /publicKeyPem/);
	});

	it('refuses short HMAC secrets and PEMs used as HMAC secrets', async () => {
		await misconfigured({ ...hsConfig, secret: 'secret' }, /at least 32 bytes/);
		await misconfigured({ ...hsConfig, secret: rsa.publicKeyPem }, /looks like a PEM/);
	});

	it('refuses an empty algorithm list, "none" and unknown algorithms', async () => {
		await misconfigured({ ...hsConfig, algorithms: [] }, /at least one/);
		await misconfigured({ ...hsConfig, algorithms: ['HS256', 'none'] }, /"none" is not supported/);
		await misconfigured({ ...hsConfig, algorithms: ['toString'] }, /not supported/);
	});

	it('refuses a public key that does not import for the algorithm', async () => {
		const error = await expectRefused(
			`Bearer ${await signTestToken(claims, { alg: 'ES256', privateKeyPem: ec.privateKeyPem })}`,
			{ ...esConfig, publicKeyPem: rsa.publicKeyPem },
			401,
			'misconfigured',
		);
		expect(error.message).toMatch(/could not be imported/);
	});

	it('requires a scope to check', async () => {
		await misconfigured({ ...hsConfig, requiredScope: ' ' }, /requiredScope/);
	});
});
