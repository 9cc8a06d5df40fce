/**
 * The intake against what channels themselves publish: test/fixtures/ota/corpus holds reservation
 * messages shaped like Booking.com's, Expedia's, SiteMinder's, RateGain's and other channel
 * managers' documentation examples (SOURCES.md says which), each with its full expected extraction
 * written by hand from the message, not by running this parser. Every field is compared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OtaMessageError, parseReservations, type ChannelReservation } from '../../lib/ota';
import { thrownBy } from '../support/thrown';

const CORPUS = path.join(__dirname, '../fixtures/ota/corpus');

interface Expected {
	root?: string;
	reservations?: Array<ChannelReservation & { version: string }>;
	failures?: Array<{ position: number; channelReservationId?: string; reasonIncludes: string }>;
	refused?: string;
}

const names = readdirSync(CORPUS)
	.filter((name) => name.endsWith('.xml'))
	.map((name) => name.slice(0, -'.xml'.length))
	.sort();

/** "sha256:*" in an expected file: a content hash, whatever its digits. */
function withHashes(reservations: Expected['reservations']): unknown {
	return (reservations ?? []).map((r) => ({ ...r, version: r.version === 'sha256:*' ? expect.stringMatching(/^sha256:[0-9a-f]{16}$/) : r.version }));
}

it('holds at least 25 messages, each with its expectation', () => {
	expect(names.length).toBeGreaterThanOrEqual(25);
	for (const name of names) expect(readdirSync(CORPUS)).toContain(`${name}.expected.json`);
});

describe.each(names)('%s', (name) => {
	const xml = readFileSync(path.join(CORPUS, `${name}.xml`));
	const expected = JSON.parse(readFileSync(path.join(CORPUS, `${name}.expected.json`), 'utf8')) as Expected;

	if (expected.refused) {
		it(`is refused as a whole (${expected.refused})`, () => {
			expect(thrownBy(() => parseReservations(xml), OtaMessageError).kind).toBe(expected.refused);
		});
		return;
	}

	it('reads every field as the channel meant it', () => {
		const batch = parseReservations(xml);
		expect(batch.root).toBe(expected.root);
		expect(batch.reservations).toEqual(withHashes(expected.reservations));
		expect(batch.failures.map(({ position, channelReservationId }) => ({ position, ...(channelReservationId ? { channelReservationId } : {}) }))).toEqual(
			(expected.failures ?? []).map(({ position, channelReservationId }) => ({ position, ...(channelReservationId ? { channelReservationId } : {}) })),
		);
		batch.failures.forEach((failure, i) => expect(failure.reason).toContain(expected.failures![i].reasonIncludes));
	});
});
