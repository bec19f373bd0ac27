/**
 * The house's floors, checked by `npm run lint` (and so by CI): no import circles, the runtime knows nothing of the
 * CLI, the worker, the extension or VS Code, and the webviews import nothing from the extension (they may use the
 * protocol and the runtime's pure modules, as the host does).
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Two modules that import each other cannot be read, tested or moved apart.', from: {}, to: { circular: true } },
    {
      name: 'runtime-stands-alone',
      severity: 'error',
      comment: 'src/runtime runs from the CLI, the worker and the tests: it never imports the shells around it, or vscode.',
      from: { path: '^src/runtime/' },
      to: { path: ['^src/(cli|worker|extension)/', '^vscode$', '^src/protocol/'] },
    },
    {
      name: 'vscode-only-in-the-extension',
      severity: 'error',
      comment: 'Only the extension shell talks to VS Code.',
      from: { pathNot: ['^src/extension/', '^test/host/'] },
      to: { path: '^vscode$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'webviews-not-into-the-extension',
      severity: 'error',
      comment: 'A webview runs in the browser: it may use the protocol and the runtime\'s pure modules, never the extension host\'s code.',
      from: { path: '^webview/' },
      to: { path: ['^src/(extension|cli|worker)/'] },
    },
    {
      name: 'cli-not-into-the-extension',
      severity: 'error',
      comment: 'The CLI may start workers through their clients (src/worker/*Client.ts), never the extension.',
      from: { path: '^src/cli/' },
      to: { path: ['^src/extension/', '^vscode$'] },
    },
    {
      name: 'worker-mains-are-entry-points',
      severity: 'error',
      comment: 'src/worker/*Main.ts run inside a worker thread (dist/worker.js, dist/lint-worker.js): nothing imports them.',
      from: {},
      to: { path: '^src/worker/.*Main\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['^dist/', '^node_modules/'] },
  },
};
