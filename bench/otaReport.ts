/**
 * The OTA part of the report: printed after the other parts, written to latest.json under `ota`.
 */
import type { OtaReport } from './ota';
import { CODEC_GOAL, type CodecCase } from './otaCodec';
import { PUSH_REQUEST_GOAL } from './otaPush';
import { alignColumns, fixed } from './table';

const kb = (bytes: number) => `${fixed(bytes / 1024, 0)} KiB`;

export function formatOta(r: OtaReport): string[] {
	const p = r.push;
	const c = r.codec;
	const pushTable = alignColumns([
		['OTA push (no n8n)', 'requests', 'bytes sent', 'bytes/request'],
		['ours: one pushChanges', String(p.ours.requests), kb(p.ours.bytes), fixed(p.ours.bytes / p.ours.requests, 0)],
		['naive: 1 per night × room (× rate)', String(p.naive.requests), kb(p.naive.bytes), fixed(p.naive.bytes / p.naive.requests, 0)],
		['naive/ours', `${fixed(p.ratios.requests, 0)}× (${p.goalMet ? 'goal met' : 'BELOW goal'} ≥ ${PUSH_REQUEST_GOAL}×)`, `${fixed(p.ratios.bytes, 1)}×`],
	]);
	const row = (name: string, k: CodecCase) => [
		name,
		`${kb(k.bytes)}`,
		fixed(k.ours.medianMs, 2),
		fixed(k.fxp.medianMs, 2),
		`${fixed(k.ratio, 2)}× (${k.goalMet ? 'goal met' : 'OVER goal'} ≤ ${CODEC_GOAL}×)`,
	];
	const codecTable = alignColumns([
		['OTA codec (medians)', 'size', 'ours ms', 'fxp ms', 'ours/fxp'],
		row('parse 1,000 reservations', c.parse),
		row('build 5,000 avail updates', c.build),
	]);
	const breakdown = (name: string, k: CodecCase) =>
		k.breakdown ? [`  ${name} breakdown (median ms): ${Object.entries(k.breakdown).map(([s, ms]) => `${s} ${fixed(ms, 2)}`).join('; ')}`] : [];
	return [
		`OTA part, without n8n: ${p.setup.roomTypes} room types × ${p.setup.ratePlans} rate plans × ${p.setup.nights} nights, ${p.setup.stopSells} stop-sells (seed ${p.setup.seed}), ` +
			`seeded in ${fixed(p.setup.seconds, 1)} s with ${p.setup.storeCalls} HotelService calls; local OTA peer, profile ${p.peer.profile}, XSD validation OFF (speed)`,
		pushTable,
		`  push: ${p.push.status}, ${p.push.changes} changes → ${p.push.messages} messages (${Object.entries(p.ours.byMessage).map(([m, v]) => `${v.requests} ${m}`).join(', ')}), ` +
			`${p.push.nights} nights, ${fixed(p.push.seconds, 2)} s; sync log: ${p.ours.syncLogRows} rows, ${kb(p.ours.syncLogBytes)}`,
		`  naive bytes: ${p.naive.bytesMethod} in ${fixed(p.naive.buildSeconds, 2)} s`,
		`  channel view vs store: ${p.check.availabilityNights} availability + ${p.check.rateNights} rate nights compared → ` +
			`${p.check.passed ? 'equal ✓' : `${p.check.mismatches} MISMATCHES ✗ (${p.check.examples.join('; ')})`}`,
		`  audit of ${p.audit.nights} nights (${p.audit.roomTypeNights} room type nights, ${p.audit.inStep.requests} requests): in step ${fixed(p.audit.inStep.seconds, 2)} s, drift ${p.audit.inStep.drift}; ` +
			`after ${p.audit.edited.edits} extranet edits ${fixed(p.audit.edited.seconds, 2)} s, drift ${p.audit.edited.drift} (${p.audit.edited.differences} differences), ` +
			`repaired with ${p.audit.edited.repairMessages} messages, ${kb(p.audit.edited.repairBytes)}; then drift ${p.audit.after.drift} ${p.audit.passed ? '✓' : '✗'}`,
		`  repair vs re-pushing the whole window (${p.audit.blindRepush.messages} messages, ${kb(p.audit.blindRepush.bytes)}): ` +
			`${fixed(p.audit.ratios.bytes, 1)}× fewer bytes, ${fixed(p.audit.ratios.messages, 1)}× fewer messages`,
		'',
		codecTable,
		`  ${c.warmup} warm-up + ${c.runs} runs each, ours and fxp alternating; fxp options parse ${JSON.stringify(c.fxpOptions.parse)}, build ${JSON.stringify(c.fxpOptions.build)}`,
		...[c.parse, c.build].flatMap((k) => k.notes.map((n) => `  ${n}`)),
		...breakdown('parse', c.parse),
		...breakdown('build', c.build),
		...c.suggestions.map((s) => `  suggestion: ${s}`),
	];
}
