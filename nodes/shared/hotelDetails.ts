/**
 * The hotel's details — name, contact, logo, time zone, check-in and check-out — from the Hotel
 * Details credential, set once for every workflow, or typed on the node (how workflows saved before
 * the credential keep working: that is the default, and the shipped workflows choose the credential).
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, IExecuteFunctions, INodeCredentialTestResult, INodeProperties } from 'n8n-workflow';
import { parseTimeOfDay, validateTimeZone } from '../../lib/calendar/zonedTime';

export interface HotelDetails {
	name: string;
	timeZone: string;
	checkInTime: string;
	checkOutTime: string;
	phone: string;
	email: string;
	address: string;
	logoUrl: string;
}

export const hotelDetailsParameter: INodeProperties = {
	displayName: 'Hotel Details',
	name: 'hotelDetails',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'From the Hotel Details Credential', value: 'credential', description: 'Set once, for every workflow: name, contact, logo, time zone, check-in and check-out' },
		{ name: 'Typed Here', value: 'fields', description: 'On this node only' },
	],
	default: 'fields',
	hint: 'The shipped workflows read the "Hotel Details" credential: fill it in once with your hotel\'s name, contact, time zone and check-in/out times',
};

/** Shows a parameter only when the details are typed on the node. */
export const typedHere = { hotelDetails: ['fields'] };

/** The credential's details when the node uses it, else undefined (the node's own fields apply). */
export async function hotelDetailsOf(fn: IExecuteFunctions): Promise<HotelDetails | undefined> {
	if (fn.getNodeParameter('hotelDetails', 0, 'fields') !== 'credential') return undefined;
	const c: ICredentialDataDecryptedObject = await fn.getCredentials('hotelDetailsApi');
	const text = (value: unknown, fallback = '') => String(value ?? fallback).trim() || fallback;
	return {
		name: text(c.hotelName),
		timeZone: text(c.timeZone),
		checkInTime: text(c.checkInTime, '15:00'),
		checkOutTime: text(c.checkOutTime, '11:00'),
		phone: text(c.phone),
		email: text(c.email),
		address: text(c.address),
		logoUrl: text(c.logoUrl),
	};
}

/** The credential's Test button: a name, a real IANA time zone, and times as HH:MM. */
async function hotelDetailsCheck(this: ICredentialTestFunctions, credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>): Promise<INodeCredentialTestResult> {
	const c = credential.data ?? {};
	try {
		if (!String(c.hotelName ?? '').trim()) throw new Error('Hotel Name is empty: the e-mails are signed with it.');
		const zone = validateTimeZone(c.timeZone);
		parseTimeOfDay(c.checkInTime ?? '15:00', 'checkInTime', 'Check-in from');
		parseTimeOfDay(c.checkOutTime ?? '11:00', 'checkOutTime', 'Check-out by');
		return { status: 'OK', message: `${String(c.hotelName).trim()}, ${zone}: check-in from ${c.checkInTime ?? '15:00'}, check-out by ${c.checkOutTime ?? '11:00'}` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

export const hotelDetailsCredentialTests = { hotelDetailsCheck };
