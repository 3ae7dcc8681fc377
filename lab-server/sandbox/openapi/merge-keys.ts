/**
 * Strategic-merge semantics of built-in list fields, as Kubernetes declares them
 * with +patchMergeKey/+patchStrategy (and publishes as x-kubernetes-patch-*
 * extensions): "Definition.field" → the key list items merge by. The OpenAPI
 * documents are annotated from this table, and the server's strategic merge
 * reads the annotations from there. Lists not named here are replaced whole.
 */
export const MERGE_KEYS: Record<string, string> = {
  'ObjectMeta.ownerReferences': 'uid',
  'PodSpec.containers': 'name',
  'PodSpec.initContainers': 'name',
  'PodSpec.ephemeralContainers': 'name',
  'PodSpec.volumes': 'name',
  'PodSpec.imagePullSecrets': 'name',
  'PodSpec.hostAliases': 'ip',
  'Container.env': 'name',
  'Container.ports': 'containerPort',
  'Container.volumeMounts': 'mountPath',
  'Container.volumeDevices': 'devicePath',
  'EphemeralContainer.env': 'name',
  'EphemeralContainer.volumeMounts': 'mountPath',
  'ServiceSpec.ports': 'port',
  'PodStatus.conditions': 'type',
  'NodeStatus.conditions': 'type',
  'NodeStatus.addresses': 'type',
  'NamespaceStatus.conditions': 'type',
  'ServiceAccount.secrets': 'name',
  'ServiceAccount.imagePullSecrets': 'name',
  'DeploymentStatus.conditions': 'type',
  'ReplicaSetStatus.conditions': 'type',
  'StatefulSetStatus.conditions': 'type',
  'DaemonSetStatus.conditions': 'type',
  'JobStatus.conditions': 'type',
  'PodDisruptionBudgetStatus.conditions': 'type',
  'EndpointSubset.addresses': 'ip',
};

/** Scalar lists that merge as sets. */
export const MERGED_SCALAR_LISTS = new Set(['ObjectMeta.finalizers']);
