/**
 * How our payment peers deliver webhooks the way the gateways do: each event's body is stored once
 * and every attempt POSTs those very bytes (with the headers the peer signs them with), from a
 * timer and never inside the API call; a non-2xx answer or a network error is retried a bounded
 * number of times, and stop() ends everything in flight.
 */
import http from 'node:http';

/** A webhook receiver that hangs counts as a failed attempt after this long (gateways wait longer; tests should not). */
const WEBHOOK_TIMEOUT_MS = 5000;

export interface WebhookDeliveryOptions {
	/** For messages. */
	peer: string;
	/** Attempts in all, and the waits between them (the last one repeats). */
	retry: { attempts: number; delaysMs: number[] };
	userAgent: string;
	/** The signature headers of one attempt of this payload. */
	headers: (payload: string) => Record<string, string>;
}

export class WebhookDelivery {
	/** Every attempt: event id, HTTP status (or the network error's code), time (ms). */
	readonly deliveries: Array<{ eventId: string; status: number | string; at: number }> = [];
	private readonly bodies = new Map<string, string>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly inflight = new Set<http.ClientRequest>();
	private target: string | undefined;
	private stopped = false;
	/** Events still to lose (fault injection): published, never delivered. */
	private toLose = 0;

	constructor(private readonly options: WebhookDeliveryOptions) {
		if (!Number.isInteger(options.retry.attempts) || options.retry.attempts < 1) throw new Error('webhookRetry.attempts must be an integer >= 1');
	}

	get hasTarget(): boolean {
		return this.target !== undefined;
	}

	setTarget(url: string): void {
		const { protocol } = new URL(url);
		if (protocol !== 'http:') throw new Error(`The ${this.options.peer} peer delivers to http:// URLs only, not ${protocol}`);
		this.target = url;
	}

	/** Stores the event's body and, if a webhook is set, starts delivering it. */
	publish(eventId: string, body: string): void {
		this.bodies.set(eventId, body);
		if (this.toLose > 0) {
			// As if the endpoint was unreachable until the gateway gave up: recorded, never delivered.
			this.toLose--;
			this.deliveries.push({ eventId, status: 'lost', at: Date.now() });
			return;
		}
		if (this.target) this.schedule(() => void this.deliverWithRetry(eventId, 1), 0);
	}

	/** The next `count` events are never delivered (Infinity: until lose(0)). */
	lose(count: number): void {
		this.toLose = count;
	}

	/** POSTs an event again, `times` times, optionally concurrently; the HTTP statuses (0 = network error). */
	async redeliver(eventId: string, o: { times?: number; concurrent?: boolean } = {}): Promise<number[]> {
		if (!this.bodies.has(eventId)) throw new Error(`No such event: ${eventId}`);
		if (!this.target) throw new Error('No webhook is configured: call setWebhook first');
		const times = o.times ?? 1;
		const asNumber = (s: number | string): number => (typeof s === 'number' ? s : 0);
		if (o.concurrent) return (await Promise.all(Array.from({ length: times }, () => this.post(eventId)))).map(asNumber);
		const statuses: number[] = [];
		for (let i = 0; i < times; i++) statuses.push(asNumber(await this.post(eventId)));
		return statuses;
	}

	stop(): void {
		this.stopped = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const req of this.inflight) req.destroy();
	}

	private schedule(fn: () => void, delayMs: number): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			if (!this.stopped) fn();
		}, delayMs);
		this.timers.add(timer);
	}

	/** The wait after attempt n (1-based); the last configured delay repeats if there are more attempts than delays. */
	private retryDelay(attempt: number): number {
		const { delaysMs } = this.options.retry;
		return delaysMs.length === 0 ? 0 : delaysMs[Math.min(attempt - 1, delaysMs.length - 1)];
	}

	private async deliverWithRetry(eventId: string, attempt: number): Promise<void> {
		const status = await this.post(eventId);
		const ok = typeof status === 'number' && status >= 200 && status < 300;
		if (ok || this.stopped || attempt >= this.options.retry.attempts) return;
		this.schedule(() => void this.deliverWithRetry(eventId, attempt + 1), this.retryDelay(attempt));
	}

	/** One POST of the stored body; resolves the HTTP status or the network error's code, never rejects. */
	private post(eventId: string): Promise<number | string> {
		const target = this.target;
		const payload = this.bodies.get(eventId);
		if (!target || payload === undefined) return Promise.resolve('no webhook');
		const headers: Record<string, string | number> = {
			'Content-Type': 'application/json',
			'Content-Length': Buffer.byteLength(payload),
			'User-Agent': this.options.userAgent,
			Connection: 'close',
			...this.options.headers(payload),
		};
		return new Promise((resolve) => {
			let settled = false;
			const settle = (status: number | string): void => {
				if (settled) return;
				settled = true;
				this.inflight.delete(req);
				this.deliveries.push({ eventId, status, at: Date.now() });
				resolve(status);
			};
			const req = http.request(target, { method: 'POST', headers, agent: false, timeout: WEBHOOK_TIMEOUT_MS }, (res) => {
				res.resume();
				settle(res.statusCode ?? 0);
			});
			req.on('timeout', () => req.destroy(Object.assign(new Error('webhook timed out'), { code: 'ETIMEDOUT' })));
			req.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
			this.inflight.add(req);
			req.end(payload);
		});
	}
}
