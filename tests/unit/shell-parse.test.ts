import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandCommand, splitLine } from '../../lab-server/sandbox/workloads/shell/parse.ts';

describe('shell syntax', () => {
  it('splits lists and pipelines at unquoted operators only', () => {
    const split = splitLine(`echo 'a;b' | cat && nope || echo "x|y"; true # comment`);
    assert.ok(split.ok);
    assert.deepEqual(split.list.map((i) => [i.pipeline.map((p) => p.trim()), i.then]), [
      [["echo 'a;b'", 'cat'], '&&'],
      [['nope'], '||'],
      [['echo "x|y"'], ';'],
      [['true'], ';'],
    ]);
  });

  it('keeps redirections that contain & in the command', () => {
    const split = splitLine('nc -zv 1.2.3.4 5 2>&1; echo done &>/dev/null');
    assert.ok(split.ok);
    assert.equal(split.list.length, 2);
    const expanded = expandCommand(split.list[0]!.pipeline[0]!, {});
    assert.ok(expanded.ok);
    assert.deepEqual(expanded.command.argv, ['nc', '-zv', '1.2.3.4', '5']);
    assert.equal(expanded.command.stderrToStdout, true);
  });

  it('refuses background jobs, dangling operators and open quotes', () => {
    for (const line of ['sleep 1 &', 'echo a |', '| cat', "echo 'open", 'echo "open']) assert.equal(splitLine(line).ok, false, line);
  });

  it('expands variables when the command runs, with VAR=value prefixes', () => {
    const expanded = expandCommand('PGPASSWORD=cheese psql -U "$USER" ${HOST}:$? \'$NOT\' \\$ESC', { USER: 'splinter', HOST: 'db', '?': '127' });
    assert.ok(expanded.ok);
    assert.deepEqual(expanded.command.assignments, { PGPASSWORD: 'cheese' });
    assert.deepEqual(expanded.command.argv, ['psql', '-U', 'splinter', 'db:127', '$NOT', '$ESC']);
  });
});
