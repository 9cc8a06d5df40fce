/** What a cached availability answer says about itself: the body agrees with the x-hotel-cache header. */
import { asCacheHit } from '../../lib/booking/availabilityCache';

it('turns the stored answer into a hit, leaving everything else as it was', () => {
	const miss = JSON.stringify({ arrival: '2027-01-10', departure: '2027-01-12', offers: [{ roomType: 'DBL', available: 3, name: 'Zoë’s "double"' }], cache: 'miss' });
	expect(JSON.parse(asCacheHit(miss))).toEqual({ ...JSON.parse(miss), cache: 'hit' });
});

it('keeps a body without a cache field, or that is not a JSON object, as it is', () => {
	for (const body of ['{"offers":[]}', '[{"cache":"miss"}]', 'not json', '']) expect(asCacheHit(body)).toBe(body);
});
