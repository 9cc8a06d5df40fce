import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from '../../lib/http/transport';
import { PartnerError } from '../../lib/resilience/policy';

let server: http.Server;
let base: string;
beforeAll(async () => {
	server = http.createServer((req, res) => {
		const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200);
		if (req.url!.startsWith('/big')) {
			res.writeHead(200);
			res.end('x'.repeat(2_000));
			return;
		}
		res.writeHead(status, { 'content-type': 'text/xml' });
		res.end(`<answer status="${status}"/>`);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const failure = async (p: Promise<unknown>) => {
	const e = await p.then(() => undefined, (x) => x);
	expect(e).toBeInstanceOf(PartnerError);
	return e as PartnerError;
};

it('returns the body of a 2xx answer', async () => {
	expect(await httpRequest('OTA', { method: 'POST', url: `${base}/ok`, body: '<x/>' })).toMatchObject({ status: 200, body: '<answer status="200"/>' });
});

it('marks 5xx, 429 and unreachable as retryable, other 4xx as refusals', async () => {
	expect((await failure(httpRequest('OTA', { method: 'GET', url: `${base}/?status=503` }))).details).toMatchObject({ retryable: true, status: 503 });
	expect((await failure(httpRequest('OTA', { method: 'GET', url: `${base}/?status=429` }))).details.retryable).toBe(true);
	expect((await failure(httpRequest('OTA', { method: 'GET', url: `${base}/?status=400` }))).details).toMatchObject({ retryable: false, status: 400 });
	expect((await failure(httpRequest('OTA', { method: 'GET', url: 'http://127.0.0.1:1/' }))).details.retryable).toBe(true);
});

it('refuses an answer larger than the cap', async () => {
	const e = await failure(httpRequest('OTA', { method: 'GET', url: `${base}/big`, maxResponseBytes: 1_000 }));
	expect(e.message).toMatch(/more than the 1000 bytes/);
});
