/**
 * The parameters a hotel must change before going live carry a hint under the field (n8n shows
 * `hint` below the input): the store, the hotel's details and time zone, the calendar, the
 * retention period, the health checks, the channel's hotel code. Hints that say something
 * concrete: each names what to set, not only what the field is.
 */
import type { INodeProperties, INodeType, ICredentialType } from 'n8n-workflow';
import { HotelCalendar } from '../../nodes/HotelCalendar/HotelCalendar.node';
import { HotelEmail } from '../../nodes/HotelEmail/HotelEmail.node';
import { HotelReservations } from '../../nodes/HotelReservations/HotelReservations.node';
import { IntegrationHealth } from '../../nodes/IntegrationHealth/IntegrationHealth.node';
import { HotelDetailsApi } from '../../credentials/HotelDetailsApi.credentials';
import { HotelOtaChannelApi } from '../../credentials/HotelOtaChannelApi.credentials';

const hintOf = (properties: INodeProperties[], name: string) => properties.find((p) => p.name === name)?.hint;
const node = (type: INodeType) => type.description.properties;
const credential = (type: ICredentialType) => type.properties;

it.each([
	['Hotel Reservations → Database', node(new HotelReservations()), 'database', /HOTEL_DATABASE_URL/],
	['Hotel Reservations → Days After Departure', node(new HotelReservations()), 'daysAfterDeparture', /retention/],
	['Hotel Email → Hotel Details', node(new HotelEmail()), 'hotelDetails', /credential/],
	['Hotel Calendar → Calendar ID', node(new HotelCalendar()), 'calendarId', /front desk/],
	['Integration Health → Integrations to Check', node(new IntegrationHealth()), 'integrations', /credential/],
	['Hotel Details credential → Time Zone', credential(new HotelDetailsApi()), 'timeZone', /GENERIC_TIMEZONE/],
	['Hotel OTA Channel credential → Hotel Code', credential(new HotelOtaChannelApi()), 'hotelCode', /extranet/],
])('%s tells hotel IT what to set', (_label, properties, name, says) => {
	expect(hintOf(properties, name)).toMatch(says);
});
