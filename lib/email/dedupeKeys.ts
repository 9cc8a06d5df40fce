/**
 * E-mail sent once: every rule that decides an e-mail's dedupe key, and the Message-ID derived
 * from it. The outbox holds one row per key (email_outbox.dedupe_key): however often a workflow
 * runs or a partner redelivers an event, the e-mail of one key is sent once.
 *
 * A key is `<template>:<occasion>`. The template comes first, so a confirmation and a
 * cancellation of the same reservation never share a key. The occasion is:
 *
 *  1. The hotel's own key (Options → Dedupe Key), trimmed: `key:<own key>`. It replaces rules 2–5
 *     (a blank one is no key). A refund confirmation still needs a refund (rule 4).
 *  2. A reservation: `reservation:<id>:v<version>`. A reservation without a version has no key and
 *     its e-mail is refused until the hotel sets one: a modification could not be told from the
 *     booking it modifies.
 *  3. A payment (receipt, failed): `payment:<paymentId, else id>`, the id as the item carries it
 *     (a Square payment's `square:…` ledger id, not the id the guest is shown).
 *  4. A refund confirmation: `payment:<id>:refunded:<refunded total>`, the total as the e-mail
 *     shows it ('50.00 EUR'): a payment can be refunded in parts, and each new refunded total is
 *     an e-mail of its own. A payment with nothing refunded is refused.
 *  5. An alert: `alert:<alertKey>` when the health check gives one, else
 *     `alert:<integration>:<failingSince or since, else consecutiveFailures>`: one alert per run of
 *     failures, not one per failed check.
 *
 * The values are read (and trimmed) by emailData.ts. A key longer than 500 characters is refused.
 *
 * The keys are stored in hotels' outboxes: a changed rule (or a changed format of the refunded
 * total) gives e-mails already sent a new key, and after an upgrade they would be sent again.
 * test/unit/emailDedupeKeys.test.ts pins them to literal strings.
 *
 * The Message-ID is a hash of the key. If a worker dies after the SMTP server accepted a message
 * but before the outbox recorded it, the message is sent again — with the same Message-ID, so a
 * mail client or a downstream system can recognise (and many will collapse) the duplicate.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors';
import { domainOf } from './addresses';
import type { ItemIdentity } from './emailData';
import type { TemplateKind } from './templates';

const MAX_KEY_LENGTH = 500;

/** Rules 2–5: the occasion the item itself gives, or null when it gives none. */
function itemOccasion(template: TemplateKind, item: ItemIdentity): string | null {
	switch (item.topic) {
		case 'reservation':
			return item.version ? `reservation:${item.id}:v${item.version}` : null;
		case 'payment':
			if (template !== 'paymentRefund') return `payment:${item.id}`;
			if (!item.refunded) throw invalid('payment', 'The payment has no refund (amountRefunded is 0 or missing): a refund confirmation needs a Payment Webhook Trigger or hotel event item of a refund.');
			return `payment:${item.id}:refunded:${item.refunded}`;
		case 'alert':
			return `alert:${item.alertKey || `${item.integration}:${item.failingSince || item.consecutiveFailures}`}`;
	}
}

/** The dedupe key of an e-mail of `template` about `item`, or the hotel's own key (rule 1). */
export function dedupeKeyFor(template: TemplateKind, item: ItemIdentity, ownKey?: string): string {
	// The item's occasion first, even with an own key: a refund of nothing is refused either way.
	const fromItem = itemOccasion(template, item);
	const own = (ownKey ?? '').trim();
	const occasion = own ? `key:${own}` : fromItem;
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
