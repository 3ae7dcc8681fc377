/**
 * Learner confinement, attacked from inside real learner terminals: two
 * learners connected through the lab's WebSocket try what a hostile learner
 * would, and the lab must hold. Needs bubblewrap; skips with the reason where
 * this machine cannot confine (CI installs it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabSocket, startLab, type TestLab } from '../helpers/lab.ts';
import { DEFAULT_LIMITS, detectConfinement } from '../../lab-server/confinement/confinement.ts';
import { parseMountinfo } from '../../lab-server/confinement/mountinfo.ts';

const launcher = await detectConfinement();
const skip = launcher.confined ? false : `learner shells cannot be confined on this machine: ${launcher.reason}`;
const capSkip = launcher.confined && !launcher.folderCap.cap ? `learners' folders cannot be capped on this machine: ${launcher.folderCap.reason}` : false;
const FOLDER_MIB = 48;
const SERVER_SECRET = 'server-only-secret-5f1c0d9a';
const TOKEN = 'confinement-test-token-0123456789';

let lab: TestLab;
let a: LabSocket;
let b: LabSocket;
let closed = false;

/** Runs a command line in a learner's shell and gives what it printed between two markers. */
async function run(page: LabSocket, command: string, ms = 30_000): Promise<string> {
  const marker = `m${Math.random().toString(36).slice(2, 10)}`;
  const start = page.output.length;
  page.type(`echo ${marker}-begin; ${command}; echo ${marker}-end-$((1+1))\r`);
  await page.waitForOutput(new RegExp(`${marker}-end-2\\r\\n`), ms);
  const text = page.output.slice(start);
  return text.slice(text.indexOf(`${marker}-begin\r\n`) + marker.length + 8, text.lastIndexOf(`${marker}-end-2`));
}

