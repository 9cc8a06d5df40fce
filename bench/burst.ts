/**
 * A burst of simultaneous booking requests for one night with fewer rooms than requests — the
 * moment a hotel's offer goes out in a newsletter. Every request is sent at once; then:
 *  - p99 of all answers against what the measured creation rate allows: requests ÷ creations/s
 *    (from the steady (e) phases) + 1 s;
 *  - every answer is 201 (booked), 409 (sold out, with a reason) or, if refused for load, 503 with
 *    Retry-After — nothing else;
 *  - exactly the night's rooms are sold, and the store's sold counts match its reservations;
 *  - n8n's resident memory before and after (and its peak so far).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Shot } from './load';
import { processRssMb } from './cpu';
import { percentile } from './stats';

export const BURST_REQUESTS = 250;
export const BURST_ROOMS = 5;
/** No answer after this long counts as lost (status 0). */
const REQUEST_TIMEOUT_MS = 120_000;

export interface BurstReport {
	requests: number;
	rooms: number;
	statuses: Record<string, number>;
	/** 503 answers without a Retry-After header (must be 0). */
	unexplainedRefusals: number;
	/** 409 answers whose body names no reason (must be 0). */
	soldOutWithoutReason: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	wallMs: number;
	/** The creation rate the limit is computed from, and the limit itself. */
	creationsPerSecond: number;
	p99LimitMs: number;
	p99Met: boolean;
	roomsSold: number;
	soldDriftNights: number;
	n8nRssMb: { before?: number; after?: number; peak?: number };
	passed: boolean;
}

export interface BurstSetup {
	url: string;
	/** BURST_REQUESTS valid bookings, all for the burst night's room type. */
	shots: Shot[];
	/** Reservations of the burst's room type, and the nights whose sold count is off (whole store). */
	inspect(): Promise<{ roomsSold: number; soldDriftNights: number }>;
	n8nPid?: number;
}

export async function runBurst(setup: BurstSetup, creationsPerSecond: number): Promise<BurstReport> {
	const rssBefore = processRssMb(setup.n8nPid);
	const agent = new http.Agent({ keepAlive: false, maxSockets: setup.shots.length });
	const started = performance.now();
	const answers = await Promise.all(setup.shots.map((shot) => send(setup.url, shot, agent)));
	const wallMs = performance.now() - started;
	agent.destroy();
	const rssAfter = processRssMb(setup.n8nPid);

	const statuses: Record<string, number> = {};
	for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
	const latencies = answers.map((a) => a.ms).sort((x, y) => x - y);
	const p99Ms = percentile(latencies, 99);
	const p99LimitMs = (setup.shots.length / creationsPerSecond + 1) * 1000;
	const { roomsSold, soldDriftNights } = await setup.inspect();
	const unexplainedRefusals = answers.filter((a) => a.status === 503 && !a.retryAfter).length;
	const soldOutWithoutReason = answers.filter((a) => a.status === 409 && !/sold|available|left/i.test(a.body)).length;
	const onlyKnown = answers.every((a) => a.status === 201 || a.status === 409 || a.status === 503);
	const exact = roomsSold === BURST_ROOMS && (statuses['201'] ?? 0) === BURST_ROOMS && soldDriftNights === 0;
	return {
		requests: setup.shots.length,
		rooms: BURST_ROOMS,
		statuses,
		unexplainedRefusals,
		soldOutWithoutReason,
		p50Ms: percentile(latencies, 50),
		p99Ms,
		maxMs: latencies[latencies.length - 1] ?? Number.NaN,
		wallMs,
		creationsPerSecond,
		p99LimitMs,
		p99Met: p99Ms <= p99LimitMs,
		roomsSold,
		soldDriftNights,
		n8nRssMb: { before: rssBefore?.rss, after: rssAfter?.rss, peak: rssAfter?.peak },
		passed: onlyKnown && exact && unexplainedRefusals === 0 && soldOutWithoutReason === 0,
	};
}

export function formatBurst(r: BurstReport): string[] {
	const f = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
	return [
		`Burst: ${r.requests} simultaneous bookings for one night with ${r.rooms} rooms (all sent at once)`,
		`  answers: ${Object.entries(r.statuses).map(([s, n]) => `${s} × ${n}`).join(', ')}; wall ${f(r.wallMs / 1000, 1)} s`,
		`  latency p50 ${f(r.p50Ms)} ms, p99 ${f(r.p99Ms)} ms, max ${f(r.maxMs)} ms; limit ${r.requests} ÷ ${f(r.creationsPerSecond, 1)}/s + 1 s = ${f(r.p99LimitMs)} ms → ${r.p99Met ? 'met' : 'NOT met'}`,
		`  rooms sold ${r.roomsSold} of ${r.rooms}; nights with sold drift ${r.soldDriftNights}; 503 without Retry-After ${r.unexplainedRefusals}; 409 without a reason ${r.soldOutWithoutReason} → ${r.passed ? 'ok' : 'FAILED'}`,
		`  n8n RSS ${f(r.n8nRssMb.before)} MB before, ${f(r.n8nRssMb.after)} MB after, peak so far ${f(r.n8nRssMb.peak)} MB`,
	];
}

interface Answer {
	status: number;
	ms: number;
	body: string;
	retryAfter?: string;
}

function send(url: string, shot: Shot, agent: http.Agent): Promise<Answer> {
	const started = performance.now();
	return new Promise((resolve) => {
		const done = (status: number, body = '', retryAfter?: string) => resolve({ status, ms: performance.now() - started, body, retryAfter });
		const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...shot.headers }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers['retry-after']));
			res.on('error', () => done(0));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', () => done(0));
		req.end(shot.body);
	});
}
