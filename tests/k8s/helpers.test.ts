import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatIPv4, parseCidr, parseIPv4 } from '../../lab-server/k8s/ipv4.ts';
import { selectorMatches, toLabelSelector, describeSelector } from '../../lab-server/k8s/label-selector.ts';
import { parseNetworkSelection } from '../../lab-server/k8s/network-selection.ts';
import { hasIpam, localnetConfigProblems, parseNadConfig, physicalNetworkName } from '../../lab-server/k8s/nad-config.ts';
import { launcherPodLabels, vmCloudInitNetworkData, vmMultusNetworks } from '../../lab-server/k8s/kubevirt.ts';
import type { KubeObject } from '../../lab-server/k8s/object.ts';

describe('IPv4', () => {
  it('parses addresses and CIDRs strictly', () => {
    assert.equal(parseIPv4('192.168.200.1'), 0xc0a8c801);
    for (const bad of ['192.168.200', '192.168.200.256', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d']) assert.equal(parseIPv4(bad), undefined, bad);
    assert.equal(parseCidr('192.168.200.10'), undefined);
    const net = parseCidr('192.168.200.0/24')!;
    assert.ok(cidrContains(net, parseIPv4('192.168.200.254')!));
    assert.ok(!cidrContains(net, parseIPv4('192.168.201.1')!));
    assert.ok(cidrContains(parseCidr('0.0.0.0/0')!, 1));
    assert.equal(formatIPv4(parseIPv4('10.0.0.21')!), '10.0.0.21');
  });
});

describe('label selectors', () => {
  const labels = { role: 'web-client', 'kubevirt.io': 'virt-launcher' };
  it('matches like metav1.LabelSelector', () => {
    const cases: [unknown, boolean][] = [
      [{}, true],
      [undefined, true],
      [{ matchLabels: { role: 'web-client' } }, true],
      [{ matchLabels: { role: 'db-adapter' } }, false],
      [{ matchExpressions: [{ key: 'role', operator: 'In', values: ['a', 'web-client'] }] }, true],
      [{ matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['web-client'] }] }, false],
      [{ matchExpressions: [{ key: 'vm', operator: 'DoesNotExist' }] }, true],
      [{ matchLabels: { role: 'web-client' }, matchExpressions: [{ key: 'kubevirt.io', operator: 'Exists' }] }, true],
    ];
    for (const [raw, expected] of cases) {
      const parsed = toLabelSelector(raw);
      assert.ok(parsed.ok);
      assert.equal(selectorMatches(parsed.selector, labels), expected, JSON.stringify(raw));
    }
  });
  it('rejects malformed selectors', () => {
    assert.equal(toLabelSelector({ matchLabels: { a: 1 } }).ok, false);
    assert.equal(toLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }).ok, false);
    assert.equal(toLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' }] }).ok, false);
    assert.equal(describeSelector({}), '{} (everything)');
  });
});

describe('Multus network selection', () => {
  it('reads the JSON form and the short form', () => {
    assert.deepEqual(parseNetworkSelection('[{"name":"db-access-net","ips":["192.168.200.10/24"]}]'), { ok: true, selections: [{ name: 'db-access-net', ips: ['192.168.200.10/24'] }] });
    assert.deepEqual(parseNetworkSelection('db-access-net, other/net2@eth2'), { ok: true, selections: [{ name: 'db-access-net' }, { name: 'net2', namespace: 'other', interface: 'eth2' }] });
  });
  it('explains what is wrong', () => {
    const error = (text: string) => { const r = parseNetworkSelection(text); return r.ok ? '' : r.error; };
    assert.match(error('[{"nam":"x"}]'), /needs a "name"/);
    assert.match(error('[{"name":"x","ip":["1.2.3.4/24"]}]'), /unknown field\(s\) "ip"/);
    assert.match(error('[{"name":"x","ips":"1.2.3.4/24"}]'), /"ips" must be a list/);
    assert.match(error('{"name":"x"}'), /must be a list/);
    assert.match(error('Db_Net'), /not a network reference/);
  });
});

describe('NAD config', () => {
  const good = { cniVersion: '0.3.1', name: 'data-net', type: 'ovn-k8s-cni-overlay', topology: 'localnet', vlanID: 123, netAttachDefName: 'ns/nad' };
  it('accepts a correct localnet config', () => {
    assert.deepEqual(localnetConfigProblems(good, 'ns', 'nad'), []);
    assert.equal(physicalNetworkName({ ...good, physicalNetworkName: 'phys' }), 'phys');
    assert.equal(hasIpam(good), false);
    assert.equal(hasIpam({ ...good, subnets: '10.0.0.0/24' }), true);
  });
  it('names each broken field', () => {
    const fields = (config: object) => localnetConfigProblems({ ...good, ...config }, 'ns', 'nad').map((p) => p.field);
    assert.deepEqual(fields({ name: 'default' }), ['name']);
    assert.deepEqual(fields({ vlanID: 0 }), [], 'vlanID 0 is untagged, as OVN-K reads it');
    assert.deepEqual(fields({ vlanID: 4095 }), ['vlanID']);
    assert.deepEqual(fields({ ipam: {} }), ['ipam']);
    assert.deepEqual(fields({ subnets: '10.0.0/24' }), ['subnets']);
    assert.deepEqual(fields({ netAttachDefName: 'nad' }), ['netAttachDefName']);
    assert.equal(parseNadConfig('{').ok, false);
    assert.equal(parseNadConfig('[]').ok, false);
    assert.equal(parseNadConfig(undefined).ok, false);
  });
});

describe('KubeVirt derivations', () => {
  const vm: KubeObject = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm-workload', namespace: 'data-consumer', labels: { owner: 'not-copied' } },
    spec: { template: { metadata: { labels: { role: 'web-client' } }, spec: {
      networks: [{ name: 'default', pod: {} }, { name: 'data-network', multus: { networkName: 'db-access-net' } }],
      volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { networkData: 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n  eth1:\n    addresses: [192.168.200.20/24]\n' } }],
    } } },
  };
  it("gives the launcher pod the template's labels plus KubeVirt's, never the VM's own", () => {
    const labels = launcherPodLabels(vm, 'uid-1');
    assert.deepEqual(labels, { role: 'web-client', 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': 'uid-1', 'vm.kubevirt.io/name': 'vm-workload' });
  });
  it('reads the multus networks and the cloud-init addresses', () => {
    assert.deepEqual(vmMultusNetworks(vm), [{ interfaceName: 'data-network', networkName: 'db-access-net' }]);
    assert.deepEqual(vmCloudInitNetworkData(vm).addresses, [{ device: 'eth1', address: '192.168.200.20/24' }]);
  });
});
