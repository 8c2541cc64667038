// Background work that keeps payments from getting stuck (DESIGN §3 "Nothing stuck").
// Filled by the payment-flows work: outbox delivery and the reconciler.
export interface BackgroundWorkers {
  stop(): Promise<void>;
}

export function startBackgroundWorkers(): BackgroundWorkers {
  return { stop: async () => {} };
}
