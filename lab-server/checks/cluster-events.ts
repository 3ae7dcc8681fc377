/**
 * Change notices from one cluster: one watch per kind, opened when first asked
 * for and kept until closed, shared by every watcher of a learner's lesson. A
 * watcher per step opened its own watches again at every step, and a workshop's
 * cluster then spent its time accepting connections instead of answering.
 */
import * as k8s from '@kubernetes/client-node';
import { collectionPath } from '../kube/resource-paths.ts';
import type { KubeClient } from '../kube/kube-client.ts';

/** How long to wait before watching again a kind whose watch the server ended. */
const REWATCH_MS = 1_000;

export interface Kind {
  apiVersion: string;
  kind: string;
}

export class ClusterEvents {
  private readonly client: KubeClient;
  private readonly watch: k8s.Watch;
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly watches = new Map<string, AbortController | undefined>();
  private closed = false;

  constructor(client: KubeClient) {
    this.client = client;
    this.watch = new k8s.Watch(client.config);
  }

  /** Calls `listener` on every change to an object of these kinds, until the returned function is called. */
  on(kinds: readonly Kind[], listener: () => void): () => void {
    const keys = kinds.map(({ apiVersion, kind }) => `${apiVersion} ${kind}`);
    for (const [i, key] of keys.entries()) {
      let set = this.listeners.get(key);
      if (!set) this.listeners.set(key, (set = new Set()));
      set.add(listener);
      if (!this.watches.has(key)) this.start(key, kinds[i]!);
    }
    return () => {
      for (const key of keys) this.listeners.get(key)?.delete(listener);
    };
  }

  close(): void {
    this.closed = true;
    for (const controller of this.watches.values()) controller?.abort();
    this.watches.clear();
    this.listeners.clear();
  }

  private start(key: string, { apiVersion, kind }: Kind): void {
    this.watches.set(key, undefined);
    const again = () => {
      if (this.closed) return;
      this.watches.delete(key);
      setTimeout(() => !this.closed && !this.watches.has(key) && this.start(key, { apiVersion, kind }), REWATCH_MS).unref();
    };
    void collectionPath(this.client, apiVersion, kind)
      .then(async (lookup) => {
        // A kind the cluster does not serve is not watched; watchers fall back on their tick.
        if (!lookup.ok || this.closed) return;
        const notify = (phase: string) => {
          if (phase === 'BOOKMARK') return;
          for (const listener of this.listeners.get(key) ?? []) listener();
        };
        const controller = await this.watch.watch(lookup.path, { allowWatchBookmarks: true }, notify, again);
        if (this.closed) controller.abort();
        else this.watches.set(key, controller);
      })
      .catch(again);
  }
}
