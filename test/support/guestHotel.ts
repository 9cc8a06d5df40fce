/**
 * What the e2e tests of guest-facing workflows share: a small hotel to book (a double room, one rate
 * plan, 60 nights of rooms and rates) and the SMTP credential the shipped workflows name, pointing at
 * the local SMTP server.
 */
import type { N8n } from '../../scripts/n8n';
import { SANDBOX_HOTEL_DETAILS } from '../../scripts/sandbox';
import { HotelService } from '../../lib/booking/hotelService';
import type { Db } from '../../lib/store/db';
import type { SmtpPeer } from '../peers/smtpPeer';
import { day } from './days';

export async function seedGuestHotel(db: Db): Promise<HotelService> {
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(60), allotment: 5 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(60), amount: 10000 });
	return hotel;
}

/** The "Hotel Details" credential the shipped e-mail and calendar nodes name: the sandbox's hotel; its id. */
export async function createHotelDetailsCredential(n8n: N8n): Promise<string> {
	return (await n8n.api.createCredential({ name: 'Hotel Details', type: 'hotelDetailsApi', data: SANDBOX_HOTEL_DETAILS })).id;
}

/** The "Hotel SMTP" credential; its id. */
export async function createSmtpCredential(n8n: N8n, smtp: SmtpPeer): Promise<string> {
	const created = await n8n.api.createCredential({
		name: 'Hotel SMTP',
		type: 'hotelSmtpApi',
		data: { host: smtp.host, port: smtp.port, tls: 'none', user: '', password: '', fromAddress: 'frontdesk@hotel.example', fromName: 'Hotel Example' },
	});
	return created.id;
}
