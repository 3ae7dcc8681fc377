/**
 * Strategic-merge list semantics of the built-in kinds, from the
 * x-kubernetes-patch-merge-key / -strategy extensions of the Kubernetes v1
 * OpenAPI: a list field, found by its path from the object root (indices
 * dropped), merges by this key. Lists not named here are replaced whole.
 */
export const MERGE_KEYS: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.ephemeralContainers': 'name',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.hostAliases': 'ip',
  'spec.containers.env': 'name',
  'spec.initContainers.env': 'name',
  'spec.containers.ports': 'containerPort',
  'spec.initContainers.ports': 'containerPort',
  'spec.containers.volumeMounts': 'mountPath',
  'spec.initContainers.volumeMounts': 'mountPath',
  'spec.containers.volumeDevices': 'devicePath',
  'spec.ports': 'port',
  'status.conditions': 'type',
  'status.addresses': 'type',
  'secrets': 'name',
  'imagePullSecrets': 'name',
};

/** Lists of scalars that merge as sets rather than being replaced. */
export const MERGED_SCALAR_LISTS = new Set(['metadata.finalizers']);
