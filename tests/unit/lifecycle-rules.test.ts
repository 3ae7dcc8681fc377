import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRules } from '../../lab-server/sandbox/controllers/rule.ts';
import { matches } from '../../lab-server/sandbox/controllers/engine.ts';
import { render } from '../../lab-server/sandbox/controllers/template.ts';
import { COMPUTATIONS } from '../../lab-server/sandbox/controllers/computations/index.ts';
import type { KubeObject } from '../../lab-server/k8s/object.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function rulesFrom(yaml: string) {
  const dir = tempDir('rules');
  await writeFile(join(dir, 'rules.yaml'), yaml);
  return loadRules(pathToFileURL(`${dir}/`));
}

describe('lifecycle rules', () => {
  it('the shipped rules load, and every computation they name exists', () => {
    const rules = loadRules();
    assert.ok(rules.length >= 10);
    for (const rule of rules) if (rule.compute) assert.ok(COMPUTATIONS[rule.compute], `${rule.name} names ${rule.compute}`);
  });

  it('a malformed rule stops the load with its file and field', async () => {
    await assert.rejects(rulesFrom('- name: x\n  resource: {apiVersion: v1, kind: Pod}\n  delayMs: soon\n  next: {}\n'), /rules\.yaml: 0\.delayMs: .*expected number/);
    await assert.rejects(rulesFrom('- name: x\n  resource: {apiVersion: v1, kind: Pod}\n  selector: [{key: ".a..b", operator: Exists}]\n  next: {}\n'), /selector key \.a\.\.b/);
    await assert.rejects(rulesFrom('- { key: [unclosed'), /lifecycle rule file rules\.yaml:/);
  });

  it('selectors match on object state', async () => {
    const [rule] = await rulesFrom('- name: x\n  resource: {apiVersion: v1, kind: Pod}\n  selector:\n    - {key: .spec.nodeName, operator: DoesNotExist}\n    - {key: .status.phase, operator: In, values: [Pending]}\n  next: {}\n');
    const pod = (spec: object, status: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec, status }) as KubeObject;
    assert.equal(matches(rule!, pod({}, { phase: 'Pending' })), true);
    assert.equal(matches(rule!, pod({ nodeName: 'w' }, { phase: 'Pending' })), false);
    assert.equal(matches(rule!, pod({}, { phase: 'Running' })), false);
  });

  it('templates read the object, computed values and the time, keeping types when whole', () => {
    const context = { object: { metadata: { name: 'p', namespace: 'n' } }, vars: { node: 'worker-0', list: [1, 2] }, now: '2026-01-01T00:00:00Z' };
    assert.deepEqual(render({ a: '{{ .metadata.name }} on {{ $node }} at {{ now }}', b: '{{ $list }}', c: ['{{ $missing }}'] }, context), { a: 'p on worker-0 at 2026-01-01T00:00:00Z', b: [1, 2], c: [] });
  });
});
