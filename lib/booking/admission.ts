/**
 * How many booking requests one n8n process works on at once; the others wait their turn, in order
 * of arrival, for at most a set time, then are refused with 503 and Retry-After.
 *
 * Why: a burst of bookings (a newsletter, a sale) for a night with few rooms used to start one
 * execution per request at once; each sold-out one then cost n8n as much as a sale, and every guest
 * waited for all of them. Taken a few at a time, the requests that come after the last room are
 * found sold out before any execution starts (ReservationBook.soldOutNow), in milliseconds.
 * Correctness does not rest on this: create() locks the nights it sells, in every process.
 */
export type Release = () => void;

export class Admission {
	private active = 0;
	private readonly waiting: Array<{ admit: (release: Release) => void }> = [];

	constructor(readonly limit: number) {}

	/** A release function once admitted, or undefined when `maxWaitMs` passed first. Extra calls of a release do nothing. */
	enter(maxWaitMs: number): Promise<Release | undefined> {
		if (this.active < this.limit) {
			this.active++;
			return Promise.resolve(this.releaser());
		}
		return new Promise((resolve) => {
			const entry = {
				admit: (release: Release) => {
					clearTimeout(timer);
					resolve(release);
				},
			};
			const timer = setTimeout(() => {
				const at = this.waiting.indexOf(entry);
				if (at >= 0) this.waiting.splice(at, 1);
				resolve(undefined);
			}, maxWaitMs);
			this.waiting.push(entry);
		});
	}

	get inFlight(): number {
		return this.active;
	}

	get queued(): number {
		return this.waiting.length;
	}

	private releaser(): Release {
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.waiting.shift();
			// The slot passes straight to the next in line: active stays the same.
			if (next) next.admit(this.releaser());
			else this.active--;
		};
	}
}

/** One gate per booking-engine trigger (workflow and node) in this process. */
const gates = new Map<string, Admission>();

export function admissionFor(key: string, limit: number): Admission {
	let gate = gates.get(key);
	if (!gate || gate.limit !== limit) {
		// A changed limit starts a new gate; requests in the old one finish there.
		gate = new Admission(limit);
		gates.set(key, gate);
	}
	return gate;
}
