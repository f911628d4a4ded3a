/**
 * A circuit breaker in front of the store, per SDK client. When calls keep failing at the transport
 * (timeouts, refused or reset connections), it stops sending more for a short while and fails them
 * at once, so the API answers 503 immediately instead of after 2.5 s, and a store that is paused,
 * restarting or overloaded is not buried under a backlog of requests nobody waits for any more. After
 * the pause one call is let through as a probe: its success closes the breaker, its failure opens it
 * again.
 */

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  readonly failures: number;
  /** How long it stays open before a probe is let through. */
  readonly openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class StoreCircuitOpenError extends Error {
  // Named as the SDK names an unavailable service, so it is answered like one (503 + Retry-After).
  override readonly name = 'ServiceUnavailable';
  constructor() {
    super('The store failed repeatedly just now; not calling it for a moment.');
  }
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.consecutiveFailures < this.settings.failures) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** Runs the call, or fails at once while the breaker is open (or its probe is under way). */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.probing)) throw new StoreCircuitOpenError();
    const probe = state === 'half-open';
    if (probe) this.probing = true;
    try {
      const result = await call();
      this.consecutiveFailures = 0;
      return result;
    } catch (error) {
      this.consecutiveFailures++;
      if (this.consecutiveFailures >= this.settings.failures)
        this.openUntil = this.now() + this.settings.openMs;
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }
}
