/**
 * Ends every run with one plain line, `Summary: N passed, N failed, N skipped`, which CI tools
 * that do not know Jest's own summary format can read.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `Summary: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.stdout.write(`\n${line}\n`);
  }
}

module.exports = SummaryReporter;