describe('a learner\'s shell', { skip }, () => {
  before(async () => {
    process.env.LABPATH_TEST_SERVER_SECRET = SERVER_SECRET;
    lab = await startLab({ accessToken: TOKEN, limits: { ...DEFAULT_LIMITS, folderBytes: FOLDER_MIB * 1048576 } });
    [a, b] = [await (await lab.learner()).connect(), await (await lab.learner()).connect()];
    await Promise.all([a.waitForOutput(/\$ $/), b.waitForOutput(/\$ $/)]);
  });
  after(async () => {
    delete process.env.LABPATH_TEST_SERVER_SECRET;
    if (closed) return;
    a?.close();
    b?.close();
    await lab?.server.close();
  });

  it('runs as an unprivileged user with no capabilities, no_new_privs and its own uid on the host', async () => {
    const inside = await run(a, 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; sleep 424242 & disown');
    assert.match(inside, /^1000\r\n/);
    assert.match(inside, /CapEff:\s+0000000000000000/);
    assert.match(inside, /CapBnd:\s+0000000000000000/);
    assert.match(inside, /NoNewPrivs:\s+1/);
    await run(b, 'sleep 434343 & disown');
    const hostUid = (pattern: string) => {
      const pid = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.trim().split('\n')[0]!;
      return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    };
    const [uidA, uidB] = [hostUid('sleep 424242'), hostUid('sleep 434343')];
    if (process.getuid?.() === 0) {
      assert.notEqual(uidA, 0, 'a learner is not root on the host');
      assert.notEqual(uidA, uidB, 'each learner has a uid of their own');
    }
    await run(a, 'pkill -f "sleep 424242"');
    await run(b, 'pkill -f "sleep 434343"');
  });

  it('cannot mount, unmount, enter another namespace or chroot', async () => {
    const out = await run(a, 'umount /lab 2>&1; echo umount=$?; umount -l /proc 2>&1; echo umount-proc=$?; mount -t tmpfs x /tmp 2>&1; echo mount=$?; nsenter -t 1 -m true 2>&1; echo nsenter=$?; chroot / true 2>&1; echo chroot=$?; unshare -U true 2>&1; echo unshare=$?');
    for (const step of ['umount', 'umount-proc', 'mount', 'nsenter', 'chroot', 'unshare']) assert.doesNotMatch(out, new RegExp(`^${step}=0\\r?$`, 'm'), `${step} must fail:\n${out}`);
  });

  it('sees no file of the lab\'s data directory or of the other learner, even after trying to unmount its view', async () => {
    const folders = readdirSync(`${lab.dataDir}/learners`);
    assert.equal(folders.length, 2);
    const out = await run(a, `umount -l /lab 2>/dev/null; ls ${lab.dataDir} 2>&1; for f in ${folders.map((f) => `${lab.dataDir}/learners/${f}`).join(' ')}; do ls $f 2>&1; done; cat ${lab.dataDir}/lab.sqlite 2>&1 | head -c 100; find / -xdev \\( -name 'lab.sqlite' -o -name 'sandbox.sqlite' \\) 2>/dev/null | wc -l`);
    assert.match(out, new RegExp(`ls: cannot access '${lab.dataDir}': No such file or directory`));
    assert.doesNotMatch(out, /SQLite format/);
    assert.match(out, /\r\n0\r\n$/, `no database anywhere in the sandbox:\n${out}`);
  });

  it('cannot write to the system', async () => {
    const out = await run(a, 'for d in /etc /root /usr/local/bin /var /usr/bin; do touch $d/labpath-probe 2>/dev/null && echo wrote-$d; done; echo x > /proc/sys/kernel/core_pattern 2>/dev/null && echo wrote-core-pattern; ls /sys/fs/cgroup 2>/dev/null | head -1');
    assert.doesNotMatch(out, /wrote-/);
  });

  it('sees only its own few processes, not the lab server\'s', async () => {
    const out = await run(a, 'ps -e --no-headers | wc -l; ps -eo comm --no-headers | grep -c -x node');
    const [count, nodes] = out.trim().split(/\r?\n/).map(Number);
    assert.ok(count! < 30, `${count} processes visible`);
    assert.equal(nodes, 0, 'no node process (the lab server) is visible');
  });

  it('has nothing of the server\'s environment', async () => {
    const out = await run(a, 'env');
    assert.doesNotMatch(out, new RegExp(SERVER_SECRET));
    assert.doesNotMatch(out, new RegExp(TOKEN));
    assert.match(out, /^KUBECONFIG=\/lab\/kubeconfig\r?$/m);
  });

  it('cannot write into the other learner\'s terminal', async () => {
    await run(a, 'for p in /dev/pts/* /dev/tty*; do [ -c "$p" ] && echo intrusion-from-a > "$p"; done 2>/dev/null; python3 -c "import fcntl, termios; fcntl.ioctl(open(\'/proc/1/fd/0\', \'wb\'), termios.TIOCSTI, b\'x\')" 2>&1 | tail -1');
    const seen = await run(b, 'echo still-here');
    assert.doesNotMatch(b.output, /intrusion-from-a/);
    assert.match(seen, /still-here/);
  });

  it('is held to its memory limit: 100 MB works, 1.5 GiB does not', async () => {
    const out = await run(a, 'head -c 100M /dev/zero | tail -c 100M | wc -c; head -c 1536M /dev/zero | tail -c 1536M | wc -c', 120_000);
    const [small, big] = out.trim().split(/\r?\n/).map(Number);
    assert.equal(small, 100 * 1024 * 1024);
    assert.ok(big! < 1536 * 1024 * 1024, `1.5 GiB were held in memory (${big} bytes)`);
  });

  it('is held to its process limit: 400 background processes are refused', async () => {
    const out = await run(a, 'sh -c \'i=0; while [ $i -lt 400 ]; do sleep 30 & i=$((i+1)); done\' 2>&1 | tail -1; pgrep -c -x sleep; pkill -x sleep', 60_000);
    const running = Number(out.trim().split(/\r?\n/).at(-1));
    assert.match(out, /Cannot fork|Resource temporarily unavailable/);
    assert.ok(running < 400, `${running} sleeps ran`);
  });

  it('reaches its own cluster, and nothing else of this machine\'s network', async () => {
    const labPort = new URL(lab.server.url).port;
    const out = await run(a, `kubectl get ns default -o name; (echo > /dev/tcp/127.0.0.1/${labPort}) 2>/dev/null && echo reached-the-lab; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`);
    assert.match(out, /namespace\/default/);
    assert.doesNotMatch(out, /reached-the-lab/, 'the lab server on this machine\'s loopback is not reachable');
    assert.match(out, /^lo\r?$/m);
    assert.doesNotMatch(out, /eth|ens|veth/);
    await run(a, 'for i in 1 2 3; do kubectl get ns default -o name; done');
    assert.doesNotMatch(a.output, /Traceback|Exception ignored/, 'the tunnel prints nothing into the terminal');
  });

  it('fills its own folder only up to its cap, and no one else\'s', { skip: capSkip }, async () => {
    // Without its kubeconfig, whose own blocks would otherwise be enough for the lab to write it again. head
    // stops at the first chunk that does not fit; dd's small writes then take what it left (how much that is
    // depends on what else is in the folder, such as kubectl's discovery cache).
    const full = await run(a, 'rm /lab/kubeconfig; head -c 100M /dev/zero > /lab/fill; echo fill=$?; dd if=/dev/zero bs=512 2>/dev/null >> /lab/fill; df -m --output=size /lab | tail -1; wc -c < /lab/fill', 60_000);
    assert.match(full, /No space left on device/);
    const [, size, written] = full.trim().split(/\r?\n/).slice(-3).map((line) => Number(line.trim()));
    assert.ok(size! <= FOLDER_MIB && size! >= FOLDER_MIB - 8, `the folder is ${size} MiB`);
    assert.ok(written! < FOLDER_MIB * 1048576, `${written} bytes were written`);
    assert.match(await run(b, 'head -c 8M /dev/zero > /lab/eight && echo b-wrote'), /^b-wrote\r?$/m, 'the other learner still has room');
    a.send({ type: 'reset' });
    const problem = await a.waitForMessage((m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error' && /kubeconfig/.test(m.message), 'the page is told its kubeconfig could not be written', 30_000);
    assert.match(problem.message, /your folder is full/);
    assert.match(await run(a, 'rm /lab/fill && echo room > /lab/again && cat /lab/again'), /^room\r?$/m, 'deleting makes room again');
    const resets = a.messages.filter((m) => m.type === 'reset').length;
    a.send({ type: 'reset' });
    await a.waitForMessage((m): m is Extract<typeof m, { type: 'reset' }> => m.type === 'reset' && a.messages.filter((r) => r.type === 'reset').length > resets, 'a second reset', 30_000);
    assert.match(await run(a, 'kubectl get ns default -o name'), /namespace\/default/, 'with room, the next reset writes the kubeconfig again');
  });

  it('leaves no learner\'s limit group behind once the lab has closed', { skip: launcher.confined && launcher.limits.backend && launcher.limits.backend.kind !== 'systemd' ? false : 'limits here are not cgroups the lab makes itself' }, async () => {
    await run(a, 'sleep 454545 & disown');
    const pid = spawnSync('pgrep', ['-f', 'sleep 454545'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]!;
    const groups = hostGroups(pid);
    assert.ok(groups.length > 0, `the learner's processes are in limit groups:\n${readFileSync(`/proc/${pid}/cgroup`, 'utf8')}`);
    a.close();
    b.close();
    await lab.server.close();
    closed = true;
    assert.deepEqual(groups.filter((dir) => existsSync(dir)), [], 'every learner\'s group is removed');
  });
});

/** The host folders of the lab's limit groups that a process is in, from its /proc/PID/cgroup and the cgroup mounts. */
function hostGroups(pid: string): string[] {
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').flatMap((line) => {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line)!;
    if (!path!.includes('labpath-learners/')) return [];
    const mount = mounts.find((m) => (controllers === '' ? m.fsType === 'cgroup2' : m.fsType === 'cgroup' && controllers!.split(',').every((c) => m.superOptions.includes(c))));
    return mount ? [join(mount.mountPoint, path!.slice(mount.root === '/' ? 0 : mount.root.length))] : [];
  });
}
