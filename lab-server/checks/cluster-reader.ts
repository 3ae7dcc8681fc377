/**
 * Reads the objects checks look at, through @kubernetes/client-node, from any
 * cluster (the sandbox or a real one). Failures to read are values that say
 * whether the cluster was unreachable, refused us, or does not serve the kind,
 * so a check can report "cannot tell" instead of "failed".
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../k8s/object.ts';

export type ClusterProblemKind = 'unreachable' | 'unauthorised' | 'forbidden' | 'unknown-kind' | 'server-error';

export interface ClusterProblem {
  kind: ClusterProblemKind;
  message: string;
}

export type Read<T> = { ok: true; value: T } | { ok: false; problem: ClusterProblem };

export interface ObjectQuery {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
}

export interface ClusterReader {
  /** One object, or undefined when the cluster says it does not exist. */
  get(query: ObjectQuery & { name: string }): Promise<Read<KubeObject | undefined>>;
  list(query: ObjectQuery & { labelSelector?: string | undefined }): Promise<Read<KubeObject[]>>;
}

export function clusterReader(config: k8s.KubeConfig): ClusterReader {
  const api = k8s.KubernetesObjectApi.makeApiClient(config);
  const server = config.getCurrentCluster()?.server ?? 'the cluster';
  return {
    async get({ apiVersion, kind, namespace, name }) {
      try {
        const object = await api.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
        return { ok: true, value: object as KubeObject };
      } catch (error) {
        if (statusCode(error) === 404 && !isDiscoveryMiss(error)) return { ok: true, value: undefined };
        return { ok: false, problem: classify(error, `${kind} ${namespace ? `${namespace}/` : ''}${name}`, apiVersion, server) };
      }
    },
    async list({ apiVersion, kind, namespace, labelSelector }) {
      try {
        const list = await api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
        return { ok: true, value: list.items as KubeObject[] };
      } catch (error) {
        return { ok: false, problem: classify(error, `${kind} list`, apiVersion, server) };
      }
    },
  };
}

function statusCode(error: unknown): number | undefined {
  return error instanceof k8s.ApiException ? error.code : undefined;
}

// client-node resolves kind → resource by discovery first: a group/version the
// server does not serve answers 404 there (message prefixed), a kind missing from
// a served group/version is a plain Error. Both mean the CRD is not installed.
function isDiscoveryMiss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (/^Unrecognized API version and kind/.test(error.message)) return true;
  return statusCode(error) === 404 && /^Failed to fetch resource metadata/.test(error.message);
}

function classify(error: unknown, what: string, apiVersion: string, server: string): ClusterProblem {
  const code = statusCode(error);
  if (code === 401) return { kind: 'unauthorised', message: `${server} did not accept our credentials (401) reading ${what}: refresh the kubeconfig's token or log in again` };
  if (code === 403) return { kind: 'forbidden', message: `${server} forbids reading ${what} (403): the user needs get/list on ${apiVersion} ${what.split(' ')[0]}` };
  if (isDiscoveryMiss(error))
    return { kind: 'unknown-kind', message: `${server} does not serve ${what.split(' ')[0]} in ${apiVersion}: is the operator that installs this CRD missing?` };
  if (code !== undefined) return { kind: 'server-error', message: `${server} answered ${code} reading ${what}: ${errorText(error)}` };
  return { kind: 'unreachable', message: `cannot reach ${server} to read ${what}: ${errorText(error)}` };
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
