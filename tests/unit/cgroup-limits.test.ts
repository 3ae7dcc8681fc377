/**
 * Per-learner limits on each kind of cgroup hierarchy, against a stand-in
 * cgroup filesystem in a temporary folder (the machine running the tests has
 * one kind only): which files get which values, and the command that joins them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectLimits } from '../../lab-server/confinement/cgroup-limits.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const LIMITS = { memoryBytes: 512 * 1048576, pids: 100, cpuWeight: 50 };

describe('cgroup limits', () => {
  it('v1: memory, pids and cpu each in their own hierarchy, under the lab\'s own cgroup, learners together below the lab', () => {
    const root = tempDir('cg1');
    for (const c of ['memory', 'pids', 'cpu']) mkdirSync(join(root, c, 'lab'), { recursive: true });
    const mountinfo = ['memory', 'pids', 'cpu'].map((c, i) => `${30 + i} 25 0:${30 + i} / ${root}/${c} rw,relatime - cgroup cgroup rw,${c}`).join('\n');
    const cgroup = '4:memory:/lab\n3:pids:/lab\n2:cpu:/lab\n0::/\n';
    const detection = detectLimits({ mountinfo, cgroup, systemd: false }, true);
    assert.equal(detection.backend?.kind, 'cgroup v1', detection.backend ? '' : detection.reason);
    const group = detection.backend!.group('learner-a', LIMITS);
    const dir = (c: string) => join(root, c, 'lab', 'labpath-learners', 'learner-a');
    assert.equal(readFileSync(join(dir('memory'), 'memory.limit_in_bytes'), 'utf8'), String(LIMITS.memoryBytes));
    assert.equal(readFileSync(join(dir('pids'), 'pids.max'), 'utf8'), '100');
    assert.equal(readFileSync(join(dir('cpu'), 'cpu.shares'), 'utf8'), '512', 'weight 50 is half the default 1024 shares');
    assert.equal(readFileSync(join(root, 'cpu', 'lab', 'labpath-learners', 'cpu.shares'), 'utf8'), '102', 'all learners together weigh a tenth of the lab');
    assert.deepEqual(group.procsFiles, ['memory', 'pids', 'cpu'].map((c) => join(dir(c), 'cgroup.procs')));
    const wrapped = group.wrap(['/bin/true']);
    assert.equal(wrapped[0], '/bin/sh');
    assert.deepEqual(wrapped.slice(-2), ['--', '/bin/true']);
  });

  it('v2: one unified hierarchy, controllers handed down to the learners\' groups', () => {
    const root = tempDir('cg2');
    const own = join(root, 'lab.scope');
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, 'cgroup.controllers'), 'cpu memory pids io');
    writeFileSync(join(own, 'cgroup.subtree_control'), '');
    const detection = detectLimits({ mountinfo: `40 25 0:40 / ${root} rw - cgroup2 cgroup2 rw`, cgroup: '0::/lab.scope\n', systemd: false }, true);
    assert.equal(detection.backend?.kind, 'cgroup v2', detection.backend ? '' : detection.reason);
    assert.equal(readFileSync(join(own, 'labpath-learners', 'cgroup.subtree_control'), 'utf8'), '+memory +pids +cpu');
    const group = detection.backend!.group('learner-b', LIMITS);
    const dir = join(own, 'labpath-learners', 'learner-b');
    assert.equal(readFileSync(join(dir, 'memory.max'), 'utf8'), String(LIMITS.memoryBytes));
    assert.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), '100');
    assert.equal(readFileSync(join(dir, 'cpu.weight'), 'utf8'), '50');
    assert.equal(readFileSync(join(own, 'labpath-learners', 'cpu.weight'), 'utf8'), '10', 'all learners together weigh a tenth of the lab');
    assert.deepEqual(group.procsFiles, [join(dir, 'cgroup.procs')]);
  });

  it('v2 without the controllers, and no systemd: no limits, and the reason names each hierarchy', () => {
    const root = tempDir('cg3');
    writeFileSync(join(root, 'cgroup.controllers'), 'hugetlb');
    const detection = detectLimits({ mountinfo: `40 25 0:40 / ${root} rw - cgroup2 cgroup2 rw`, cgroup: '0::/\n', systemd: false }, false);
    assert.equal(detection.backend, undefined);
    assert.match(detection.reason!, /cgroup v1: no memory hierarchy holds this process; cgroup v2: the lab's cgroup .* is not given the memory, pids, cpu controllers; systemd is not running here/);
  });

  it('under systemd: a transient scope per shell with systemd\'s names for the limits', () => {
    const detection = detectLimits({ mountinfo: '', cgroup: '0::/user.slice\n', systemd: true, systemdRun: '/usr/bin/systemd-run' }, false);
    assert.equal(detection.backend?.kind, 'systemd');
    const command = detection.backend!.group('learner-c', LIMITS).wrap(['/bin/true']);
    assert.deepEqual(command.slice(0, 5), ['/usr/bin/systemd-run', '--user', '--scope', '--quiet', '--collect']);
    assert.ok(command.includes(`--property=MemoryMax=${LIMITS.memoryBytes}`) && command.includes('--property=TasksMax=100') && command.includes('--property=CPUWeight=50'));
    assert.deepEqual(command.slice(-2), ['--', '/bin/true']);
  });
});
