/**
 * The booking engine's turn-taking: at most `limit` at once, the rest in order of arrival, a wait
 * that runs out answers undefined (the trigger's 503), and a release given twice frees one turn.
 */
import { Admission } from '../../lib/booking/admission';

const tick = () => new Promise((r) => setImmediate(r));

describe('Admission', () => {
	it('admits up to the limit at once, then one per release, in order of arrival', async () => {
		const gate = new Admission(2);
		const order: number[] = [];
		const releases: Array<() => void> = [];
		const enter = (n: number) =>
			gate.enter(10_000).then((release) => {
				order.push(n);
				releases.push(release!);
			});
		const all = [1, 2, 3, 4, 5].map(enter);
		await tick();
		expect(order).toEqual([1, 2]);
		expect(gate.queued).toBe(3);
		releases[0]();
		await tick();
		expect(order).toEqual([1, 2, 3]);
		releases[1]();
		releases[2]();
		await tick();
		expect(order).toEqual([1, 2, 3, 4, 5]);
		expect(gate.inFlight).toBe(2);
		releases[3]();
		releases[4]();
		await Promise.all(all);
		expect(gate.inFlight).toBe(0);
	});

	it('answers undefined to a request whose wait runs out, and takes it out of the line', async () => {
		const gate = new Admission(1);
		const first = await gate.enter(1_000);
		const late = await gate.enter(20);
		expect(late).toBeUndefined();
		expect(gate.queued).toBe(0);
		first!();
		expect(gate.inFlight).toBe(0);
		const again = await gate.enter(20);
		expect(again).toBeDefined();
	});

	it('frees one turn however often a release is called', async () => {
		const gate = new Admission(1);
		const a = await gate.enter(1_000);
		const waiting = gate.enter(5_000);
		a!();
		a!();
		const b = await waiting;
		expect(gate.inFlight).toBe(1);
		const c = gate.enter(50);
		expect(await c).toBeUndefined(); // b still holds the only turn: the second release of a gave nothing away
		b!();
		expect(gate.inFlight).toBe(0);
	});
});
