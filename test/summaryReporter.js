// Prints one plain closing line, `jest: N passed, N failed, N skipped`, as the very last line of
// the run (after Jest's own summary), so that CI, which reads the closing line, and a person see
// the same count.
const { writeSync } = require('node:fs');

class SummaryReporter {
	onRunComplete(_contexts, results) {
		const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
		const failedSuites = results.numRuntimeErrorTestSuites ?? 0;
		const line = `jest: ${numPassedTests} passed, ${numFailedTests + failedSuites} failed, ${numPendingTests + numTodoTests} skipped\n`;
		// Jest's default reporter prints its summary after ours; at exit we are last.
		process.once('exit', () => writeSync(1, `\n${line}`));
	}
}
module.exports = SummaryReporter;
