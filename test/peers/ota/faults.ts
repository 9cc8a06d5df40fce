/**
 * Outages on demand: for the next n requests, or for a while, every request is answered with a
 * 5xx, never answered (the socket stays open, as behind a hung load balancer), or answered late.
 * A fault always ends by itself, so a test that forgets it cannot break the next one.
 */

export interface FailMode {
	kind: '5xx' | 'timeout' | 'slow';
	/** Requests it applies to. Without count or forMs: one request. */
	count?: number;
	/** Milliseconds it lasts from now. */
	forMs?: number;
	/** 'slow': how long each answer is held back. Default 2000 ms. */
	delayMs?: number;
	/** '5xx': the status. Default 503. */
	status?: number;
}

export type Fault = { kind: '5xx'; status: number } | { kind: 'timeout' } | { kind: 'slow'; delayMs: number };

const DEFAULT_DELAY_MS = 2_000;
const DEFAULT_STATUS = 503;

export class FaultInjector {
	private mode: FailMode | undefined;
	private remaining = Infinity;
	private until = Infinity;

	/** Replaces any fault still active. */
	set(mode: FailMode): void {
		if (mode.kind === '5xx' && mode.status !== undefined && (mode.status < 500 || mode.status > 599)) {
			throw new Error(`fail: status ${mode.status} is not a 5xx`);
		}
		const bounded = mode.count !== undefined || mode.forMs !== undefined;
		this.mode = mode;
		this.remaining = mode.count ?? (bounded ? Infinity : 1);
		this.until = mode.forMs === undefined ? Infinity : Date.now() + mode.forMs;
	}

	/** The fault for the request arriving now, if one is active; uses up one of its count. */
	take(): Fault | undefined {
		const mode = this.mode;
		if (!mode) return undefined;
		if (this.remaining <= 0 || Date.now() >= this.until) {
			this.mode = undefined;
			return undefined;
		}
		this.remaining--;
		if (mode.kind === '5xx') return { kind: '5xx', status: mode.status ?? DEFAULT_STATUS };
		if (mode.kind === 'slow') return { kind: 'slow', delayMs: mode.delayMs ?? DEFAULT_DELAY_MS };
		return { kind: 'timeout' };
	}
}
