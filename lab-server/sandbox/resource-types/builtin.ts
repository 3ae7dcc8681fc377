/** The built-in kinds the sandbox serves, as data. Table columns for them live in api/tables.ts. */
import { ALL_VERBS, type ResourceType } from './types.ts';

const REACHABILITY_REVIEW_SCHEMA = {
  type: 'object',
  description: 'Asks the sandbox network model whether a workload can reach a host and port, and why. Created, answered, never stored.',
  properties: {
    spec: {
      type: 'object',
      required: ['from', 'to'],
      properties: {
        from: { type: 'object', required: ['namespace'], properties: { namespace: { type: 'string' }, pod: { type: 'string' }, vm: { type: 'string' } } },
        to: { type: 'object', required: ['host', 'port'], properties: { host: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] } } },
      },
    },
    status: {
      type: 'object',
      properties: {
        outcome: { type: 'string', enum: ['connected', 'refused', 'timeout', 'unavailable'] },
        reason: { type: 'string', description: 'What decided the outcome, in a sentence a learner can act on.' },
        decidedBy: { type: 'object', properties: { kind: { type: 'string', enum: ['source', 'path', 'policy', 'listener'] }, name: { type: 'string' } } },
        steps: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

type Entry = [kind: string, plural: string, namespaced: boolean, shortNames: string[], extra?: Partial<ResourceType>];

function builtin(group: string, version: string, entries: Entry[]): ResourceType[] {
  return entries.map(([kind, plural, namespaced, shortNames, extra]) => ({
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    strategicMerge: true,
    ...extra,
  }));
}

export const BUILTIN_TYPES: ResourceType[] = [
  ...builtin('', 'v1', [
    ['Namespace', 'namespaces', false, ['ns'], { subresources: ['status', 'finalize'], verbs: ALL_VERBS.filter((v) => v !== 'deletecollection') }],
    ['Pod', 'pods', true, ['po'], { categories: ['all'], subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers', 'eviction'] }],
    ['Event', 'events', true, ['ev']],
    ['Node', 'nodes', false, ['no'], { subresources: ['status'] }],
    ['Service', 'services', true, ['svc'], { categories: ['all'], subresources: ['status'], verbs: ALL_VERBS.filter((v) => v !== 'deletecollection') }],
    ['ConfigMap', 'configmaps', true, ['cm']],
    ['Secret', 'secrets', true, []],
    ['ServiceAccount', 'serviceaccounts', true, ['sa'], { subresources: ['token'] }],
    ['ResourceQuota', 'resourcequotas', true, ['quota'], { subresources: ['status'] }],
    ['LimitRange', 'limitranges', true, ['limits']],
    ['Endpoints', 'endpoints', true, ['ep']],
    // Stored and served without the controllers behind them (no storage provisioner, no RC manager):
    // kubectl apply --prune's default list names them, so a real cluster must serve them.
    ['PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], { subresources: ['status'] }],
    ['PersistentVolume', 'persistentvolumes', false, ['pv'], { subresources: ['status'] }],
    ['ReplicationController', 'replicationcontrollers', true, ['rc'], { categories: ['all'], subresources: ['status', 'scale'], generation: true }],
  ]),
  ...builtin('networking.k8s.io', 'v1', [['Ingress', 'ingresses', true, ['ing'], { subresources: ['status'], generation: true }]]),
  ...builtin('apps', 'v1', [
    ['Deployment', 'deployments', true, ['deploy'], { categories: ['all'], subresources: ['status', 'scale'], generation: true }],
    ['ReplicaSet', 'replicasets', true, ['rs'], { categories: ['all'], subresources: ['status', 'scale'], generation: true }],
    ['StatefulSet', 'statefulsets', true, ['sts'], { categories: ['all'], subresources: ['status', 'scale'], generation: true }],
    ['DaemonSet', 'daemonsets', true, ['ds'], { categories: ['all'], subresources: ['status'], generation: true }],
    ['ControllerRevision', 'controllerrevisions', true, []],
  ]),
  ...builtin('batch', 'v1', [
    ['Job', 'jobs', true, [], { categories: ['all'], subresources: ['status'], generation: true }],
    ['CronJob', 'cronjobs', true, ['cj'], { categories: ['all'], subresources: ['status'], generation: true }],
  ]),
  ...builtin('discovery.k8s.io', 'v1', [['EndpointSlice', 'endpointslices', true, []]]),
  ...builtin('coordination.k8s.io', 'v1', [['Lease', 'leases', true, []]]),
  ...builtin('policy', 'v1', [['PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], { subresources: ['status'], generation: true }]]),
  // Reviews are asked, answered and never stored (api/reviews.ts).
  ...builtin('authorization.k8s.io', 'v1', [
    ['SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, [], { verbs: ['create'] }],
    ['SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, [], { verbs: ['create'] }],
  ]),
  ...builtin('authentication.k8s.io', 'v1', [['SelfSubjectReview', 'selfsubjectreviews', false, [], { verbs: ['create'] }]]),
  // What the metrics server reports, computed when read (api/metrics.ts).
  ...builtin('metrics.k8s.io', 'v1beta1', [
    ['NodeMetrics', 'nodes', false, [], { verbs: ['get', 'list'], strategicMerge: false }],
    ['PodMetrics', 'pods', true, [], { verbs: ['get', 'list'], strategicMerge: false }],
  ]),
  // OpenShift serves projects from its own API server, not as a CRD; `oc project` reads them.
  ...builtin('project.openshift.io', 'v1', [
    ['Project', 'projects', false, [], { verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }],
    ['ProjectRequest', 'projectrequests', false, [], { verbs: ['create', 'list'] }],
  ]),
  // The sandbox's own review kind: the network model explains a reachability answer (api/reachability-review.ts).
  // Discoverable on purpose, though no real cluster has it: a learner asks it with kubectl create -f, and the
  // check engine finds it as it finds any API (the README's sandbox section says so). It is create-only and in
  // no category, so get all, apply --prune and api-resources --verbs=list never meet it.
  ...builtin('sandbox.labpath.dev', 'v1alpha1', [['ReachabilityReview', 'reachabilityreviews', false, [], { verbs: ['create'], strategicMerge: false, schema: REACHABILITY_REVIEW_SCHEMA }]]),
  ...builtin('apiextensions.k8s.io', 'v1', [['CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds'], { subresources: ['status'], categories: ['api-extensions'], strategicMerge: false }]]),
];
