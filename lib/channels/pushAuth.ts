/**
 * Who may push reservations: the channel, proven either by an HMAC-SHA256 signature of the raw
 * body with the credential's webhook secret (X-OTA-Signature: sha256=<hex>), or, without a secret,
 * by the channel's username and password: HTTP Basic for plain XML, the WS-Security UsernameToken
 * for SOAP. Every comparison is constant-time, so timing tells an attacker nothing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpRefusal } from '../errors';
import type { SoapCredentials } from '../ota';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

export function checkSignature(rawBody: Buffer, header: string | string[] | undefined, secret: string): void {
	const match = SIGNATURE.exec(typeof header === 'string' ? header.trim() : '');
	if (!match) throw new HttpRefusal(401, 'The X-OTA-Signature header is missing or not "sha256=<hex>".');
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	if (!timingSafeEqual(Buffer.from(match[1], 'hex'), expected)) {
		throw new HttpRefusal(401, 'The X-OTA-Signature does not match the body (check the webhook secret).');
	}
}

export function checkBasicAuth(header: string | undefined, expected: SoapCredentials): void {
	const [scheme = '', encoded = ''] = (header ?? '').split(' ', 2);
	const decoded = /^basic$/i.test(scheme) ? Buffer.from(encoded, 'base64').toString('utf8') : '';
	const colon = decoded.indexOf(':');
	const given = colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
	if (!given || !sameCredentials(given, expected)) throw new HttpRefusal(401, 'HTTP Basic authentication failed: credentials missing or wrong.');
}

export function checkUsernameToken(token: SoapCredentials | undefined, expected: SoapCredentials): void {
	if (!token || !sameCredentials(token, expected)) {
		throw new HttpRefusal(401, 'WS-Security authentication failed: UsernameToken missing or wrong.');
	}
}

/** Both compared, always, so a wrong user name takes as long as a wrong password. */
function sameCredentials(given: SoapCredentials, expected: SoapCredentials): boolean {
	const userOk = sameText(given.username, expected.username);
	const passwordOk = sameText(given.password, expected.password);
	return userOk && passwordOk;
}

/** Compares digests, so neither the length nor the content leaks through timing. */
function sameText(given: string, expected: string): boolean {
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}
