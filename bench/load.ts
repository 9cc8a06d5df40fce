/**
 * The load generator: POSTs prepared requests to one URL with a fixed number of requests in flight
 * and records each answer's status and latency. Bounded twice: by the number of prepared requests
 * and by a deadline, so a stuck n8n cannot make the bench run forever.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One prepared request: built (and signed) before the phase, so the timed loop only sends. */
export interface Shot {
	body: string;
	headers: Record<string, string>;
}

export interface PhaseOptions {
	url: string;
	concurrency: number;
	/** No new request is started after this long; requests in flight still finish. */
	deadlineMs: number;
	/** A request without an answer after this long counts as an error (status 0). */
	requestTimeoutMs: number;
}

export interface PhaseResult {
	sent: number;
	/** Answers with status 200. */
	ok: number;
	/** Every other answer, by status ("0" = network error or timeout). */
	errors: Record<string, number>;
	/** Latency of the 200 answers only, in ms, in completion order. */
	latenciesMs: number[];
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
	const result: PhaseResult = { sent: 0, ok: 0, errors: {}, latenciesMs: [], wallMs: 0, truncated: false };
	const deadline = Date.now() + o.deadlineMs;
	let next = 0;

	const worker = async () => {
		while (next < shots.length && Date.now() < deadline) {
			const shot = shots[next++];
			result.sent++;
			const started = performance.now();
			const status = await post(target, shot, agent, o.requestTimeoutMs);
			if (status === 200) {
				result.ok++;
				result.latenciesMs.push(performance.now() - started);
			} else {
				result.errors[String(status)] = (result.errors[String(status)] ?? 0) + 1;
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

/** Resolves with the HTTP status once the whole answer has arrived, or 0 on a network error or timeout. */
function post(target: URL, shot: Shot, agent: http.Agent, timeoutMs: number): Promise<number> {
	return new Promise((resolve) => {
		const req = http.request(
			target,
			{
				method: 'POST',
				agent,
				timeout: timeoutMs,
				headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(shot.body), ...shot.headers },
			},
			(res) => {
				// The body is drained, not kept: n8n answers both cases without one.
				res.resume();
				res.once('end', () => resolve(res.statusCode ?? 0));
				res.once('error', () => resolve(0));
			},
		);
		req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.once('error', () => resolve(0));
		req.end(shot.body);
	});
}
