// Preloaded (node --require) into a child process by the hostile-file tests: reports the process's peak
// resident memory, worker threads included, on stderr as it exits.
process.on('exit', () => {
  try { require('node:fs').writeSync(2, `\nMAX_RSS_KB=${process.resourceUsage().maxRSS}\n`); } catch { /* stderr closed */ }
});
