/**
 * The text of the default e-mails: for each template kind a subject, an HTML part and a plain-text
 * part, written in the small language of renderer.ts (`{{name}}`, `{{#name}}…{{/name}}` if set,
 * `{{^name}}…{{/name}}` if empty). The hotel can replace any of the three in the node. Kept as
 * TypeScript so `n8n-node build` ships them. Which placeholders each kind may use, and how the
 * parts are rendered, is templates.ts's business; this module is text only.
 */

export interface EmailTemplate {
	subject: string;
	html: string;
	text: string;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces of the defaults: a plain, table-based layout most mail clients render alike.
// ---------------------------------------------------------------------------------------------

const htmlLayout = (title: string, body: string) =>
	`<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:Arial,Helvetica,sans-serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:6px">
<tr><td style="padding:24px 24px 8px 24px">{{#hotel.logoUrl}}<img src="{{hotel.logoUrl}}" alt="{{hotel.name}}" height="48" style="display:block;border:0">{{/hotel.logoUrl}}{{^hotel.logoUrl}}<strong style="font-size:20px">{{hotel.name}}</strong>{{/hotel.logoUrl}}</td></tr>
<tr><td style="padding:8px 24px 24px 24px;font-size:15px;line-height:1.5">
${body}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e5e5e5;font-size:12px;color:#666">
<strong>{{hotel.name}}</strong>{{#hotel.address}}<br>{{hotel.address}}{{/hotel.address}}{{#hotel.phone}}<br>Phone: <a href="tel:{{hotel.phone}}">{{hotel.phone}}</a>{{/hotel.phone}}{{#hotel.email}}<br>E-mail: <a href="mailto:{{hotel.email}}">{{hotel.email}}</a>{{/hotel.email}}
</td></tr>
</table></td></tr></table>
</body></html>
`;

const textFooter = `
--
{{hotel.name}}{{#hotel.address}}
{{hotel.address}}{{/hotel.address}}{{#hotel.phone}}
Phone: {{hotel.phone}}{{/hotel.phone}}{{#hotel.email}}
E-mail: {{hotel.email}}{{/hotel.email}}
`;

const greetingHtml = '<p>{{#guest.name}}Dear {{guest.name}},{{/guest.name}}{{^guest.name}}Dear guest,{{/guest.name}}</p>';
const greetingText = '{{#guest.name}}Dear {{guest.name}},{{/guest.name}}{{^guest.name}}Dear guest,{{/guest.name}}';

const row = (label: string, value: string) => `<tr><td style="padding:4px 16px 4px 0;color:#666">${label}</td><td style="padding:4px 0">${value}</td></tr>`;

const stayHtml = `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:16px 0">
${row('Reservation', '{{reservation.id}}')}
${row('Arrival', '{{reservation.arrival}}{{#hotel.checkInTime}}, check-in from {{hotel.checkInTime}}{{/hotel.checkInTime}}')}
${row('Departure', '{{reservation.departure}}{{#hotel.checkOutTime}}, check-out by {{hotel.checkOutTime}}{{/hotel.checkOutTime}}')}
{{#reservation.nights}}${row('Nights', '{{reservation.nights}}')}{{/reservation.nights}}
{{#reservation.roomList}}${row('Rooms', '{{reservation.roomList}}')}{{/reservation.roomList}}{{^reservation.roomList}}${row('Room', '{{reservation.roomType}}{{#reservation.rooms}} × {{reservation.rooms}}{{/reservation.rooms}}')}{{/reservation.roomList}}
${row('Guests', '{{reservation.adults}} adult(s){{#reservation.children}}, {{reservation.children}} child(ren){{/reservation.children}}')}
{{#reservation.total}}${row('Total', '{{reservation.total}}')}{{/reservation.total}}
</table>`;

const stayText = `Reservation: {{reservation.id}}
Arrival:     {{reservation.arrival}}{{#hotel.checkInTime}}, check-in from {{hotel.checkInTime}}{{/hotel.checkInTime}}
Departure:   {{reservation.departure}}{{#hotel.checkOutTime}}, check-out by {{hotel.checkOutTime}}{{/hotel.checkOutTime}}{{#reservation.nights}}
Nights:      {{reservation.nights}}{{/reservation.nights}}
{{#reservation.roomList}}Rooms:       {{reservation.roomList}}{{/reservation.roomList}}{{^reservation.roomList}}Room:        {{reservation.roomType}}{{#reservation.rooms}} x {{reservation.rooms}}{{/reservation.rooms}}{{/reservation.roomList}}
Guests:      {{reservation.adults}} adult(s){{#reservation.children}}, {{reservation.children}} child(ren){{/reservation.children}}{{#reservation.total}}
Total:       {{reservation.total}}{{/reservation.total}}`;

const contactHtml = '<p>If you have any questions, just reply to this e-mail{{#hotel.phone}} or call us at {{hotel.phone}}{{/hotel.phone}}.</p>';
const contactText = 'If you have any questions, just reply to this e-mail{{#hotel.phone}} or call us at {{hotel.phone}}{{/hotel.phone}}.';

// ---------------------------------------------------------------------------------------------
// Reservations: confirmation, modification, cancellation.
// ---------------------------------------------------------------------------------------------

export const reservationConfirmation: EmailTemplate = {
	subject: 'Your reservation {{reservation.id}} at {{hotel.name}} is confirmed',
	html: htmlLayout(
		'Reservation confirmed',
		`${greetingHtml}
<p>Thank you for booking with {{hotel.name}}. Your reservation is confirmed:</p>
${stayHtml}
${contactHtml}
<p>We look forward to welcoming you.</p>`,
	),
	text: `${greetingText}

Thank you for booking with {{hotel.name}}. Your reservation is confirmed:

${stayText}

${contactText}

We look forward to welcoming you.
${textFooter}`,
};

export const reservationModification: EmailTemplate = {
	subject: 'Your reservation {{reservation.id}} at {{hotel.name}} has been changed',
	html: htmlLayout(
		'Reservation changed',
		`${greetingHtml}
<p>Your reservation at {{hotel.name}} has been changed. These are the details now:</p>
${stayHtml}
${contactHtml}`,
	),
	text: `${greetingText}

Your reservation at {{hotel.name}} has been changed. These are the details now:

${stayText}

${contactText}
${textFooter}`,
};

export const reservationCancellation: EmailTemplate = {
	subject: 'Your reservation {{reservation.id}} at {{hotel.name}} has been cancelled',
	html: htmlLayout(
		'Reservation cancelled',
		`${greetingHtml}
<p>Your reservation {{reservation.id}} ({{reservation.arrival}} to {{reservation.departure}}) at {{hotel.name}} has been cancelled.</p>
${contactHtml}
<p>We hope to welcome you another time.</p>`,
	),
	text: `${greetingText}

Your reservation {{reservation.id}} ({{reservation.arrival}} to {{reservation.departure}}) at {{hotel.name}} has been cancelled.

${contactText}

We hope to welcome you another time.
${textFooter}`,
};

// ---------------------------------------------------------------------------------------------
// Payments: receipt, failure, refund.
// ---------------------------------------------------------------------------------------------

export const paymentReceipt: EmailTemplate = {
	subject: 'Payment received{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}} – {{hotel.name}}',
	html: htmlLayout(
		'Payment received',
		`${greetingHtml}
<p>We have received your payment of <strong>{{payment.total}}</strong>{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}}. Thank you.</p>
<table role="presentation" cellpadding="0" cellspacing="0" style="margin:16px 0">
${row('Amount', '{{payment.total}}')}
{{#payment.reservationId}}${row('Reservation', '{{payment.reservationId}}')}{{/payment.reservationId}}
${row('Payment reference', '{{payment.id}}')}
</table>
${contactHtml}`,
	),
	text: `${greetingText}

We have received your payment of {{payment.total}}{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}}. Thank you.

Amount:            {{payment.total}}{{#payment.reservationId}}
Reservation:       {{payment.reservationId}}{{/payment.reservationId}}
Payment reference: {{payment.id}}

${contactText}
${textFooter}`,
};

export const paymentFailed: EmailTemplate = {
	subject: 'Your payment{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}} did not go through – {{hotel.name}}',
	html: htmlLayout(
		'Payment failed',
		`${greetingHtml}
<p>Your payment of <strong>{{payment.total}}</strong>{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}} did not go through.</p>
{{#payment.failureReason}}<p>Reason given by the payment provider: {{payment.failureReason}}</p>{{/payment.failureReason}}
<p>Please try again with another payment method, or contact us so we can help.</p>
${contactHtml}`,
	),
	text: `${greetingText}

Your payment of {{payment.total}}{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}} did not go through.{{#payment.failureReason}}

Reason given by the payment provider: {{payment.failureReason}}{{/payment.failureReason}}

Please try again with another payment method, or contact us so we can help.

${contactText}
${textFooter}`,
};

export const paymentRefund: EmailTemplate = {
	subject: 'Refund{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}} – {{hotel.name}}',
	html: htmlLayout(
		'Refund',
		`${greetingHtml}
<p>We have refunded <strong>{{payment.refunded}}</strong> of your payment of {{payment.total}}{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}}. Depending on your bank, it can take a few days to show on your statement.</p>
<table role="presentation" cellpadding="0" cellspacing="0" style="margin:16px 0">
${row('Refunded in total', '{{payment.refunded}}')}
${row('Paid', '{{payment.total}}')}
{{#payment.reservationId}}${row('Reservation', '{{payment.reservationId}}')}{{/payment.reservationId}}
${row('Payment reference', '{{payment.id}}')}
</table>
${contactHtml}`,
	),
	text: `${greetingText}

We have refunded {{payment.refunded}} of your payment of {{payment.total}}{{#payment.reservationId}} for reservation {{payment.reservationId}}{{/payment.reservationId}}. Depending on your bank, it can take a few days to show on your statement.

Refunded in total: {{payment.refunded}}
Paid:              {{payment.total}}{{#payment.reservationId}}
Reservation:       {{payment.reservationId}}{{/payment.reservationId}}
Payment reference: {{payment.id}}

${contactText}
${textFooter}`,
};

// ---------------------------------------------------------------------------------------------
// Integration alert: for the hotel's staff, so no guest greeting.
// ---------------------------------------------------------------------------------------------

export const integrationAlert: EmailTemplate = {
	subject: '[{{hotel.name}}] {{alert.integration}} is failing ({{alert.consecutiveFailures}} checks in a row)',
	html: htmlLayout(
		'Integration alert',
		`<p><strong>{{alert.integration}}</strong> has failed {{alert.consecutiveFailures}} checks in a row{{#alert.failingSince}}, since {{alert.failingSince}}{{/alert.failingSince}}.</p>
{{#alert.error}}<p>Last error:</p><pre style="white-space:pre-wrap;background:#f7f7f7;padding:12px;border-radius:4px">{{alert.error}}</pre>{{/alert.error}}
{{#alert.checkedAt}}<p>Last checked: {{alert.checkedAt}}</p>{{/alert.checkedAt}}
<p>You get this alert once per run of failures; the next one comes only after {{alert.integration}} has recovered and fails again.</p>`,
	),
	text: `{{alert.integration}} has failed {{alert.consecutiveFailures}} checks in a row{{#alert.failingSince}}, since {{alert.failingSince}}{{/alert.failingSince}}.{{#alert.error}}

Last error:
{{alert.error}}{{/alert.error}}{{#alert.checkedAt}}

Last checked: {{alert.checkedAt}}{{/alert.checkedAt}}

You get this alert once per run of failures; the next one comes only after {{alert.integration}} has recovered and fails again.
${textFooter}`,
};
