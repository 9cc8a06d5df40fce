/**
 * The registry of the guest and staff e-mails: reservation confirmation, modification,
 * cancellation, payment receipt, payment failed, refund confirmation, integration alert. For each
 * kind: what it is about (the topic: which input it is rendered from), the placeholders it may
 * use, and its default text (templateTexts.ts); renderEmail fills in one e-mail, with the hotel's
 * overrides. The dedupe key is dedupeKeys.ts's business.
 */
import { hotelValues, type EmailData, type HotelInfo, type Topic } from './emailData';
import { renderTemplate, type TemplatePart, type TemplateValues } from './renderer';
import * as texts from './templateTexts';

export type EmailTemplate = texts.EmailTemplate;

export type TemplateKind =
	| 'reservationConfirmation'
	| 'reservationModification'
	| 'reservationCancellation'
	| 'paymentReceipt'
	| 'paymentFailed'
	| 'paymentRefund'
	| 'integrationAlert';

export type TemplateOverrides = Partial<EmailTemplate>;

export interface RenderedEmail extends EmailTemplate {
	kind: TemplateKind;
}

const VARIABLES: Record<'hotel' | 'guest' | Topic, string[]> = {
	hotel: ['name', 'logoUrl', 'phone', 'email', 'address', 'checkInTime', 'checkOutTime'],
	guest: ['name', 'email', 'phone'],
	reservation: [
		'id', 'status', 'arrival', 'departure', 'nights', 'roomType', 'ratePlan', 'rooms', 'roomList', 'adults', 'children',
		'amount', 'currency', 'total', 'channel', 'channelReservationId', 'version',
	],
	payment: ['id', 'reservationId', 'amount', 'currency', 'total', 'refunded', 'status', 'failureReason'],
	alert: ['integration', 'error', 'consecutiveFailures', 'failingSince', 'checkedAt'],
};

const names = (group: keyof typeof VARIABLES) => VARIABLES[group].map((v) => `${group}.${v}`);

interface Definition {
	/** What the e-mail is about: which input it is rendered from. */
	topic: Topic;
	template: EmailTemplate;
}

const DEFINITIONS: Record<TemplateKind, Definition> = {
	reservationConfirmation: { topic: 'reservation', template: texts.reservationConfirmation },
	reservationModification: { topic: 'reservation', template: texts.reservationModification },
	reservationCancellation: { topic: 'reservation', template: texts.reservationCancellation },
	paymentReceipt: { topic: 'payment', template: texts.paymentReceipt },
	paymentFailed: { topic: 'payment', template: texts.paymentFailed },
	paymentRefund: { topic: 'payment', template: texts.paymentRefund },
	integrationAlert: { topic: 'alert', template: texts.integrationAlert },
};

export const TEMPLATE_KINDS = Object.keys(DEFINITIONS) as TemplateKind[];

export function isTemplateKind(value: unknown): value is TemplateKind {
	return typeof value === 'string' && value in DEFINITIONS;
}

/** Which kind of input a template is about (reservation, payment or alert). */
export function topicOf(kind: TemplateKind): Topic {
	return DEFINITIONS[kind].topic;
}

export function defaultTemplate(kind: TemplateKind): EmailTemplate {
	return { ...DEFINITIONS[kind].template };
}

/** The placeholders a template of this kind may use. */
export function placeholdersOf(kind: TemplateKind): string[] {
	const topic = topicOf(kind);
	const groups: Array<keyof typeof VARIABLES> = topic === 'alert' ? ['hotel', 'alert'] : ['hotel', 'guest', topic];
	return groups.flatMap(names);
}

/**
 * Renders the three parts of `kind` for one e-mail. Overridden parts replace the defaults; an empty
 * override keeps the default. Errors name the node field (templateOverrides.subject, …).
 */
export function renderEmail(kind: TemplateKind, hotel: HotelInfo, data: EmailData, overrides: TemplateOverrides = {}): RenderedEmail {
	const known = new Set(placeholdersOf(kind));
	const values: TemplateValues = { ...data.values, ...hotelValues(hotel) };
	const template = defaultTemplate(kind);
	const part = (name: TemplatePart) => {
		const override = overrides[name];
		const overridden = typeof override === 'string' && override.trim() !== '';
		return renderTemplate(overridden ? override : template[name], name, values, known, overridden ? `templateOverrides.${name}` : `template.${name}`);
	};
	return { kind, subject: part('subject'), html: part('html'), text: part('text') };
}
