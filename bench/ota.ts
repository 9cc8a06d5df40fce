/**
 * The OTA part of `npm run bench`, run without n8n (the library and a local OTA peer only):
 * (a) push efficiency against the naive push (otaPush.ts), (b) parsing/building speed against
 * fast-xml-parser alone (otaCodec.ts). Left out with BENCH_OTA=0; alone: `tsx bench/otaMain.ts`.
 */
import { runOtaCodec, type OtaCodecReport } from './otaCodec';
import { runOtaPush, type OtaPushReport } from './otaPush';

export interface OtaReport {
	push: OtaPushReport;
	codec: OtaCodecReport;
	/** Correctness only (push went through, the channel's view equals the store, outputs match): the speed goals are reported, not failed. */
	passed: boolean;
}

export async function runOta(progress: (m: string) => void): Promise<OtaReport> {
	const push = await runOtaPush(progress);
	const codec = runOtaCodec(progress);
	const outputsMatch = !codec.build.notes.some((n) => n.includes('DIFFER')) && !codec.parse.notes.some((n) => n.includes('round-trip: NO'));
	return { push, codec, passed: push.passed && outputsMatch };
}
