/**
 * Kind → collection path, found by discovery (`/api/v1`, `/apis/GROUP/VERSION`)
 * and cached per client, for the requests client-node has no typed API for
 * (cluster-wide watches of arbitrary kinds).
 */
import type { KubeClient } from './kube-client.ts';

export type PathLookup = { ok: true; path: string } | { ok: false; error: string };

const cache = new WeakMap<KubeClient, Map<string, Promise<Record<string, string>>>>();

/** The cluster-wide collection path of `kind`, e.g. `/apis/k8s.cni.cncf.io/v1/network-attachment-definitions`. */
export async function collectionPath(client: KubeClient, apiVersion: string, kind: string): Promise<PathLookup> {
  let perClient = cache.get(client);
  if (!perClient) cache.set(client, (perClient = new Map()));
  let kinds = perClient.get(apiVersion);
  if (!kinds) {
    kinds = discover(client, apiVersion);
    perClient.set(apiVersion, kinds);
    // A failed discovery is retried next time: the API may come up later (a CRD being installed).
    kinds.catch(() => perClient.delete(apiVersion));
  }
  try {
    const plural = (await kinds)[kind];
    return plural ? { ok: true, path: `${groupVersionPath(apiVersion)}/${plural}` } : { ok: false, error: `${apiVersion} has no kind ${kind}` };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

async function discover(client: KubeClient, apiVersion: string): Promise<Record<string, string>> {
  const r = await client.request('GET', groupVersionPath(apiVersion));
  if (r.status !== 200) throw new Error(`discovery of ${apiVersion} answered ${r.status}`);
  const resources = (r.body as { resources?: { name: string; kind: string }[] }).resources ?? [];
  // Subresources (pods/log) share their parent's kind; the collection is the one without a slash.
  return Object.fromEntries(resources.filter((res) => !res.name.includes('/')).map((res) => [res.kind, res.name]));
}
