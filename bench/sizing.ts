/**
 * How much load the n8n parts of the bench (payment webhook, booking engine) put on, shared so
 * their figures are measured alike. Sized so the whole bench stays within about 11 minutes on 2 cores
 * (the queue-mode part, queue.ts, about 3 of them: it sends fewer requests per round).
 */
export const WARMUP_REQUESTS = 30;
export const WARMUP_CONCURRENCY = 20;
export const WARMUP_DEADLINE_MS = 20_000;
/**
 * Requests per case and concurrency, split evenly over the case's rounds. The deadline bounds each
 * phase on a machine busy with other work (the report then says "deadline hit").
 */
export const LEVELS = [
	{ concurrency: 1, requests: 100, phaseDeadlineMs: 20_000 },
	{ concurrency: 20, requests: 300, phaseDeadlineMs: 30_000 },
];
