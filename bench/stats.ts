/**
 * Figures from phase results: one case's rounds are pooled (requests, wall time, latencies) before
 * anything is computed, so two rounds of 150 count exactly like one run of 300.
 */
import type { PhaseResult } from './load';

export interface CaseFigures {
	requests: number;
	ok: number;
	errors: number;
	errorsByStatus: Record<string, number>;
	/** Successful executions per second of wall time, over all rounds. */
	executionsPerSecond: number;
	p50Ms: number;
	p99Ms: number;
	meanMs: number;
	/** n8n's process CPU per successful execution; NaN where it could not be read. */
	n8nCpuMsPerExecution: number;
	/** Expression isolates n8n took per successful execution; NaN unless n8n's metrics were on. */
	isolatesPerExecution: number;
	rounds: number;
	wallMs: number;
	truncated: boolean;
	/** Successful answers by class (see LoadTarget.classify), pooled; only where bodies were classified. */
	classes?: Record<string, number>;
}

export function summarise(rounds: PhaseResult[]): CaseFigures {
	const latencies = rounds.flatMap((r) => r.latenciesMs).sort((x, y) => x - y);
	const wallMs = sum(rounds.map((r) => r.wallMs));
	const ok = sum(rounds.map((r) => r.ok));
	const errorsByStatus = pool(rounds.map((r) => r.errors));
	const classes = pool(rounds.map((r) => r.classes ?? {}));
	return {
		requests: sum(rounds.map((r) => r.sent)),
		ok,
		errors: sum(Object.values(errorsByStatus)),
		errorsByStatus,
		executionsPerSecond: wallMs > 0 ? round((ok * 1000) / wallMs, 1) : 0,
		p50Ms: round(percentile(latencies, 50), 1),
		p99Ms: round(percentile(latencies, 99), 1),
		meanMs: round(latencies.length ? sum(latencies) / latencies.length : Number.NaN, 1),
		n8nCpuMsPerExecution: round(perExecution(rounds.map((r) => r.n8nCpuMs), ok), 1),
		isolatesPerExecution: round(perExecution(rounds.map((r) => r.n8nIsolates), ok), 2),
		rounds: rounds.length,
		wallMs: Math.round(wallMs),
		truncated: rounds.some((r) => r.truncated),
		// Left out, not empty, where nothing was classified: the payment cases read no bodies.
		...(Object.keys(classes).length > 0 ? { classes } : {}),
	};
}

/** Adds up counts by key. */
function pool(tallies: Array<Record<string, number>>): Record<string, number> {
	const total: Record<string, number> = {};
	for (const tally of tallies) {
		for (const [key, n] of Object.entries(tally)) total[key] = (total[key] ?? 0) + n;
	}
	return total;
}

/** A per-round measurement spread over the executions; NaN if any round lacks it. */
function perExecution(values: Array<number | undefined>, ok: number): number {
	if (ok === 0 || values.some((v) => v === undefined)) return Number.NaN;
	return sum(values as number[]) / ok;
}

/** Nearest-rank percentile of sorted values: an observed latency, never an interpolated one. */
export function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** a/b, rounded; NaN when b is missing so a broken case is not mistaken for a ratio. */
export function ratio(a: number, b: number): number {
	return b > 0 && Number.isFinite(a) ? round(a / b, 2) : Number.NaN;
}

export function round(value: number, digits: number): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

function sum(values: number[]): number {
	return values.reduce((total, v) => total + v, 0);
}
