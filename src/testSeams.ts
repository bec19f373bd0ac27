/**
 * Every test seam in the product, in one place. A seam exists only so that a test can reach a point it cannot reach
 * from outside; each is inert unless a test turns it on, changes nothing the user sees, and names the test that
 * uses it. No Node imports: the webviews use this file too.
 */

/**
 * test/unit/extension-worker-crash.test.ts: DCGAN_TEST_WORKER_CRASH="oom@N" or "throw@N" in the training worker's
 * environment makes the worker die for real once training passes step N (after that step's checkpoint): "oom"
 * allocates until the worker's heap limit ends it, "throw" throws outside the trainer. No training input can make
 * a healthy worker throw outside the trainer or fill its JS heap (tensors live in wasm memory), hence the seam.
 * Returns the step observer to call, or undefined when the variable is unset (always, outside that test).
 */
export const WORKER_CRASH_ENV = 'DCGAN_TEST_WORKER_CRASH';

export function workerCrashSeam(value: string | undefined): ((step: number) => void) | undefined {
  const m = /^(oom|throw)@(\d+)$/.exec(value ?? '');
  if (!m) return undefined;
  const [, kind, after] = m;
  let fired = false;
  return (step) => {
    if (fired || step <= Number(after)) return;
    fired = true;
    // setImmediate, not a timer: it runs before the trainer's next step (which waits on setImmediate too), so the
    // crash comes after step N+1's event and before anything later is written.
    setImmediate(() => {
      if (kind === 'throw') throw new Error(`${WORKER_CRASH_ENV}: crashed on purpose at step ${step}`);
      const hog: number[][] = [];
      for (;;) hog.push(new Array(1 << 16).fill(step + hog.length));
    });
  };
}

/**
 * test/webview/*.test.ts: read-only views of what a page holds (chart point counts, the grid shown), which the DOM
 * does not show (uPlot draws on a canvas). Functions that read, never a way to change the page.
 */
export function exposeReadsForTests(name: '__dcgan' | '__dcganCompare', reads: Record<string, () => unknown>): void {
  (globalThis as Record<string, unknown>)[name] = Object.freeze({ ...reads });
}
