/** How the discovery engine works; main.ts fills it from the environment. */
export interface EngineSettings {
  /** This process's lease owner id; unique per process so a restart never inherits a lease. */
  instanceId: string;
  /** Flows worked at once by this process. 0 turns the engine off (an API-only replica). */
  concurrency: number;
  /** How long a claim holds without a heartbeat; a crashed owner's flows resume after it. */
  leaseMs: number;
  /** How often to look for runnable flows nobody notified about (crash recovery). */
  pollMs: number;
  /** Records per agent batch call. */
  batchSize: number;
  /** Agent batch calls of one flow in flight at once. */
  batchesInFlight: number;
  /** Mappings below this confidence wait for a person. */
  confidenceThreshold: number;
  /** Deadline of one agent call. */
  agentTimeoutMs: number;
  /** Attempts per agent call while the agent is unavailable (restarting). */
  agentAttempts: number;
}

export const DEFAULT_ENGINE_SETTINGS: Omit<EngineSettings, "instanceId"> = {
  concurrency: 2,
  leaseMs: 10_000,
  pollMs: 500,
  batchSize: 1_000,
  batchesInFlight: 4,
  confidenceThreshold: 0.8,
  agentTimeoutMs: 30_000,
  agentAttempts: 8,
};
