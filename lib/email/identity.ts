/**
 * What makes two e-mails "the same": the dedupe key, and the Message-ID derived from it.
 *
 * The key is the template plus what the mail is about — reservation id and version, payment id, or
 * alert key — or, when the hotel sets one, its own key (still prefixed with the template, so a
 * confirmation and a cancellation can never share a key by accident). The outbox holds one row
 * per key: however often a workflow runs, that e-mail is sent once.
 *
 * The Message-ID is a hash of the key. If a worker dies after the SMTP server accepted a message
 * but before the outbox recorded it, the message is sent again — with the same Message-ID, so a
 * mail client or a downstream system can recognise (and many will collapse) the duplicate.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors';
import { domainOf } from './addresses';
import type { TemplateKind } from './templates';

const MAX_KEY_LENGTH = 500;

export function dedupeKeyFor(template: TemplateKind, identity: string | null, userKey?: string): string {
	const own = (userKey ?? '').trim();
	const occasion = own ? `key:${own}` : identity;
	if (!occasion) {
		throw invalid('dedupeKey', 'This e-mail has nothing that identifies it (the reservation has no version): set Options → Dedupe Key.');
	}
	const key = `${template}:${occasion}`;
	if (key.length > MAX_KEY_LENGTH) throw invalid('dedupeKey', `The dedupe key is longer than ${MAX_KEY_LENGTH} characters.`);
	return key;
}

/**
 * `<hash@domain>`: the domain is the hotel's own (from its contact address) when known, so the
 * Message-ID matches the sender's domain as spam filters like; the same inputs always give the same id.
 */
export function messageIdFor(dedupeKey: string, hotelEmail?: string): string {
	const hash = createHash('sha256').update(dedupeKey).digest('hex').slice(0, 40);
	return `<${hash}@${domainOf(hotelEmail) ?? 'hotel-integrations.invalid'}>`;
}
