/**
 * API discovery in both forms: the legacy /api, /apis, /api/v1, /apis/G/V
 * documents (client-node resolves kinds through them) and aggregated
 * discovery, recognised by kubectl only under its exact content type.
 */
import type { ResourceRegistry } from '../resource-types/registry.ts';
import type { ResourceType } from '../resource-types/types.ts';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return /g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/.test(accept ?? '');
}

const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  log: ['get'],
  exec: ['create', 'get'],
  eviction: ['create'],
  token: ['create'],
  scale: ['get', 'patch', 'update'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  ephemeralcontainers: ['get', 'patch', 'update'],
  finalize: ['update'],
};

export function legacyApiVersions(): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
}

function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> {
  const versions = registry.groups().get(group) ?? [];
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

export function legacyGroupList(registry: ResourceRegistry): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...registry.groups().keys()].filter((g) => g !== '').map((g) => apiGroup(registry, g)) };
}

export function legacyGroup(registry: ResourceRegistry, group: string): unknown {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(registry, group) };
}

export function resourceList(registry: ResourceRegistry, group: string, version: string): unknown {
  const resources = registry.inGroupVersion(group, version).flatMap((t) => [
    { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs, ...(t.shortNames.length ? { shortNames: t.shortNames } : {}), ...(t.categories.length ? { categories: t.categories } : {}) },
    ...t.subresources.map((sub) => {
      const of = subresourceKind(t, sub);
      const foreign = of.group !== t.group || of.version !== t.version;
      return { name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, ...(foreign ? { group: of.group, version: of.version } : {}), kind: of.kind, verbs: SUBRESOURCE_VERBS[sub] ?? ['get'] };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

/** Subresources whose kind is not the resource's own, and that kind's group and version (kubectl drain looks for policy/v1 Eviction). */
const SUBRESOURCE_KINDS: Record<string, { kind: string; group: string; version: string }> = {
  exec: { kind: 'PodExecOptions', group: '', version: 'v1' },
  attach: { kind: 'PodAttachOptions', group: '', version: 'v1' },
  portforward: { kind: 'PodPortForwardOptions', group: '', version: 'v1' },
  log: { kind: 'Pod', group: '', version: 'v1' },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1' },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1' },
};

function subresourceKind(type: ResourceType, subresource: string): { kind: string; group: string; version: string } {
  return SUBRESOURCE_KINDS[subresource] ?? { kind: type.kind, group: type.group, version: type.version };
}

/** The aggregated document for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean): unknown {
  const groups = [...registry.groups().entries()].filter(([g]) => (g === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map(([group, versions]) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: registry.inGroupVersion(group, version).map((t) => ({
          resource: t.plural,
          responseKind: { group, version, kind: t.kind },
          scope: t.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: t.singular,
          verbs: t.verbs,
          ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
          ...(t.categories.length ? { categories: t.categories } : {}),
          ...(t.subresources.length
            ? { subresources: t.subresources.map((sub) => ({ subresource: sub, responseKind: subresourceKind(t, sub), verbs: SUBRESOURCE_VERBS[sub] ?? ['get'] })) }
            : {}),
        })),
      })),
    })),
  };
}
