/** What one assertion of a step found: the learner's message plus the evidence. */
export type CheckStatus = 'passed' | 'failed' | 'error';

export interface CheckResult {
  /** `error` means the cluster could not be asked; the step is neither passed nor failed. */
  status: CheckStatus;
  /** The object or workload the assertion is about, e.g. "NodeNetworkState worker-1". */
  subject: string;
  expected: string;
  actual: string;
  /** For `failed`, the check's own message; for `error`, what kept us from asking. */
  message: string;
  /** For a probe that did not connect, or connected when it should not have, on a cluster that can say why (the sandbox): what decided it, e.g. which policy. */
  explanation?: string;
}
