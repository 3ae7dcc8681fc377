/**
 * Events as components write them: one Event per distinct reason and message
 * on an object; a repeat raises its count and lastTimestamp instead.
 */
import type { KubeObject } from '../../k8s/object.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { now } from '../machinery/object-metadata.ts';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  source: string;
  host?: string;
}

const EVENTS = '/events';

/**
 * Event names end in the hex of a nanosecond timestamp, as client-go names
 * them, so events made within one second still sort in the order they happened.
 */
let lastStamp = 0n;
function eventSuffix(): string {
  const stamp = BigInt(Date.now()) * 1_000_000n;
  lastStamp = stamp > lastStamp ? stamp : lastStamp + 1n;
  return lastStamp.toString(16);
}

export function recordEvent(store: ObjectStore, involved: KubeObject, event: EventSpec): void {
  const namespace = involved.metadata.namespace ?? 'default';
  const time = now();
  const existing = store.list(EVENTS, namespace).find(
    (e) => (e.involvedObject as { uid?: string } | undefined)?.uid === involved.metadata.uid && e.reason === event.reason && e.message === event.message,
  );
  if (existing) {
    store.put(EVENTS, { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: time });
    return;
  }
  store.put(EVENTS, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.metadata.name}.${eventSuffix()}`, namespace, uid: crypto.randomUUID(), creationTimestamp: time },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      ...(involved.metadata.namespace ? { namespace: involved.metadata.namespace } : {}),
      uid: involved.metadata.uid,
      resourceVersion: involved.metadata.resourceVersion,
    },
    reason: event.reason,
    message: event.message,
    type: event.type,
    source: { component: event.source, ...(event.host ? { host: event.host } : {}) },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    reportingComponent: event.source,
    reportingInstance: event.host ?? '',
  });
}
