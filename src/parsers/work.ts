/**
 * A count of the parsers' loop iterations, so a test can check that parsing costs time linear in
 * the URL's length by counting work instead of timing it. One integer increment per iteration;
 * nothing reads it on the request path.
 */
let steps = 0;

export function countStep(): void {
  steps++;
}

/** Iterations counted since the process started (tests read it before and after a parse). */
export function stepsCounted(): number {
  return steps;
}
