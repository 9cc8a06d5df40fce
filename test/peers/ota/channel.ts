/**
 * The channel behind the OTA peer, without HTTP: which message each path takes, the XSD check,
 * and what each message does to the channel's view of the hotel and to its reservation outbox.
 * Every answer is an OTA message; refusals are Errors in the matching RS, as channels send them.
 */
import type { ChannelProfile } from '../../../lib/channels/profiles';
import {
	OtaMessageError,
	parseAckResponse,
	type ChannelReservation,
	type OtaIssue,
	type ParsedAck,
	type AvailUpdate,
	type RateUpdate,
} from '../../../lib/ota';
import {
	buildHotelAvailRS,
	buildHotelResModifyNotifRQ,
	buildHotelResNotifRQ,
	buildResRetrieveRS,
	parseHotelAvailNotif,
	parseHotelRateAmountNotif,
	parseReadRQ,
} from './messages';
import { rootElementName, validateOta } from '../../support/xsd';
import { offersFor, readAvailRQ } from './availability';
import { withFullCardData } from './cardData';
import { applyAvailability, applyRates, emptyView, rangesSpanningMonths, type ChannelView } from './channelView';
import { acknowledgementRS, emptyPull, issue, responseRootFor } from './messages';
import { ReservationQueue, type Category } from './reservationQueue';

export interface ChannelOptions {
	profile: ChannelProfile;
	hotelCode: string;
	validate: boolean;
	/** 'full' (default): delivered reservations carry a full test card, as real channels send it. */
	cardData: 'full' | 'masked';
}

/** The outcome of one received message, for the answer and for the request log. */
export interface Processed {
	root?: string;
	/** false when the message itself was refused (XSD, not XML, unreadable); business refusals keep true. */
	valid: boolean;
	errors?: string[];
	response: string;
	/** The path does not take this root at all (SOAP answers that with a fault). */
	unsupported?: boolean;
}

type PathName = keyof ChannelProfile['paths'];

/** The message each named path takes by POST. */
const POSTED_ROOTS: Partial<Record<PathName, string>> = {
	availNotif: 'OTA_HotelAvailNotifRQ',
	rateNotif: 'OTA_HotelRateAmountNotifRQ',
	availQuery: 'OTA_HotelAvailRQ',
	read: 'OTA_ReadRQ',
	notifReport: 'OTA_NotifReportRQ',
	pullNew: 'OTA_HotelResNotifRS',
	pullModified: 'OTA_HotelResModifyNotifRS',
};

/** Booking.com acknowledges each pull by POSTing its RS to the same path. */
const ACK_CATEGORIES: Record<string, Category> = {
	OTA_HotelResNotifRS: 'new',
	OTA_HotelResModifyNotifRS: 'changes',
	OTA_NotifReportRQ: 'all',
};

/** Messages without a schema in ../shared/ota-xsd are taken unchecked. */
const WITHOUT_XSD = new Set(['OTA_CancelRQ', 'OTA_CancelRS']);

function echoTokenOf(xml: string): string | undefined {
	return /\bEchoToken\s*=\s*"([^"]*)"/.exec(xml)?.[1];
}

/** How the next ARI messages go wrong, silently: each is answered Success either way. */
export interface AriFault {
	/** Messages not applied at all (a channel that lost them after accepting). */
	lose: number;
	/** Messages applied with these edits (a channel that applied something else). */
	alter: number;
	edit?: AriEdit;
}

export interface AriEdit {
	availability?: (update: AvailUpdate) => AvailUpdate;
	rate?: (rate: RateUpdate) => RateUpdate;
}

export class Channel {
	readonly view: ChannelView = emptyView();
	readonly queue: ReservationQueue;
	readonly ariFault: AriFault = { lose: 0, alter: 0 };
	private readonly handlers: Record<string, (xml: string) => string>;

	constructor(private readonly opts: ChannelOptions) {
		this.queue = new ReservationQueue(opts.hotelCode);
		this.handlers = {
			OTA_HotelAvailNotifRQ: (xml) => this.availNotif(xml),
			OTA_HotelRateAmountNotifRQ: (xml) => this.rateNotif(xml),
			OTA_HotelAvailRQ: (xml) => this.availQuery(xml),
			OTA_ReadRQ: (xml) => this.read(xml),
			OTA_NotifReportRQ: (xml) => this.settle(parseAckResponse(xml), 'OTA_NotifReportRS'),
			OTA_HotelResNotifRS: (xml) => this.settle(parseAckResponse(xml), 'OTA_HotelResNotifRS'),
			OTA_HotelResModifyNotifRS: (xml) => this.settle(parseAckResponse(xml), 'OTA_HotelResModifyNotifRS'),
		};
	}

