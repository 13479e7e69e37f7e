/** Iterations of one probe: about 15-30 ms on this host kind, depending on its phase. */
const ITERATIONS = 20_000_000;
const PROBES = 3;

/**
 * How fast the box runs a fixed loop of JavaScript now (ms, the median of three; lower is
 * faster), taken before each step. This host kind changes speed by nearly half within an hour
 * (docs/performance.md, round 13): a step measured in a slow phase is told apart by this,
 * not by its own figures.
 */
export function speedProbeMs(): number {
  const times: number[] = [];
  let sink = 0;
  for (let probe = 0; probe < PROBES; probe++) {
    const started = performance.now();
    for (let i = 0; i < ITERATIONS; i++) sink += i % 7;
    times.push(performance.now() - started);
  }
  // The sum is used, so the loop cannot be optimized away.
  if (sink < 0) throw new Error("unreachable");
  times.sort((a, b) => a - b);
  return times[Math.floor(PROBES / 2)] as number;
}

/** The probes of a run's steps as one line of the report (absent in older reports: empty). */
export function speedProbeLine(
  steps: ReadonlyArray<{ label: string; speedProbeMs?: number | undefined }>,
): string {
  const taken = steps.filter((s) => s.speedProbeMs !== undefined);
  if (taken.length === 0) return "";
  const cells = taken.map((s) => `${s.label} ${Math.round(s.speedProbeMs as number)}`).join(", ");
  return `\nThe box's speed before each step (ms for a fixed loop of JavaScript in the bench's process, lower is faster; this host kind's speed moves by up to half within an hour): ${cells}.\n`;
}
