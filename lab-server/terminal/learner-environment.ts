/**
 * What a learner's shell gets: kubectl, oc and virtctl on PATH, KUBECONFIG set,
 * its own HOME, and a working directory holding a copy of the lesson's
 * manifests. `labpath verify` runs solve commands in exactly this environment.
 * The environment is built from an allow-list: nothing of the server's own
 * (an access token, a cloud credential) reaches a learner.
 */
import { chmod, cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SYSTEM_BIN_DIRS } from './host-tools.ts';
import { fileURLToPath } from 'node:url';
import { OC_OWN_VERBS } from '../cli/oc-verbs.ts';

const LABPATH_CLI = fileURLToPath(new URL('../cli/labpath.ts', import.meta.url));
/** Our implementations, reached through labpath; kubectl is the real one on PATH. */
const SHIMMED_TOOLS = ['oc', 'virtctl'] as const;

/** Taken from the server's environment when set: the locale, so that a learner's terminal shows UTF-8 as the host does. */
const PASSED_THROUGH = ['LANG', 'LC_ALL'] as const;

/**
 * Where a learner's files are. `folder` is the learner's own: home/, lesson/
 * (the working directory) and the kubeconfig. `tools` is the lab's: bin/
 * (oc, virtctl) and the shell's startup file; a confined learner sees it
 * read-only, so that the lab never writes where a learner could have left a
 * link. Both may be one folder when nobody hostile shares the machine
 * (`labpath verify`).
 */
export interface LearnerLayout {
  folder: string;
  tools: string;
}

/** Where a confined shell sees the layout, and the lesson's manifests it copies for itself. */
export interface LayoutView extends LearnerLayout {
  manifests: string;
}

export interface LearnerEnvironment {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** bash --rcfile this: the prompt and history, and (confined) the working directory's setup. */
  rcfile: string;
}

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

/**
 * A confined shell sets up its own working directory, as the learner: a
 * learner's edits survive a restart (only missing files are copied), and
 * whatever links they left lead nowhere outside their sandbox.
 */
function selfSetup(view: LayoutView): string {
  const q = shellQuote;
  return `mkdir -p ${q(join(view.folder, 'home'))} ${q(join(view.folder, 'lesson'))}
cp -rn ${q(view.manifests)}/. ${q(join(view.folder, 'lesson'))}/ 2>/dev/null
cd ${q(join(view.folder, 'lesson'))} 2>/dev/null
`;
}

/**
 * `view`: where a confined shell sees the layout (every path in the
 * environment is then one the shell can open); without it the paths are the
 * host's and the lab copies the manifests itself. `extraPath`: folders of
 * tools found outside the system's directories (kubectl in ~/bin).
 * `kubeconfig`: another than the folder's own (verify on a given cluster).
 */
export async function prepareLearnerEnvironment(options: { layout: LearnerLayout; manifestsDir: string; view?: LayoutView; extraPath?: readonly string[]; kubeconfig?: string }): Promise<LearnerEnvironment> {
  const { layout, view } = options;
  const seen = view ?? layout;
  const bin = join(layout.tools, 'bin');
  await mkdir(bin, { recursive: true });
  if (!view) {
    await mkdir(join(layout.folder, 'home'), { recursive: true });
    // A learner's edits survive a restart: only files missing from the working directory are copied.
    await cp(options.manifestsDir, join(layout.folder, 'lesson'), { recursive: true, force: false });
  }
  await writeFile(join(layout.tools, 'bashrc'), `${BASHRC}${view ? selfSetup(view) : ''}`);
  for (const tool of SHIMMED_TOOLS) {
    const shim = join(bin, tool);
    const labpath = `exec ${shellQuote(process.execPath)} ${shellQuote(LABPATH_CLI)} ${tool} "$@"`;
    // Most oc commands are kubectl's: the shim runs kubectl itself, sparing a Node start per command.
    const body = tool === 'oc' ? `for arg in "$@"; do case "$arg" in ${OC_OWN_VERBS.join('|')}|-h|--help|help) ${labpath};; esac; done\n[ $# -eq 0 ] && ${labpath}\nexec "\${LABPATH_KUBECTL:-kubectl}" "$@"` : labpath;
    await writeFile(shim, `#!/bin/sh\n${body}\n`);
    await chmod(shim, 0o755);
  }
  const home = join(seen.folder, 'home');
  const env: NodeJS.ProcessEnv = {
    PATH: [join(seen.tools, 'bin'), ...SYSTEM_BIN_DIRS, ...(options.extraPath ?? [])].join(':'),
    HOME: home,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    KUBECONFIG: options.kubeconfig ?? join(seen.folder, 'kubeconfig'),
    KUBECACHEDIR: join(home, '.kube', 'cache'),
  };
  for (const name of PASSED_THROUGH) if (process.env[name]) env[name] = process.env[name];
  // A confined shell starts in its folder and moves into the lesson once its startup file has made it.
  return { cwd: view ? view.folder : join(layout.folder, 'lesson'), env, rcfile: join(seen.tools, 'bashrc') };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
