/**
 * The load generator: sends prepared requests to one URL with a fixed number of requests in flight
 * and records each answer's status and latency. Bounded twice: by the number of prepared requests
 * and by a deadline, so a stuck n8n cannot make the bench run forever. POST with a JSON body by
 * default (the payment webhook); GET with a query string for the booking engine's availability.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One prepared request: built (and signed) before the phase, so the timed loop only sends. */
export interface Shot {
	body: string;
	headers: Record<string, string>;
	/** Default POST. A GET sends no body. */
	method?: 'GET' | 'POST';
	/** Appended to the phase URL, e.g. `?arrival=…&departure=…`. */
	query?: string;
}

/** What a phase is run against; the bench's cases all have this shape. */
export interface LoadTarget {
	url: string;
	/** n prepared requests. */
	shots(n: number): Shot[];
	/** The status that counts as success. Default 200. */
	okStatus?: number;
	/**
	 * When given, the body of every successful answer is read and put in a class (e.g. the cache's
	 * "hit" or "miss"); PhaseResult.classes counts them. Otherwise bodies are drained unread.
	 */
	classify?: (body: string, headers: http.IncomingHttpHeaders) => string;
}

export interface PhaseOptions {
	url: string;
	concurrency: number;
	/** No new request is started after this long; requests in flight still finish. */
	deadlineMs: number;
	/** A request without an answer after this long counts as an error (status 0). */
	requestTimeoutMs: number;
	/** See LoadTarget. */
	okStatus?: number;
	classify?: (body: string, headers: http.IncomingHttpHeaders) => string;
}

export interface PhaseResult {
	sent: number;
	/** Answers with the expected status (200 unless the phase says otherwise). */
	ok: number;
	/** Every other answer, by status ("0" = network error or timeout). */
	errors: Record<string, number>;
	/** Latency of the successful answers only, in ms, in completion order. */
	latenciesMs: number[];
	/** Successful answers by the class `classify` gave their body; empty without `classify`. */
	classes: Record<string, number>;
	wallMs: number;
	/** True when the deadline stopped the phase before every prepared request was sent. */
	truncated: boolean;
	/** Set by the caller where it can be read: n8n's process CPU time during the phase (ms). */
	n8nCpuMs?: number;
	/** Set by the caller where n8n's metrics are on: expression isolates n8n took during the phase. */
	n8nIsolates?: number;
}

export async function runPhase(shots: Shot[], o: PhaseOptions): Promise<PhaseResult> {
	// A fresh agent per phase: keep-alive sockets left idle during the other case's phase could be
	// closed by n8n at the moment we reuse them, and that race would show up as false errors.
	const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
	const target = new URL(o.url);
	const result: PhaseResult = { sent: 0, ok: 0, errors: {}, latenciesMs: [], classes: {}, wallMs: 0, truncated: false };
	const okStatus = o.okStatus ?? 200;
	const deadline = Date.now() + o.deadlineMs;
	let next = 0;

	const worker = async () => {
		while (next < shots.length && Date.now() < deadline) {
			const shot = shots[next++];
			result.sent++;
			const url = shot.query ? new URL(shot.query, target) : target;
			const started = performance.now();
			const { status, body, headers } = await send(url, shot, agent, o.requestTimeoutMs, o.classify !== undefined);
			if (status === okStatus) {
				result.ok++;
				result.latenciesMs.push(performance.now() - started);
				if (o.classify) count(result.classes, o.classify(body ?? '', headers ?? {}));
			} else {
				count(result.errors, String(status));
			}
		}
	};

	const started = performance.now();
	await Promise.all(Array.from({ length: Math.min(o.concurrency, shots.length) }, worker));
	result.wallMs = performance.now() - started;
	result.truncated = result.sent < shots.length;
	agent.destroy();
	return result;
}

function count(tally: Record<string, number>, key: string): void {
	tally[key] = (tally[key] ?? 0) + 1;
}

/**
 * Resolves once the whole answer has arrived, with its status (0 on a network error or timeout)
 * and, when asked for, its body; otherwise the body is drained unread.
 */
function send(url: URL, shot: Shot, agent: http.Agent, timeoutMs: number, keepBody: boolean): Promise<{ status: number; body?: string; headers?: http.IncomingHttpHeaders }> {
	const method = shot.method ?? 'POST';
	const bodyHeaders: Record<string, string | number> =
		method === 'GET' ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(shot.body) };
	return new Promise((resolve) => {
		const req = http.request(url, { method, agent, timeout: timeoutMs, headers: { ...bodyHeaders, ...shot.headers } }, (res) => {
			const chunks: Buffer[] = [];
			if (keepBody) res.on('data', (chunk: Buffer) => chunks.push(chunk));
			else res.resume();
			res.once('end', () => resolve({ status: res.statusCode ?? 0, body: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined, headers: res.headers }));
			res.once('error', () => resolve({ status: 0 }));
		});
		req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.once('error', () => resolve({ status: 0 }));
		req.end(method === 'GET' ? undefined : shot.body);
	});
}
