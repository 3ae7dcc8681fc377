/**
 * What a learner's shell gets: kubectl, oc and virtctl on PATH, KUBECONFIG set,
 * its own HOME, and a working directory holding a copy of the lesson's
 * manifests. `labpath verify` runs solve commands in exactly this environment.
 */
import { chmod, cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OC_OWN_VERBS } from '../cli/oc-verbs.ts';

const LABPATH_CLI = fileURLToPath(new URL('../cli/labpath.ts', import.meta.url));
/** Our implementations, reached through labpath; kubectl is the real one on PATH. */
const SHIMMED_TOOLS = ['oc', 'virtctl'] as const;

/**
 * The learner shell's startup file: a prompt that shows the current namespace
 * (read from the kubeconfig, which `oc project` rewrites) and the directory.
 */
const BASHRC = `# labpath: the lab terminal's shell
HISTFILE="$HOME/.bash_history"
# Each command reaches the history file at once, so a lab restart keeps it.
PROMPT_COMMAND='history -a'
__labpath_namespace() {
  local ns
  ns=$(awk '$1 == "namespace:" { print $2; exit }' "$KUBECONFIG" 2>/dev/null)
  printf '%s' "\${ns:-default}"
}
PS1='\\[\\e[1;36m\\]$(__labpath_namespace)\\[\\e[0m\\] \\[\\e[1;34m\\]\\W\\[\\e[0m\\] \\$ '
alias ls='ls --color=auto'
`;

export interface LearnerEnvironment {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export async function prepareLearnerEnvironment(options: { root: string; kubeconfig: string; manifestsDir: string }): Promise<LearnerEnvironment> {
  const bin = join(options.root, 'bin');
  const home = join(options.root, 'home');
  const cwd = join(options.root, 'lesson');
  await Promise.all([mkdir(bin, { recursive: true }), mkdir(home, { recursive: true })]);
  // A learner's edits survive a restart: only files missing from the working directory are copied.
  await cp(options.manifestsDir, cwd, { recursive: true, force: false });
  await writeFile(join(home, '.bashrc'), BASHRC);
  for (const tool of SHIMMED_TOOLS) {
    const shim = join(bin, tool);
    const labpath = `exec ${shellQuote(process.execPath)} ${shellQuote(LABPATH_CLI)} ${tool} "$@"`;
    // Most oc commands are kubectl's: the shim runs kubectl itself, sparing a Node start per command.
    const body = tool === 'oc' ? `for arg in "$@"; do case "$arg" in ${OC_OWN_VERBS.join('|')}|-h|--help|help) ${labpath};; esac; done\n[ $# -eq 0 ] && ${labpath}\nexec "\${LABPATH_KUBECTL:-kubectl}" "$@"` : labpath;
    await writeFile(shim, `#!/bin/sh\n${body}\n`);
    await chmod(shim, 0o755);
  }
  return {
    cwd,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, KUBECONFIG: options.kubeconfig, HOME: home, KUBECACHEDIR: join(home, '.kube', 'cache') },
  };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
