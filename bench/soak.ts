/**
 * A long run of Stripe deliveries through the shipped payment workflow (BENCH_SOAK=1): 20,000
 * deliveries at concurrency 20, one in four a redelivery of an event delivered at least 1,000
 * deliveries earlier (so long finished: it must be answered as a duplicate and start nothing).
 * n8n's resident memory is read after the first 2,000 deliveries (warm) and at the end; a leak
 * shows as growth between the two. Every event must be applied exactly once: one claim done, one
 * paid reservation and one successful execution per distinct event.
 */
import { Client } from 'pg';
import type { N8n } from '../scripts/n8n';
import { webhookExecutions } from './checks';
import { n8nPid, processRssMb } from './cpu';
import { runPhase, type Shot } from './load';
import { eventFactory, type BenchSetup } from './setup';

export const SOAK_DELIVERIES = 20_000;
const WARM_DELIVERIES = 2_000;
const CHUNK = 1_000;
const CONCURRENCY = 20;
/** A redelivery repeats an event this many deliveries old or older: that one has long finished. */
const REDELIVERY_AGE = 1_000;
const SETTLE_MS = 5_000;

export interface SoakReport {
	deliveries: number;
	distinctEvents: number;
	redeliveries: number;
	answers: Record<string, number>;
	seconds: number;
	rssMb: { afterWarm?: number; atEnd?: number; growth?: number };
	/** Growth ≤ 10 % of the warm figure. */
	noLeak: boolean;
	claimsDone: number;
	reservationsPaid: number;
	successfulExecutions: number;
	exactlyOnce: boolean;
	passed: boolean;
}

export async function runSoak(setup: BenchSetup, progress: (m: string) => void): Promise<SoakReport> {
	const pid = n8nPid(setup.n8n.userFolder);
	const executionsBefore = await successfulExecutions(setup.n8n, setup.a.workflowId);
	const bodies: string[] = [];
	const answers: Record<string, number> = {};
	const sign = (body: string) => setup.sign(body);
	const freshEvent = eventFactory(setup.runId, 'soak');
	let distinct = 0;
	let redeliveries = 0;
	let afterWarm: number | undefined;
	const started = Date.now();
	for (let done = 0; done < SOAK_DELIVERIES; done += CHUNK) {
		const shots: Shot[] = [];
		for (let i = done; i < done + CHUNK; i++) {
			if (i % 4 === 3 && bodies.length > REDELIVERY_AGE) {
				const body = bodies[Math.floor(Math.random() * (bodies.length - REDELIVERY_AGE))];
				shots.push({ body, headers: { 'stripe-signature': sign(body) } });
				redeliveries++;
			} else {
				const [body] = freshEvent(1);
				distinct++;
				bodies.push(body);
				shots.push({ body, headers: { 'stripe-signature': sign(body) } });
			}
		}
		const result = await runPhase(shots, { url: setup.a.url, concurrency: CONCURRENCY, deadlineMs: 600_000, requestTimeoutMs: 60_000 });
		answers['200'] = (answers['200'] ?? 0) + result.ok;
		for (const [status, n] of Object.entries(result.errors)) answers[status] = (answers[status] ?? 0) + n;
		if (done + CHUNK === WARM_DELIVERIES) afterWarm = processRssMb(pid)?.rss;
		progress(`soak: ${done + CHUNK} of ${SOAK_DELIVERIES} deliveries, n8n RSS ${processRssMb(pid)?.rss ?? 'n/a'} MB`);
	}
	const seconds = (Date.now() - started) / 1000;
	await new Promise((r) => setTimeout(r, SETTLE_MS));
	const atEnd = processRssMb(pid)?.rss;
	const rows = await soakRows(setup, setup.runId);
	const executions = (await successfulExecutions(setup.n8n, setup.a.workflowId)) - executionsBefore;
	const growth = afterWarm !== undefined && atEnd !== undefined ? (atEnd - afterWarm) / afterWarm : undefined;
	const noLeak = growth !== undefined && growth <= 0.1;
	const exactlyOnce = rows.claimsDone === distinct && rows.reservationsPaid === distinct && executions === distinct && (answers['200'] ?? 0) === SOAK_DELIVERIES;
	return {
		deliveries: SOAK_DELIVERIES,
		distinctEvents: distinct,
		redeliveries,
		answers,
		seconds: Math.round(seconds),
		rssMb: { afterWarm, atEnd, growth: growth === undefined ? undefined : Math.round(growth * 1000) / 1000 },
		noLeak,
		...rows,
		successfulExecutions: executions,
		exactlyOnce,
		passed: noLeak && exactlyOnce,
	};
}

export function formatSoak(r: SoakReport): string[] {
	const pct = r.rssMb.growth === undefined ? 'n/a' : `${(r.rssMb.growth * 100).toFixed(1)} %`;
	return [
		`Soak (BENCH_SOAK=1): ${r.deliveries} Stripe deliveries at concurrency ${CONCURRENCY} in ${r.seconds} s: ${r.distinctEvents} events, ${r.redeliveries} redeliveries`,
		`  answers: ${Object.entries(r.answers).map(([s, n]) => `${s} × ${n}`).join(', ')}`,
		`  n8n RSS after ${WARM_DELIVERIES} deliveries ${r.rssMb.afterWarm ?? 'n/a'} MB, at the end ${r.rssMb.atEnd ?? 'n/a'} MB: growth ${pct} → ${r.noLeak ? 'no leak (≤ 10 %)' : 'GROWTH over 10 %'}`,
		`  claims done ${r.claimsDone}, reservations paid ${r.reservationsPaid}, successful executions ${r.successfulExecutions}, for ${r.distinctEvents} events → ${r.exactlyOnce ? 'exactly once ✓' : 'MISMATCH ✗'}`,
	];
}

async function soakRows(setup: BenchSetup, runId: string): Promise<{ claimsDone: number; reservationsPaid: number }> {
	const sql = new Client(setup.database.config);
	await sql.connect();
	try {
		const claims = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM processed_events WHERE status = 'done' AND event_id LIKE $1`, [`evt_soak_${runId}_%`]);
		const paid = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM reservation_billing WHERE status = 'paid' AND reservation_id LIKE $1`, [`R-SOAK-${runId}-%`]);
		return { claimsDone: Number(claims.rows[0].n), reservationsPaid: Number(paid.rows[0].n) };
	} finally {
		await sql.end();
	}
}

async function successfulExecutions(n8n: N8n, workflowId: string): Promise<number> {
	return (await webhookExecutions(n8n, workflowId)).filter((e) => e.status === 'success').length;
}
