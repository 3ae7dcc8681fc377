/**
 * Watches: newline-delimited JSON events on a chunked 200 response that stays
 * open until timeoutSeconds or the client leaves. A resourceVersion resumes
 * from the change log; one older than the log gets a 410 Expired event.
 * Bookmarks, when allowed, come every minute and just before the deadline.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../k8s/object.ts';
import { resourceKey, type Change } from '../store/object-store.ts';
import { apiVersionOf } from '../resource-types/types.ts';
import type { ResourceRequest } from './resource-handlers.ts';
import { objectFilter } from './selectors.ts';
import { renderTable, tableObjects } from './tables.ts';
import { admitWatch } from './quotas.ts';
import { queryBool } from './query.ts';

/** kube-apiserver's bookmarkFrequency, and how long before a watch's deadline its last bookmark goes. */
const BOOKMARK_INTERVAL_MS = 60_000;
const BOOKMARK_BEFORE_DEADLINE_MS = 2000;

/** `view` shows each object as another kind would (a namespace as a project). */
export function serveWatch(req: ResourceRequest, res: ServerResponse, asTable: boolean, view: { type: ResourceRequest['type']; show(object: KubeObject): KubeObject } | undefined = undefined): void {
  const { cluster, type, params } = req;
  const shownType = view?.type ?? type;
  const store = cluster.store;
  const resource = resourceKey(type);
  const matches = objectFilter(type, params);
  const inScope = (o: KubeObject) => (req.namespace === undefined || o.metadata.namespace === req.namespace) && (req.name === undefined || o.metadata.name === req.name) && matches(o);
  let headersSent = false;
  const include = tableObjects(params);
  const release = admitWatch(cluster);
  res.on('close', release);

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();

  const send = (eventType: string, object: unknown) => {
    let payload = view && eventType !== 'ERROR' && eventType !== 'BOOKMARK' ? view.show(object as KubeObject) : object;
    if (asTable && eventType !== 'ERROR' && eventType !== 'BOOKMARK') {
      // The real server sends column definitions with the first event only.
      payload = renderTable(shownType, [payload as KubeObject], store.resourceVersion, !headersSent, {}, include);
      headersSent = true;
    }
    res.write(`${JSON.stringify({ type: eventType, object: payload })}\n`);
  };

  const requested = params.get('resourceVersion');
  const bookmarksAllowed = queryBool(params, 'allowWatchBookmarks');
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', { kind: shownType.kind, apiVersion: apiVersionOf(shownType), metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) } });
  if (queryBool(params, 'sendInitialEvents')) {
    // Watch-list (client-go's streaming list): current objects, then a bookmark that marks their end.
    for (const object of store.list(resource, req.namespace).filter(inScope)) send('ADDED', object);
    if (bookmarksAllowed) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else if (requested === null || requested === '' || requested === '0') {
    for (const object of store.list(resource, req.namespace).filter(inScope)) send('ADDED', object);
  } else {
    const since = Number(requested);
    const changes = Number.isInteger(since) ? store.changesSince(since) : undefined;
    if (!changes) {
      send('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${requested} (${store.oldestResumable})`, reason: 'Expired', code: 410 });
      res.end();
      return;
    }
    for (const change of changes) if (change.resource === resource && inScope(change.object)) send(change.type, change.object);
  }

  const unsubscribe = store.subscribe((change: Change) => {
    if (change.resource === resource && inScope(change.object)) send(change.type, change.object);
  });
  const bookmarks = bookmarksAllowed ? setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS) : undefined;
  const seconds = Number(params.get('timeoutSeconds') ?? 0);
  const timeout = seconds > 0 ? setTimeout(() => res.end(), seconds * 1000) : undefined;
  // As the watch cache does: one bookmark just before the deadline, so a client resumes from a fresh resourceVersion.
  const lastBookmark = bookmarksAllowed && seconds * 1000 > BOOKMARK_BEFORE_DEADLINE_MS ? setTimeout(() => bookmark(), seconds * 1000 - BOOKMARK_BEFORE_DEADLINE_MS) : undefined;
  res.on('close', () => {
    unsubscribe();
    clearInterval(bookmarks);
    clearTimeout(timeout);
    clearTimeout(lastBookmark);
  });
}
