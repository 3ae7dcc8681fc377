import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchema, environmentSchema, lessonSchema, stepSchema } from '../../lab-server/lesson/schema.ts';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { LESSON_DIR } from '../helpers/paths.ts';

const ref = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', namespace: 'data-adapter', name: 'db-access-net' };

describe('lesson schema', () => {
  it('accepts the shipped lesson and gives steps their defaults', async () => {
    const { lesson, diagnostics } = await loadLesson(LESSON_DIR);
    assert.deepEqual(diagnostics, []);
    assert.ok(lesson);
    assert.equal(lesson.lesson.gating, true);
    const overview = lesson.steps[0]!.step;
    assert.deepEqual([overview.checks, overview.solve, overview.manifests], [[], [], []]);
    assert.equal(overview.timeoutSeconds, 180);
    const env = lesson.lesson.environment;
    assert.deepEqual(env.nodes.filter((n) => n.roles.includes('worker')).map((n) => n.name), ['worker-0', 'worker-1']);
    assert.deepEqual(env.externalHosts[0]?.services[0], { kind: 'postgresql', port: 5432, protocol: 'TCP', database: 'turtles', user: 'splinter', password: 'cheese', tables: env.externalHosts[0]?.services[0]?.tables });
  });

  it('accepts each check kind', () => {
    const checks = [
      { type: 'exists', resource: ref, message: 'm' },
      { type: 'absent', resource: { ...ref, name: undefined, labelSelector: 'app=x' }, message: 'm' },
      { type: 'field', resource: ref, path: '.spec.config', json: '.vlanID', equals: 123, message: 'm' },
      { type: 'field', resource: ref, path: "{.metadata.annotations['a/b']}", matches: '^x', message: 'm' },
      { type: 'condition', resource: ref, condition: 'Ready', status: 'True', message: 'm' },
      { type: 'connect', from: { namespace: 'a', vm: 'v' }, to: { host: '192.168.200.1', port: 5432 }, expect: 'denied', message: 'm' },
      { type: 'field', forEach: { apiVersion: 'v1', kind: 'Node', labelSelector: 'node-role.kubernetes.io/worker' }, resource: { apiVersion: 'nmstate.io/v1beta1', kind: 'NodeNetworkState', name: '{{each.name}}' }, path: '.status', matches: '.', message: 'm' },
      { type: 'command', in: { namespace: 'a', pod: 'p' }, run: 'psql -c "SELECT 1"', message: 'm' },
    ];
    for (const check of checks) assert.ok(checkSchema.safeParse(check).success, JSON.stringify(check));
    const connect = checkSchema.parse(checks[5]);
    assert.equal(connect.type === 'connect' && connect.to.protocol, 'TCP');
    const command = checkSchema.parse(checks[7]);
    assert.deepEqual(command.type === 'command' && command.expect, { exitCode: 0 });
  });

  it('rejects malformed checks with the reason', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'field', resource: ref, path: '.a', message: 'm' }, /exactly one of "equals" or "matches"/],
      [{ type: 'field', resource: ref, path: '.a', equals: 1, matches: 'x', message: 'm' }, /exactly one/],
      [{ type: 'field', resource: ref, path: '.a', matches: '(', message: 'm' }, /not a regular expression/],
      [{ type: 'field', resource: ref, path: 'a[', equals: 1, message: 'm' }, /unexpected/],
      [{ type: 'exists', resource: { apiVersion: 'v1', kind: 'Pod' }, message: 'm' }, /give a name or a labelSelector/],
      [{ type: 'exists', resource: { ...ref, kind: 'pod' }, message: 'm' }, /PascalCase/],
      [{ type: 'connect', from: { namespace: 'a', pod: 'p' }, to: { host: '192.168.200.300', port: 5432 }, expect: 'allowed', message: 'm' }, /IPv4 address/],
      [{ type: 'connect', from: { namespace: 'a', pod: 'p' }, to: { host: '192.168.200.1', port: 70000 }, expect: 'allowed', message: 'm' }, /65535/],
      [{ type: 'exists', resource: ref, message: '' }, /must not be empty/],
      [{ type: 'command', in: { namespace: 'a', vm: 'v' }, run: '  ', message: 'm' }, /write the command line to run/],
      [{ type: 'command', in: { namespace: 'a', vm: 'v' }, run: 'psql', expect: { output: '(' }, message: 'm' }, /not a regular expression/],
      [{ type: 'command', in: { namespace: 'a', vm: 'v' }, run: 'psql', expect: { exitCode: 300 }, message: 'm' }, /255/],
      [{ type: 'reachable', message: 'm' }, /.+/],
    ];
    for (const [value, reason] of cases) {
      const result = checkSchema.safeParse(value);
      assert.equal(result.success, false, JSON.stringify(value));
      assert.match(result.error!.issues.map((i) => i.message).join('; '), reason);
    }
  });

  it('requires checks on a step that has solve commands', () => {
    const result = stepSchema.safeParse({ id: 's', title: 'S', persona: 'developer', estimatedMinutes: 5, solve: ['oc apply -f x.yaml'] });
    assert.equal(result.success, false);
    assert.match(result.error!.issues[0]!.message, /needs checks/);
  });

  it('checks the environment for consistency', () => {
    const node = { name: 'worker-0', roles: ['worker'], address: '10.0.0.20', nic: { name: 'enp1s0', bridge: 'br-ex', mode: 'trunk' } };
    const base = {
      cluster: { kubernetesVersion: '1.32', openshiftVersion: '4.19', networkType: 'OVNKubernetes', clusterNetwork: '10.128.0.0/14', serviceNetwork: '172.30.0.0/16' },
      bridge: 'br-ex',
      physicalNetworks: [{ name: 'db-vlan', vlan: 123, subnet: '192.168.200.0/24', description: 'd' }],
      nodes: [node],
      externalHosts: [{ name: 'db', description: 'd', network: 'db-vlan', ip: '192.168.200.1' }],
    };
    assert.ok(environmentSchema.safeParse(base).success);
    const messages = (value: unknown) => (environmentSchema.safeParse(value).error?.issues ?? []).map((i) => i.message).join('; ');
    assert.match(messages({ ...base, externalHosts: [{ ...base.externalHosts[0], ip: '10.1.1.1' }] }), /outside db-vlan's subnet/);
    assert.match(messages({ ...base, externalHosts: [{ ...base.externalHosts[0], network: 'nope' }] }), /no physical network is named "nope"/);
    assert.match(messages({ ...base, nodes: [node, node] }), /listed twice/);
    assert.match(messages({ ...base, nodes: [{ ...node, roles: ['master'] }] }), /worker role/);
    assert.match(messages({ ...base, nodes: [{ ...node, nic: { ...node.nic, bridge: 'br-data' } }] }), /environment's bridge is "br-ex"/);
  });

  it('rejects unknown top-level lesson fields', () => {
    const result = lessonSchema.safeParse({ id: 'x', titel: 'y' });
    assert.equal(result.success, false);
    assert.ok(result.error!.issues.some((i) => i.code === 'unrecognized_keys'));
  });
});
