/**
 * From what a workflow has (template, hotel details, the item's reservation / payment / alert,
 * recipient, optional overrides and key) to an e-mail ready for the outbox. Shared by the node's
 * three operations, so Preview shows exactly what Send Now and Enqueue would send.
 */
import { parseRecipients } from './addresses';
import { jsonObject } from '../jsonObject';
import { dataReaders, type HotelInfo } from './emailData';
import { dedupeKeyFor, messageIdFor } from './dedupeKeys';
import type { NewEmail } from './outbox';
import { renderEmail, topicOf, type TemplateKind, type TemplateOverrides } from './templates';

export interface ComposeInput {
	template: TemplateKind;
	hotel: HotelInfo;
	/** The reservation, payment or alert the template is about (object or JSON text). */
	source: unknown;
	/** Recipients; required unless `recipientOptional` (Preview). */
	to: unknown;
	overrides?: TemplateOverrides;
	/** The hotel's own dedupe key, instead of the one derived from the source. */
	dedupeKey?: string;
	recipientOptional?: boolean;
}

/** `to` is '' only for a Preview without a recipient. */
export function composeEmail(input: ComposeInput): NewEmail {
	const topic = topicOf(input.template);
	const data = dataReaders[topic](jsonObject(input.source, topic));
	const to = input.recipientOptional && (input.to === undefined || input.to === null || String(input.to).trim() === '') ? '' : parseRecipients(input.to, 'to');
	const rendered = renderEmail(input.template, input.hotel, data, input.overrides);
	const dedupeKey = dedupeKeyFor(input.template, data.identity, input.dedupeKey);
	return {
		dedupeKey,
		template: input.template,
		reservationId: data.reservationId,
		to,
		subject: rendered.subject,
		html: rendered.html,
		text: rendered.text,
		messageId: messageIdFor(dedupeKey, input.hotel.email),
	};
}
