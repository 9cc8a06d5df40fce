/** The OTA part alone (no n8n, no build): `tsx bench/otaMain.ts`. `npm run bench` runs it too (BENCH_OTA=0 leaves it out). */
import { formatOta } from './otaReport';
import { runOta } from './ota';

runOta((m) => process.stderr.write(`[bench] ${m}\n`))
	.then((report) => {
		console.log(formatOta(report).join('\n'));
		if (!report.passed) process.exitCode = 1;
	})
	.catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
