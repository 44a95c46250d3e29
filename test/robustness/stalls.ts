/**
 * The robustness run's own stalls: stretches of over 100 ms when its event
 * loop was busy (mutating megabyte documents, checking answers) and could
 * not read the server's answers, which waited in the pipe meanwhile. A late
 * answer's report says how much of its wait the run itself was busy.
 */
const TICK_MS = 20;
const STALL_MS = 100;

export class OwnStalls {
  private last = performance.now();
  private readonly stalls: { start: number; end: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      if (now - this.last > TICK_MS + STALL_MS) this.stalls.push({ start: this.last, end: now });
      if (this.stalls.length > 2000) this.stalls.shift();
      this.last = now;
    }, TICK_MS);
    this.timer.unref();
  }

  /** Milliseconds of [from, now] this process was stalled, the stretch still running counted too. */
  busySince(from: number): number {
    const now = performance.now();
    const list = now - this.last > TICK_MS + STALL_MS ? [...this.stalls, { start: this.last, end: now }] : this.stalls;
    let ms = 0;
    for (const s of list) ms += Math.max(0, Math.min(now, s.end) - Math.max(from, s.start));
    return ms;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
