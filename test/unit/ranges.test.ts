import { chunk, mergeNights, nightsIn, splitByMonth } from '../../lib/channels/ranges';

describe('mergeNights', () => {
	it('merges consecutive equal nights into one range and keeps changes apart', () => {
		const nights = [
			{ night: '2026-12-01', value: { limit: 5 } },
			{ night: '2026-12-02', value: { limit: 5 } },
			{ night: '2026-12-03', value: { limit: 4 } },
			{ night: '2026-12-04', value: { limit: 5 } },
			{ night: '2026-12-06', value: { limit: 5 } }, // a gap: a new range
		];
		expect(mergeNights(nights)).toEqual([
			{ start: '2026-12-01', end: '2026-12-02', value: { limit: 5 } },
			{ start: '2026-12-03', end: '2026-12-03', value: { limit: 4 } },
			{ start: '2026-12-04', end: '2026-12-04', value: { limit: 5 } },
			{ start: '2026-12-06', end: '2026-12-06', value: { limit: 5 } },
		]);
	});

	it('sorts its input, ignores a repeated night, and merges across month and year ends', () => {
		const nights = ['2027-01-01', '2026-12-31', '2026-12-30', '2026-12-31'].map((night) => ({ night, value: 'open' }));
		expect(mergeNights(nights)).toEqual([{ start: '2026-12-30', end: '2027-01-01', value: 'open' }]);
	});

	it('turns a year of a weekday/weekend pattern into two ranges a week', () => {
		const nights = Array.from({ length: 364 }, (_, i) => {
			const night = new Date(Date.UTC(2027, 0, 4 + i)).toISOString().slice(0, 10); // starts on a Monday
			const weekend = [5, 6].includes(i % 7);
			return { night, value: weekend ? 15000 : 12000 };
		});
		expect(mergeNights(nights)).toHaveLength(104);
	});
});

describe('splitByMonth', () => {
	it('splits at month boundaries, End inclusive', () => {
		expect(splitByMonth({ start: '2026-11-20', end: '2027-01-10', value: 1 })).toEqual([
			{ start: '2026-11-20', end: '2026-11-30', value: 1 },
			{ start: '2026-12-01', end: '2026-12-31', value: 1 },
			{ start: '2027-01-01', end: '2027-01-10', value: 1 },
		]);
	});

	it('leaves a range within one month alone, leap days included', () => {
		expect(splitByMonth({ start: '2028-02-01', end: '2028-02-29', value: 'x' })).toEqual([{ start: '2028-02-01', end: '2028-02-29', value: 'x' }]);
		expect(nightsIn({ start: '2028-02-01', end: '2028-02-29' })).toBe(29);
	});
});

it('chunks by a maximum size', () => {
	expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
	expect(() => chunk([1], 0)).toThrow();
});
