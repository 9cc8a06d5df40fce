/** E-mail addresses as the hotel types them or a channel delivers them: parsed, checked, normalised. */
import addressparser from 'nodemailer/lib/addressparser';
import { invalid } from '../errors';

// Deliberately simple: one @, no spaces or brackets, a dot in the domain. Anything a channel
// sends that fails this would bounce anyway; the point is a clear error before it is queued.
const ADDRESS = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\.]+$/;
const MAX_RECIPIENTS = 50;

export function isEmailAddress(value: string): boolean {
	return ADDRESS.test(value);
}

/**
 * One or more recipients ("a@hotel.com", "Zoë <zoe@example.com>, b@example.org") as one normalised
 * string, or an error naming `field`. Line breaks are refused outright: they are how header
 * injection starts.
 */
export function parseRecipients(value: unknown, field: string): string {
	const raw = typeof value === 'string' ? value.trim() : '';
	if (!raw) throw invalid(field, `No recipient: ${field} is empty. Give an e-mail address (for guests, the reservation's guest.email).`);
	if (/[\r\n]/.test(raw)) throw invalid(field, `${field} contains a line break; give plain e-mail addresses.`);
	const parsed = addressparser(raw, { flatten: true });
	const bad = parsed.filter((a) => !a.address || !isEmailAddress(a.address));
	if (parsed.length === 0 || bad.length > 0) {
		const shown = bad.length ? bad.map((a) => JSON.stringify(a.address || a.name)).join(', ') : JSON.stringify(raw);
		throw invalid(field, `${field} is not a valid e-mail address: ${shown.slice(0, 200)}.`);
	}
	if (parsed.length > MAX_RECIPIENTS) throw invalid(field, `${field} has ${parsed.length} recipients; at most ${MAX_RECIPIENTS} are allowed.`);
	return parsed.map((a) => (a.name ? `${JSON.stringify(a.name)} <${a.address}>` : a.address)).join(', ');
}

/** The domain of an address ("reservations@hotel.example" → "hotel.example"), or null. */
export function domainOf(address: string | undefined): string | null {
	const match = /@([^\s@<>]+)>?$/.exec((address ?? '').trim());
	return match && isEmailAddress(`x@${match[1]}`) ? match[1].toLowerCase() : null;
}
