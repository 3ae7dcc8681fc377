/**
 * One cluster as a learner's checks see it, kept current the way
 * controller-runtime's cache is: per kind one list and then one watch
 * (client-node's ListWatch, an informer), opened when first asked for and
 * kept until closed. It gives change notices to the watchers of a lesson,
 * and reads from memory: a lesson's checks ask for the same pods and
 * attachments on every evaluation, and with a room of learners those reads
 * were most of what the lab and its sandbox did. A kind that cannot be
 * listed (not served, forbidden) is read from the API server as before, so
 * its problem is reported as it was.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../k8s/object.ts';
import { parseLabelSelectorString, selectorMatches } from '../k8s/label-selector.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { collectionPath } from '../kube/resource-paths.ts';
import type { ClusterReader, ObjectQuery } from './cluster-reader.ts';

/** How long to wait before listing and watching again a kind that failed: doubling from the first, up to the last. */
const RESTART_MS = [1_000, 30_000] as const;

export interface Kind {
  apiVersion: string;
  kind: string;
}

/** Where watchers hear that objects of some kinds changed. */
export interface ChangeFeed {
  /** Calls `listener` on every change to an object of these kinds, until the returned function is called. */
  on(kinds: readonly Kind[], listener: () => void): () => void;
  /** What the feed keeps of the cluster, read without asking its API server. */
  readonly reader?: ClusterReader;
  close(): void;
}

interface Informer {
  listWatch: k8s.ListWatch<KubeObject & k8s.KubernetesObject> | undefined;
  /** Resolves once listed (true), or when the kind cannot be listed (false): then it is read live. */
  synced: Promise<boolean>;
}

export class ClusterCache implements ChangeFeed {
  /** Reads from the cache, live where a kind cannot be cached. */
  readonly reader: ClusterReader;
  private readonly client: KubeClient;
  private readonly live: ClusterReader;
  private readonly watch: k8s.Watch;
  private readonly informers = new Map<string, Informer>();
  /** By kind; they outlive an informer that is started again. */
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly failures = new Map<string, number>();
  private closed = false;

  constructor(client: KubeClient, live: ClusterReader) {
    this.client = client;
    this.live = live;
    this.watch = new k8s.Watch(client.config);
    this.reader = {
      get: async (query) => {
        const informer = await this.synced(query);
        if (!informer) return this.live.get(query);
        const object = informer.get(query.name, query.namespace);
        return { ok: true, value: object && withKind(object, query) };
      },
      list: async (query) => {
        const parsed = query.labelSelector ? parseLabelSelectorString(query.labelSelector) : undefined;
        const informer = parsed?.ok === false ? undefined : await this.synced(query);
        if (!informer) return this.live.list(query);
        const items = informer.list(query.namespace).filter((o) => !parsed?.ok || selectorMatches(parsed.selector, (o.metadata?.labels ?? {}) as Record<string, string>));
        return { ok: true, value: items.map((o) => withKind(o, query)) };
      },
    };
  }

  on(kinds: readonly Kind[], listener: () => void): () => void {
    const sets = kinds.map((kind) => {
      this.informer(kind);
      return this.listenersOf(kindKey(kind));
    });
    for (const set of sets) set.add(listener);
    return () => {
      for (const set of sets) set.delete(listener);
    };
  }

  close(): void {
    this.closed = true;
    for (const informer of this.informers.values()) void informer.listWatch?.stop();
    this.informers.clear();
  }

  /** The kind's listed objects, or undefined when it is read live. */
  private async synced(kind: Kind): Promise<k8s.ListWatch<KubeObject & k8s.KubernetesObject> | undefined> {
    const informer = this.informer(kind);
    return (await informer.synced) ? informer.listWatch : undefined;
  }

  private listenersOf(key: string): Set<() => void> {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    return set;
  }

  private informer(kind: Kind): Informer {
    const key = kindKey(kind);
    let informer = this.informers.get(key);
    if (informer) return informer;
    informer = { listWatch: undefined, synced: Promise.resolve(false) };
    this.informers.set(key, informer);
    informer.synced = this.start(key, kind, informer);
    return informer;
  }

  /** Lists and watches the kind; on a failure it is read live until listing again works. */
  private async start(key: string, kind: Kind, informer: Informer): Promise<boolean> {
    const lookup = await collectionPath(this.client, kind.apiVersion, kind.kind).catch((error: Error) => ({ ok: false as const, error: error.message }));
    // A kind the cluster does not serve is read live (and reported so); watchers fall back on their tick.
    if (!lookup.ok || this.closed) return false;
    const list = async () => {
      const answer = await this.client.request('GET', lookup.path);
      if (answer.status !== 200) throw Object.assign(new Error(`listing ${kind.kind} answered ${answer.status}`), { statusCode: answer.status });
      return answer.body as k8s.KubernetesListObject<KubeObject & k8s.KubernetesObject>;
    };
    const listWatch = new k8s.ListWatch<KubeObject & k8s.KubernetesObject>(lookup.path, this.watch, list, false);
    const notify = () => {
      for (const listener of this.listenersOf(key)) listener();
    };
    listWatch.on(k8s.ADD, notify);
    listWatch.on(k8s.UPDATE, notify);
    listWatch.on(k8s.DELETE, notify);
    let failed = false;
    listWatch.on(k8s.ERROR, () => {
      failed = true;
      void listWatch.stop();
      if (this.closed || this.informers.get(key) !== informer) return;
      // Read live until a new list and watch have caught up: the new list misses nothing.
      informer.listWatch = undefined;
      informer.synced = Promise.resolve(false);
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const wait = Math.min(RESTART_MS[0] * 2 ** (failures - 1), RESTART_MS[1]);
      setTimeout(() => {
        if (this.closed || this.informers.get(key) !== informer) return;
        this.informers.delete(key);
        this.informer(kind);
      }, wait).unref();
    });
    await listWatch.start();
    if (failed || this.closed) {
      void listWatch.stop();
      return false;
    }
    this.failures.delete(key);
    informer.listWatch = listWatch;
    // What changed while it was not watched is news to its watchers.
    if (this.listenersOf(key).size > 0) notify();
    return true;
  }
}

function kindKey({ apiVersion, kind }: Kind): string {
  return `${apiVersion} ${kind}`;
}

/** Objects in a list carry no apiVersion and kind of their own; a read gives them, as a GET does. */
function withKind(object: KubeObject, { apiVersion, kind }: ObjectQuery): KubeObject {
  return object.apiVersion && object.kind ? object : { ...object, apiVersion, kind };
}
