/**
 * The preflight's judgement, on API answers given as data: the sandbox always
 * serves every lesson API, so the gaps of a real cluster are staged here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../lab-server/kube/kube-client.ts';
import { preflight } from '../../lab-server/verify/preflight.ts';

const FULL_DISCOVERY: Record<string, { kind: string; name: string }[]> = {
  '/apis/k8s.cni.cncf.io/v1': [{ kind: 'NetworkAttachmentDefinition', name: 'network-attachment-definitions' }],
  '/apis/k8s.cni.cncf.io/v1beta1': [{ kind: 'MultiNetworkPolicy', name: 'multi-networkpolicies' }],
  '/apis/nmstate.io/v1': [{ kind: 'NodeNetworkConfigurationPolicy', name: 'nodenetworkconfigurationpolicies' }],
  '/apis/kubevirt.io/v1': [{ kind: 'VirtualMachine', name: 'virtualmachines' }, { kind: 'VirtualMachine', name: 'virtualmachines/status' }],
  '/apis/operator.openshift.io/v1': [{ kind: 'Network', name: 'networks' }],
};

function cluster(options: { without?: string; openshift?: string | undefined }): KubeClient {
  return {
    server: 'https://api.example:6443',
    clusterKey: 'https://api.example:6443 admin',
    namespace: 'default',
    config: undefined as never,
    async request(_method, path) {
      if (path === '/apis/config.openshift.io/v1/clusterversions/version')
        return options.openshift ? { status: 200, body: { status: { desired: { version: options.openshift } } }, text: '' } : { status: 404, body: {}, text: '' };
      const resources = path === options.without ? undefined : FULL_DISCOVERY[path];
      return resources ? { status: 200, body: { resources }, text: '' } : { status: 404, body: {}, text: '404 page not found' };
    },
    websocket: () => Promise.reject(new Error('not used')),
  };
}

describe('verify preflight', () => {
  it('passes a cluster with every API on a recent OpenShift', async () => {
    assert.deepEqual(await preflight(cluster({ openshift: '4.19.3' })), []);
  });

  it('names the missing operator and the too-old or absent OpenShift', async () => {
    const problems = await preflight(cluster({ without: '/apis/kubevirt.io/v1', openshift: '4.14.9' }));
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /runs OpenShift 4\.14\.9; the lessons need 4\.15 or later/);
    assert.match(problems[1]!, /does not serve VirtualMachine \(kubevirt\.io\/v1\): install OpenShift Virtualization \(KubeVirt\)/);
    const vanilla = await preflight(cluster({ openshift: undefined }));
    assert.match(vanilla[0]!, /is not OpenShift \(it has no ClusterVersion "version"\)/);
  });
});
