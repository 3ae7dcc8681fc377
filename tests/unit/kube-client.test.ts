import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { kubeClientFor } from '../../lab-server/kube/kube-client.ts';

function config(token: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: 'https://127.0.0.1:6443', skipTLSVerify: false }],
    users: [{ name: 'learner', token }],
    contexts: [{ name: 'lab', cluster: 'sandbox', user: 'learner', namespace: 'data-adapter' }],
    currentContext: 'lab',
  });
  return kc;
}

describe('kube client', () => {
  // The sandbox serves every learner's cluster at one address; a VM's console lock keyed on the address alone made all learners wait for each other.
  it('names the cluster by address and credentials, not by address alone', () => {
    const alice = kubeClientFor(config('token-of-alice'));
    const bob = kubeClientFor(config('token-of-bob'));
    assert.equal(alice.server, bob.server);
    assert.notEqual(alice.clusterKey, bob.clusterKey);
    assert.equal(kubeClientFor(config('token-of-alice')).clusterKey, alice.clusterKey);
    assert.ok(!alice.clusterKey.includes('token-of-alice'), 'the key must not carry the credential itself');
  });
});
