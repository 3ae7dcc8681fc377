/** Maps a request path onto what it addresses: a discovery document or a resource. */
import type { ResourceRegistry } from '../resource-types/registry.ts';
import type { ResourceType } from '../resource-types/types.ts';

export type Route =
  | { kind: 'version' | 'api-root' | 'apis-root' }
  | { kind: 'health'; endpoint: string; check?: string }
  | { kind: 'group'; group: string }
  | { kind: 'group-version'; group: string; version: string }
  | { kind: 'openapi'; path: string }
  /** `watch`: the path was /…/watch/…, the form older clients (ruby-kubeclient, kubernetes-client) use. */
  | { kind: 'resource'; type: ResourceType; namespace?: string; name?: string; subresource?: string; watch?: true }
  | { kind: 'unknown-resource'; group: string; version: string; resource: string }
  | { kind: 'not-found' };

export function routeOf(pathname: string, registry: ResourceRegistry): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (pathname === '/version' || pathname === '/version/') return { kind: 'version' };
  if (['healthz', 'readyz', 'livez'].includes(parts[0] ?? '')) return { kind: 'health', endpoint: parts[0]!, ...(parts.length > 1 ? { check: parts.slice(1).join('/') } : {}) };
  if (parts[0] === 'openapi') return { kind: 'openapi', path: parts.slice(1).join('/') };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'api-root' };
    group = '';
    version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'apis-root' };
    group = parts[1] ?? '';
    if (parts.length === 2) return registry.groups().has(group) ? { kind: 'group', group } : { kind: 'not-found' };
    version = parts[2] ?? '';
    rest = parts.slice(3);
  } else {
    return { kind: 'not-found' };
  }
  if (!registry.groups().get(group)?.includes(version)) return { kind: 'not-found' };
  if (rest.length === 0) return { kind: 'group-version', group, version };
  if (rest[0] === 'watch' && rest.length > 1) {
    const route = resourceIn(registry, group, version, rest.slice(1));
    return route.kind === 'resource' && route.subresource === undefined ? { ...route, watch: true } : { kind: 'not-found' };
  }
  return resourceIn(registry, group, version, rest);
}

function resourceIn(registry: ResourceRegistry, group: string, version: string, rest: string[]): Route {
  // /namespaces/<ns>/<resource>/... addresses namespaced resources; /namespaces/<name>[/status] the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = registry.lookup(group, version, rest[2] ?? '');
    if (type?.namespaced) return resourceRoute(type, rest[1], rest.slice(3));
    if (!type && group !== '' ) return { kind: 'unknown-resource', group, version, resource: rest[2] ?? '' };
  }
  const type = registry.lookup(group, version, rest[0] ?? '');
  if (!type) return { kind: 'unknown-resource', group, version, resource: rest[0] ?? '' };
  return resourceRoute(type, undefined, rest.slice(1));
}

function resourceRoute(type: ResourceType, namespace: string | undefined, rest: string[]): Route {
  if (rest.length > 2) return { kind: 'not-found' };
  const [name, subresource] = rest;
  if (subresource !== undefined && !type.subresources.includes(subresource)) return { kind: 'not-found' };
  return { kind: 'resource', type, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(subresource !== undefined ? { subresource } : {}) };
}
