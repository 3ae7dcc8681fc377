/**
 * Why a probe came out as it did, when the cluster can say: the sandbox serves
 * ReachabilityReview (sandbox.labpath.dev), its network model's reasoning. A
 * real cluster does not, and the result then stands on the probe alone.
 */
import type { Check } from '../lesson/schema.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { collectionPath } from '../kube/resource-paths.ts';
import { isRecord } from '../k8s/object.ts';

const REVIEW_API = 'sandbox.labpath.dev/v1alpha1';

/** Clusters that said they serve no reviews: a real cluster is not asked again for every failed probe. */
const withoutReviews = new WeakSet<KubeClient>();

export async function explainConnection(client: KubeClient, check: Extract<Check, { type: 'connect' }>): Promise<string | undefined> {
  if (withoutReviews.has(client)) return undefined;
  const lookup = await collectionPath(client, REVIEW_API, 'ReachabilityReview');
  if (!lookup.ok) {
    // Only a clear "not served" is remembered; a failed request may succeed next time.
    if (/answered 404|has no kind/.test(lookup.error)) withoutReviews.add(client);
    return undefined;
  }
  try {
    const r = await client.request('POST', lookup.path, { apiVersion: REVIEW_API, kind: 'ReachabilityReview', metadata: {}, spec: { from: check.from, to: check.to } });
    const status = isRecord(r.body) && isRecord(r.body.status) ? r.body.status : undefined;
    return r.status === 201 && typeof status?.reason === 'string' ? status.reason : undefined;
  } catch {
    // An explanation is a courtesy; the probe's verdict stands without it.
    return undefined;
  }
}