	/** The roots a path takes by POST; on SiteMinder every message goes to '/'. */
	rootsFor(path: string): string[] {
		const paths = this.opts.profile.paths;
		return (Object.keys(paths) as PathName[]).filter((name) => paths[name] === path && POSTED_ROOTS[name]).map((name) => POSTED_ROOTS[name] as string);
	}

	/** Booking.com-style GET pulls: which reservations the path delivers. */
	pullCategory(path: string): 'new' | 'changes' | undefined {
		const { pullNew, pullModified } = this.opts.profile.paths;
		if (pullNew !== undefined && path === pullNew) return 'new';
		if (pullModified !== undefined && path === pullModified) return 'changes';
		return undefined;
	}

	/** Checks and applies one message that arrived on a path taking `accepted`. */
	process(xml: string, accepted: string[]): Processed {
		let root: string;
		try {
			root = rootElementName(xml);
		} catch {
			return this.refuse(responseRootFor(accepted[0]), undefined, xml, ['the body is not XML (no root element)']);
		}
		if (!accepted.includes(root)) {
			const response = acknowledgementRS(responseRootFor(accepted[0]), { errors: [issue('invalidMessage', `${root} is not taken here; expected ${accepted.join(' or ')}`)] });
			return { root, valid: true, response, unsupported: true };
		}
		if (this.opts.validate && !WITHOUT_XSD.has(root)) {
			const verdict = validateOta(xml);
			if (!verdict.ok) return this.refuse(responseRootFor(root), root, xml, verdict.errors);
		}
		try {
			return { root, valid: true, response: this.handlers[root](xml) };
		} catch (error) {
			if (error instanceof OtaMessageError) return this.refuse(responseRootFor(root), root, xml, [error.message]);
			throw error;
		}
	}

	/** Messages to answer the next pulls with, as they are (tests feed channels' published shapes through the hotel's pull). */
	readonly rawAnswers: string[] = [];

	/** A pull answer (Booking.com GET): everything unsettled in the category, the bare root when none. */
	pull(category: 'new' | 'changes'): string {
		if (category === 'new' && this.rawAnswers.length > 0) return this.rawAnswers.shift()!;
		const reservations = this.queue.deliver(category);
		const root = category === 'new' ? 'OTA_HotelResNotifRQ' : 'OTA_HotelResModifyNotifRQ';
		if (reservations.length === 0) return emptyPull(root);
		const build = category === 'new' ? buildHotelResNotifRQ : buildHotelResModifyNotifRQ;
		// Booking.com dates a stay by its nightly rates only: no TimeSpan.
		return this.withCards(build(reservations, { stayDates: 'ratesOnly' }));
	}

	withCards(xml: string): string {
		return this.opts.cardData === 'full' ? withFullCardData(xml) : xml;
	}

	/** An Errors answer for a message that could not be taken at all. */
	private refuse(rsRoot: string, root: string | undefined, xml: string, errors: string[]): Processed {
		const detail = errors.filter((line) => !/fails to validate$/.test(line)).slice(0, 3).join(' | ') || errors.join(' | ');
		const response = acknowledgementRS(rsRoot, { errors: [issue('invalidMessage', `invalid message: ${detail}`)] }, echoTokenOf(xml));
		return { root, valid: false, errors, response };
	}

	private availNotif(xml: string): string {
		const parsed = parseHotelAvailNotif(xml, { maxBytes: Infinity });
		const refusal = this.hotelRefusal(parsed.hotelCode) ?? this.countRefusal(parsed.updates.length);
		if (refusal) return acknowledgementRS('OTA_HotelAvailNotifRS', { errors: [refusal] }, parsed.echoToken);
		if (!this.loseAriMessage()) applyAvailability(this.view, this.alterAri(parsed.updates, this.ariFault.edit?.availability));
		return acknowledgementRS('OTA_HotelAvailNotifRS', {}, parsed.echoToken);
	}

	private rateNotif(xml: string): string {
		const parsed = parseHotelRateAmountNotif(xml, { maxBytes: Infinity });
		const refusal = this.hotelRefusal(parsed.hotelCode) ?? this.countRefusal(parsed.rates.length) ?? this.monthRefusal(parsed.rates);
		if (refusal) return acknowledgementRS('OTA_HotelRateAmountNotifRS', { errors: [refusal] }, parsed.echoToken);
		if (!this.loseAriMessage()) applyRates(this.view, this.alterAri(parsed.rates, this.ariFault.edit?.rate));
		return acknowledgementRS('OTA_HotelRateAmountNotifRS', {}, parsed.echoToken);
	}

