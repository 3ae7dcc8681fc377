/**
 * What controllers, workloads and the network model may see of a cluster: its
 * objects, its container logs, the kinds it serves, the lesson environment it
 * was built from, and the one write the cluster itself makes. Defined below
 * them all, so none of them imports the cluster that composes them.
 */
import type { KubeObject } from '../../k8s/object.ts';
import type { Environment } from '../../lesson/schema.ts';
import type { ResourceRegistry } from '../resource-types/registry.ts';
import type { ContainerLogs } from './container-logs.ts';
import type { ObjectStore } from './object-store.ts';

export interface ClusterView {
  readonly store: ObjectStore;
  readonly logs: ContainerLogs;
  readonly registry: ResourceRegistry;
  readonly environment: Environment | undefined;
  /** Creates an object as the cluster itself would (seeding, controllers): full metadata, no validation. */
  createSystemObject(object: KubeObject): KubeObject;
}
