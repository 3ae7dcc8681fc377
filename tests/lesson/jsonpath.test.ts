import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, parseJsonPath } from '../../lab-server/lesson/jsonpath.ts';

const pod = {
  metadata: { name: 'p', annotations: { 'k8s.v1.cni.cncf.io/network-status': '[]' } },
  status: { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False' }] },
  spec: { containers: [{ name: 'a', ports: [{ containerPort: 9000 }] }, { name: 'b' }] },
};

function select(expression: string, value: unknown): unknown[] {
  const parsed = parseJsonPath(expression);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return evaluateJsonPath(parsed.segments, value);
}

describe('JSONPath subset', () => {
  it('selects fields, indexes, wildcards and filters', () => {
    assert.deepEqual(select('.metadata.name', pod), ['p']);
    assert.deepEqual(select('{.metadata.name}', pod), ['p']);
    assert.deepEqual(select("{.metadata.annotations['k8s.v1.cni.cncf.io/network-status']}", pod), ['[]']);
    assert.deepEqual(select('.spec.containers[1].name', pod), ['b']);
    assert.deepEqual(select('.spec.containers[*].name', pod), ['a', 'b']);
    assert.deepEqual(select('.status.conditions[?(@.type=="Ready")].status', pod), ['False']);
    assert.deepEqual(select(".status.conditions[?(@.type!='Ready')].type", pod), ['Initialized']);
    assert.deepEqual(select('.spec.containers[?(@.ports)].name', pod), ['a']);
    assert.deepEqual(select('[?(@.vlan==123)].name', [{ vlan: 123, name: 'x' }, { vlan: 7, name: 'y' }]), ['x']);
    assert.deepEqual(select('$', 5), [5]);
  });

  it('yields nothing for paths that do not exist', () => {
    assert.deepEqual(select('.spec.nodeName', pod), []);
    assert.deepEqual(select('.spec.containers[5]', pod), []);
    assert.deepEqual(select('.metadata.name.first', pod), []);
  });

  it('explains syntax errors', () => {
    for (const bad of ['.a..b', '.a[', '.a[?(@.x=)]', 'spec']) {
      const parsed = parseJsonPath(bad);
      assert.equal(parsed.ok, false, bad);
      assert.match(parsed.ok ? '' : parsed.error, /character \d+/);
    }
  });
});
