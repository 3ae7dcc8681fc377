/** The code half of a lifecycle rule: values that cannot be written as data. */
import type { KubeObject } from '../../k8s/object.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import type { RuleEvent } from './rule.ts';

export type ComputationResult =
  /** `vars.events`, when present, are events the computation itself decided on (one per interface, say). */
  | { ok: true; vars: Record<string, unknown> }
  /** Not possible (yet): record these, apply this patch, and try again later. */
  | { ok: false; events: RuleEvent[]; patch?: Record<string, unknown>; vars?: Record<string, unknown> };

export type Computation = (cluster: ClusterView, object: KubeObject) => ComputationResult;
