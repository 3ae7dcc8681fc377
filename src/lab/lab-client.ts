/**
 * The lab in the browser: an xterm.js terminal wired to the learner's shell,
 * Run buttons on commands and manifests, and the step's live check status.
 * Loaded only when a lab server answers; the page works without it.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { ProbeState, ServerMessage } from '../../lab-server/lab/protocol.ts';
import type { CheckResult } from '../../lab-server/checks/check-result.ts';
import { workshopBar, type WorkshopBar } from './workshop-bar.ts';

type StepStatus = 'pending' | 'passed' | 'failing';

const STATUS_LABEL: Record<StepStatus, string> = { pending: 'Checking…', passed: 'Passed', failing: 'Not there yet' };
const RECONNECT_MS = [500, 1000, 2000, 5000];
/** The lab closed this page for good (its seat was taken from another browser): it does not reconnect. */
const CLOSED_FOR_GOOD = 4003;

/** `first`: the socket the page's boot script opened, with the messages it has already received. */
export function startLab(panel: HTMLElement, first?: { socket: WebSocket; early: MessageEvent[] }): void {
  const lessonId = panel.dataset.lesson!;
  const stepId = panel.dataset.step!;
  const status = panel.querySelector<HTMLElement>('.step-status')!;
  const label = status.querySelector<HTMLElement>('.step-status-label')!;
  const resultList = status.querySelector<HTMLUListElement>('.check-results')!;
  // The socket first: the shell's prompt travels while xterm.js sets itself up.
  let ws: WebSocket | undefined;
  let attempt = 0;
  connect();

  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const container = panel.querySelector<HTMLElement>('[data-terminal]')!;
  const font = { family: getComputedStyle(document.documentElement).getPropertyValue('--mono') || 'monospace', size: 14 };
  const term = new Terminal({
    ...sizeFor(container, font),
    fontFamily: font.family,
    fontSize: font.size,
    cursorBlink: true,
    scrollback: 5000,
    theme: dark ? { background: '#0d1117', foreground: '#e6edf3' } : { background: '#ffffff', foreground: '#1b1f24', cursor: '#1b1f24', selectionBackground: '#b6d3ff' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);

  const encoder = new TextEncoder();
  const send = (message: object) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  term.onData((data) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(encoder.encode(data));
  });
  term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
  // Drawn once what the shell printed while this code loaded (its prompt, replayed just before
  // this) is in the buffer: drawn first and written after, the prompt would wait a frame or more.
  queueMicrotask(() => term.write('', openTerminal));
  // Until then the status and the step list wait: changed first, they would have the page
  // drawn once more before the terminal is.
  let held: ServerMessage[] | undefined = [];

  function openTerminal(): void {
    term.open(container);
    fit.fit();
    const waiting = held!;
    held = undefined;
    for (const message of waiting) handle(message);
    new ResizeObserver(() => fit.fit()).observe(container);
    // After the terminal's first frame: these change the lesson text (and so its layout), which the prompt need not wait for.
    requestAnimationFrame(() =>
      setTimeout(() => {
        addRunButtons(send, term);
        wireButtons(panel, send, stepId);
        wireSplitter(panel);
      }),
    );
  }

  function connect(): void {
    const handed = attempt === 0 && first && first.socket.readyState <= WebSocket.OPEN ? first.socket : undefined;
    const socket = handed ?? new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lab/ws/${lessonId}`);
    socket.binaryType = 'arraybuffer';
    ws = socket;
    socket.onopen = () => {
      // A reconnect replays the scrollback: start from a clean screen.
      if (attempt > 0) term.reset();
      attempt = 0;
      send({ type: 'resize', cols: term.cols, rows: term.rows });
      send({ type: 'watch', step: stepId });
    };
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) return term.write(new Uint8Array(event.data));
      const message = JSON.parse(event.data as string) as ServerMessage;
      if (held) held.push(message);
      else handle(message);
    };
    if (handed) {
      // Replayed once everything below exists, before the terminal is drawn; an already open socket gets its open handling too.
      queueMicrotask(() => {
        if (handed.readyState === WebSocket.OPEN) handed.onopen?.(new Event('open'));
        for (const event of first!.early.splice(0)) handed.onmessage?.(event);
      });
    }
    socket.onclose = (event) => {
      if (ws !== socket) return;
      if (event.code === CLOSED_FOR_GOOD) {
        term.options.disableStdin = true;
        term.write(`\r\n\x1b[2m[${event.reason || 'the lab closed this page'}]\x1b[0m\r\n`);
        showNotice(event.reason || 'The lab closed this page.');
        return;
      }
      const wait = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]!;
      term.write(`\r\n\x1b[2m[the lab connection closed; trying again in ${wait / 1000} s]\x1b[0m\r\n`);
      setTimeout(connect, wait);
    };
  }

  function handle(message: ServerMessage): void {
    switch (message.type) {
      case 'ready':
      case 'progress':
      case 'reset':
        showProgress(message.progress, message.unlocked, 'gating' in message ? message.gating : undefined);
        if (message.type === 'reset') showStatus('pending', []);
        if (message.type === 'ready' && message.workshop) showWorkshop(message.workshop);
        break;
      case 'workshop':
        showWorkshop(message.workshop);
        break;
      case 'goto':
        if (message.step !== stepId) location.assign(`/lessons/${lessonId}/${message.step}/`);
        break;
      case 'step':
        if (message.step === stepId) showStatus(message.status, message.results);
        break;
      case 'probes':
        showProbes(message.probes);
        break;
      case 'terminal-exit':
        if (message.reason) showNotice(`Your shell did not start: ${message.reason}. The lab tries again in ${Math.ceil(message.restartInMs / 1000)} s.`);
        term.write(`\r\n\x1b[2m[${message.reason ? 'the shell did not start' : 'the shell exited'}; a new one starts${message.restartInMs > 0 ? ` in ${Math.ceil(message.restartInMs / 1000)} s` : ''}]\x1b[0m\r\n`);
        break;
      case 'error':
        showNotice(message.message);
        break;
    }
  }

  function showStatus(state: StepStatus, results: CheckResult[]): void {
    status.dataset.status = state;
    label.textContent = STATUS_LABEL[state];
    resultList.replaceChildren(...results.filter((r) => r.status !== 'passed').map(resultItem));
  }

  let bar: WorkshopBar | undefined;
  function showWorkshop(state: Parameters<WorkshopBar['show']>[0]): void {
    bar ??= workshopBar(panel, stepId, send, (step) => location.assign(`/lessons/${lessonId}/${step}/`), (over) => (term.options.disableStdin = over));
    bar.show(state);
  }

  let gating = true;
  function showProgress(progress: Record<string, StepStatus>, unlockedSteps: string[], gatingOn: boolean | undefined): void {
    if (gatingOn !== undefined) gating = gatingOn;
    const unlocked = new Set(unlockedSteps);
    let open = true;
    for (const item of document.querySelectorAll<HTMLElement>('.step-list li[data-step-id]')) {
      const id = item.dataset.stepId!;
      const passed = progress[id] === 'passed';
      item.dataset.progress = passed ? 'passed' : 'open';
      const link = item.querySelector('a')!;
      const locked = gating && !open;
      if (locked) link.setAttribute('aria-disabled', 'true');
      else link.removeAttribute('aria-disabled');
      // A step unlocks the next once it passes; a step without checks counts as read.
      if (!passed && item.dataset.checks === 'true' && !unlocked.has(id)) open = false;
    }
    const next = document.querySelector<HTMLAnchorElement>('.step-nav a[rel="next"]');
    const current = document.querySelector<HTMLElement>(`.step-list li[data-step-id="${stepId}"]`);
    if (next && current) {
      const waiting = gating && current.dataset.checks === 'true' && progress[stepId] !== 'passed' && !unlocked.has(stepId);
      if (waiting) next.setAttribute('aria-disabled', 'true');
      else next.removeAttribute('aria-disabled');
    }
  }

  function showNotice(text: string): void {
    const item = document.createElement('li');
    item.className = 'lab-notice';
    item.textContent = text;
    resultList.prepend(item);
    setTimeout(() => item.remove(), 8000);
  }

  // A locked link explains itself instead of leaving the step.
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest('a[aria-disabled="true"]');
    if (!link) return;
    event.preventDefault();
    showNotice('This step unlocks when the one before it passes its checks.');
  });
}

/** What the fit addon keeps clear for the scroll bar when there is scrollback (xterm.js's default width). */
const SCROLL_BAR_PX = 14;

/**
 * The rows and columns that fill `box`, worked out before the terminal opens the
 * way the fit addon works them out after (a cell from the font's metrics, as
 * xterm.js measures it; the box less the scroll bar). Opened at 80×24 and then
 * fitted, the terminal would lay out and draw all its rows twice before the
 * prompt shows. Should this be a cell off, fit() still mends it.
 */
function sizeFor(box: HTMLElement, font: { family: string; size: number }): { cols: number; rows: number } | Record<string, never> {
  const context = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1).getContext('2d') : null;
  if (!context) return {};
  context.font = `${font.size}px ${font.family}`;
  const glyph = context.measureText('W');
  const ratio = devicePixelRatio || 1;
  const cellHeight = Math.ceil((glyph.fontBoundingBoxAscent + glyph.fontBoundingBoxDescent) * ratio) / ratio;
  const style = getComputedStyle(box);
  const width = parseInt(style.width) - SCROLL_BAR_PX;
  const height = parseInt(style.height);
  if (!(glyph.width > 0 && cellHeight > 0 && width > 0 && height > 0)) return {};
  return { cols: Math.max(2, Math.floor(width / glyph.width)), rows: Math.max(1, Math.floor(height / cellHeight)) };
}

const PROBE_TEXT: Record<ProbeState['state'], string> = { allowed: 'allowed', denied: 'denied (dropped)', refused: 'refused (nothing listens)', unavailable: 'not possible yet' };

/** Colours each probe's arrow and says its answer in the list under the figure. */
function showProbes(probes: ProbeState[]): void {
  for (const probe of probes) {
    for (const element of document.querySelectorAll<Element>(`[data-probe="${probe.id}"], [data-probe-id="${probe.id}"]`)) element.setAttribute('data-state', probe.state);
    const item = document.querySelector(`[data-probe-id="${probe.id}"] .probe-state`);
    if (item) {
      item.textContent = PROBE_TEXT[probe.state];
      item.setAttribute('title', probe.detail);
    }
  }
}

function resultItem(result: CheckResult): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.result = result.status;
  const message = document.createElement('p');
  message.className = 'check-message';
  message.textContent = result.message;
  const evidence = document.createElement('p');
  evidence.className = 'check-evidence';
  evidence.textContent = `${result.subject}: expected ${result.expected}; found ${result.actual}`;
  item.append(message, evidence);
  if (result.explanation) {
    const why = document.createElement('p');
    why.className = 'check-why';
    why.textContent = `Why: ${result.explanation}`;
    item.append(why);
  }
  return item;
}

/** A Run button on every command and manifest: it types the command into the terminal. */
function addRunButtons(send: (message: object) => void, term: Terminal): void {
  const add = (host: Element, command: string, where: Element) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'run-button';
    button.textContent = 'Run';
    button.setAttribute('aria-label', `Run in the terminal: ${command}`);
    button.dataset.run = command;
    button.addEventListener('click', () => {
      send({ type: 'run', command });
      term.focus();
    });
    where.before(button);
    host.classList.add('runnable');
  };
  for (const block of document.querySelectorAll<HTMLElement>('.step .command[data-command]')) add(block, block.dataset.command!, block.querySelector('.copy-button')!);
  for (const figure of document.querySelectorAll<HTMLElement>('.step .manifest[data-manifest]')) add(figure, `oc apply -f ${figure.dataset.manifest}`, figure.querySelector('.copy-button')!);
}

function wireButtons(panel: HTMLElement, send: (message: object) => void, stepId: string): void {
  const hints = [...document.querySelectorAll<HTMLDetailsElement>('.hints details')];
  // In the lab, hints come one at a time, on request.
  for (const hint of hints) hint.hidden = true;
  let shown = 0;
  panel.addEventListener('click', (event) => {
    const action = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-lab-action]')?.dataset.labAction;
    if (action === 'check' || action === 'solve') send({ type: action, step: stepId });
    if (action === 'hint' && shown < hints.length) {
      const hint = hints[shown++]!;
      send({ type: 'hint', step: stepId, hint: shown });
      hint.hidden = false;
      hint.open = true;
      hint.scrollIntoView({ block: 'nearest' });
    }
    if (action === 'reset' && confirm('Reset this lesson? You get a fresh cluster and start from the first step; files in your working directory stay.')) send({ type: 'reset' });
  });
}

/** Drag (or arrow keys on) the bar at the terminal's edge to give it more or less room. */
function wireSplitter(panel: HTMLElement): void {
  const bar = panel.querySelector<HTMLElement>('.terminal-resize')!;
  const set = (width: number) => {
    const clamped = Math.min(Math.max(width, 280), innerWidth * 0.7);
    document.body.style.setProperty('--lab-width', `${clamped}px`);
    // The terminal's share of the window, as a separator says its position.
    bar.setAttribute('aria-valuenow', String(Math.round((clamped / innerWidth) * 100)));
  };
  bar.addEventListener('pointerdown', (event) => {
    bar.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) => set(innerWidth - e.clientX);
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', () => bar.removeEventListener('pointermove', move), { once: true });
  });
  bar.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    set(panel.getBoundingClientRect().width + (event.key === 'ArrowLeft' ? 40 : -40));
  });
}