	private loseAriMessage(): boolean {
		if (this.ariFault.lose <= 0) return false;
		this.ariFault.lose--;
		return true;
	}

	private alterAri<T>(updates: T[], edit: ((update: T) => T) | undefined): T[] {
		if (this.ariFault.alter <= 0 || !edit) return updates;
		this.ariFault.alter--;
		return updates.map(edit);
	}

	/** OTA_HotelAvailRQ: what the channel would sell for the stay, from what our pushes told it. */
	private availQuery(xml: string): string {
		const query = readAvailRQ(xml);
		const refusal = this.hotelRefusal(query.hotelCode);
		if (refusal) return acknowledgementRS('OTA_HotelAvailRS', { errors: [refusal] }, query.echoToken);
		const offers = offersFor(this.view, query);
		const stay = { arrival: query.arrival, departure: query.departure };
		try {
			return buildHotelAvailRS(this.opts.hotelCode, offers, { ...stay, echoToken: query.echoToken });
		} catch {
			// A token the schema cannot carry (validation off) is not echoed, as in acknowledgementRS.
			return buildHotelAvailRS(this.opts.hotelCode, offers, stay);
		}
	}

	/** OTA_ReadRQ: Undelivered (what pmsXchange asks for) delivers; the other selections only look. */
	private read(xml: string): string {
		const request = parseReadRQ(xml, { maxBytes: Infinity });
		if (this.rawAnswers.length > 0) return this.rawAnswers.shift()!;
		if (request.hotelCode !== undefined) {
			const refusal = this.hotelRefusal(request.hotelCode);
			if (refusal) return acknowledgementRS('OTA_ResRetrieveRS', { errors: [refusal] }, request.echoToken);
		}
		let reservations: ChannelReservation[];
		if (request.selection === 'All') reservations = this.queue.list('all');
		else if (request.selection === 'PreviouslyDelivered') reservations = this.queue.list('previouslyDelivered');
		else reservations = this.queue.deliver('all');
		return this.withCards(buildResRetrieveRS(reservations, { echoToken: request.echoToken }));
	}

	/**
	 * An acknowledgement: Success names reservations taken (counted, also when repeated), Errors
	 * name reservations the hotel could not take (by RecordID, or the reservations listed).
	 * Anything neither acknowledged nor rejected stays undelivered and comes back on the next pull.
	 */
	private settle(ack: ParsedAck, rsRoot: string): string {
		const category = ACK_CATEGORIES[ack.root];
		const warnings: OtaIssue[] = [];
		const unknown = (id: string) => warnings.push(issue('unknownReservation', `reservation ${id} is unknown`, id));
		if (ack.errors.length > 0) {
			const ids = new Set([...ack.reservations.map((each) => each.channelReservationId), ...ack.errors.map((each) => each.recordId)].filter((id): id is string => !!id));
			if (ids.size === 0) warnings.push(issue('noRecordId', 'the errors name no reservation (RecordID): nothing was marked as failed'));
			for (const id of ids) {
				const reason = ack.errors.find((each) => each.recordId === id)?.message ?? ack.errors[0].message;
				if (!this.queue.reject(id, reason, category)) unknown(id);
			}
		} else if (ack.ok) {
			const ids = new Set(ack.reservations.map((each) => each.channelReservationId).filter((id): id is string => !!id));
			for (const id of ids) if (!this.queue.acknowledge(id, category)) unknown(id);
		} else {
			return acknowledgementRS(rsRoot, { errors: [issue('invalidMessage', 'neither Success nor Errors: nothing acknowledged')] }, ack.echoToken);
		}
		return acknowledgementRS(rsRoot, { warnings }, ack.echoToken);
	}

	private hotelRefusal(hotelCode: string | undefined): OtaIssue | undefined {
		if (hotelCode === this.opts.hotelCode) return undefined;
		return issue('unknownHotel', hotelCode === undefined ? 'HotelCode is missing' : `unknown hotel "${hotelCode}"`);
	}

	private countRefusal(count: number): OtaIssue | undefined {
		const max = this.opts.profile.limits.maxUpdatesPerMessage;
		return count > max ? issue('tooManyUpdates', `${count} updates in one message; at most ${max}`) : undefined;
	}

	private monthRefusal(rates: Parameters<typeof rangesSpanningMonths>[0]): OtaIssue | undefined {
		if (!this.opts.profile.limits.ratesOneMonthPerRequest) return undefined;
		const spanning = rangesSpanningMonths(rates)[0];
		if (!spanning) return undefined;
		return issue('monthSpan', `rate range ${spanning.start}..${spanning.end} (${spanning.roomType}/${spanning.ratePlan}) spans more than one calendar month`);
	}
}
