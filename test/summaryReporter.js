// Prints one plain closing line, `jest: N passed, N failed, N skipped`, after Jest's own summary,
// so that CI (which reads that line) and a person see the same count.
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
		const failedSuites = results.numRuntimeErrorTestSuites ?? 0;
		process.stdout.write(
			`\njest: ${numPassedTests} passed, ${numFailedTests + failedSuites} failed, ${numPendingTests + numTodoTests} skipped\n`,
		);
	}
}
module.exports = SummaryReporter;
