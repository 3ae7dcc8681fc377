/**
 * The instructor's console in the browser: the lab's live feed drawn as tiles
 * and a sortable table, the workshop's controls (broadcast, unlock, time,
 * seats) and, for the learner picked, their terminal and the actions on
 * them. Every action is a POST to the console's API; its answer (or what is
 * wrong) is shown in the notice line.
 */
import type { ConsoleMessage, LearnerView, WorkshopView } from '../../lab-server/workshop/console-feed.ts';
import { compareBy, minutes, renderRow, renderTile, timeOnStep, type SortKey } from './console-render.ts';
import { watchTerminal, type Watch } from './watch-terminal.ts';

const RECONNECT_MS = [500, 1000, 2000, 5000];

export function startConsole(root: HTMLElement): void {
  const $ = <T extends Element = HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
  const tiles = $('[data-tiles]');
  const table = $<HTMLTableElement>('[data-table]');
  const detail = $('[data-detail]');
  const notice = $('[data-console-notice]');
  const learners = new Map<string, LearnerView>();
  const tileOf = new Map<string, HTMLElement>();
  let workshop: WorkshopView | undefined;
  /** The server's clock minus this one's: time on step is counted on the server's. */
  let skew = 0;
  let sort: SortKey = 'name';
  let selected: string | undefined;
  let watch: Watch | undefined;
  let attempt = 0;

  const say = (text: string, problem = false) => {
    notice.hidden = false;
    notice.textContent = text;
    notice.dataset.problem = String(problem);
  };

  async function act(action: string, body: object): Promise<Record<string, unknown> | undefined> {
    const res = await fetch(`/instructor/api/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
    const reply = (await res?.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!res || !res.ok) {
      say(`${action}: ${String(reply?.error ?? 'the lab did not answer')}`, true);
      return undefined;
    }
    return reply ?? {};
  }

  function connect(): void {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/instructor/ws`);
    socket.onopen = () => (attempt = 0);
    socket.onmessage = (event) => receive(JSON.parse(event.data as string) as ConsoleMessage);
    socket.onclose = () => {
      const wait = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]!;
      $('[data-console-summary]').textContent = `The connection to the lab closed; trying again in ${wait / 1000} s…`;
      setTimeout(connect, wait);
    };
  }

  function receive(message: ConsoleMessage): void {
    skew = message.now - Date.now();
    if (message.type === 'snapshot') {
      showWorkshop(message.workshop);
      learners.clear();
      for (const view of message.learners) learners.set(view.name, view);
      for (const tile of tileOf.values()) tile.remove();
      tileOf.clear();
      for (const view of message.learners) showLearner(view);
      renderTable();
      return;
    }
    if (message.type === 'workshop') return showWorkshop(message.workshop);
    learners.set(message.learner.name, message.learner);
    showLearner(message.learner);
    renderTable();
  }

  function showWorkshop(view: WorkshopView): void {
    const first = workshop === undefined;
    workshop = view;
    $('[data-console-title]').textContent = `${view.name}: instructor console`;
    const ends = view.endsAt ? `; ends ${new Date(view.endsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : '';
    $('[data-console-summary]').textContent = `${view.lesson.title} · ${view.taken} of ${view.seats} seats taken${ends}${view.clusterSeats !== undefined ? ` · a real cluster per learner (${view.clusterSeats} usable)` : ''}${view.sharedCluster ? ' · every learner shares ONE real cluster: cluster-wide steps affect everyone' : ''}`;
    const join = $('[data-console-join]');
    join.hidden = false;
    join.replaceChildren('Learners join at ', link(`${location.origin}/join?code=${encodeURIComponent(view.joinCode)}`), ` (join code ${view.joinCode})`);
    $('[data-console-tools]').hidden = false;
    $('[data-console-views]').hidden = false;
    if (first) {
      for (const select of root.querySelectorAll<HTMLSelectElement>('[data-step-options]')) {
        const blank = select.dataset.blank;
        select.replaceChildren(...(blank ? [new Option(blank, '')] : []), ...view.steps.map((s) => new Option(`${s.number}. ${s.title}`, s.id)));
      }
      $<HTMLInputElement>('[data-seats-input]').value = String(view.seats);
    }
  }

  function showLearner(view: LearnerView): void {
    let tile = tileOf.get(view.name);
    if (!tile) {
      tile = document.createElement('article');
      tile.className = 'learner-tile';
      tile.tabIndex = 0;
      tile.setAttribute('aria-label', view.name);
      tileOf.set(view.name, tile);
      const sorted = [...learners.values()].sort(compareBy('name', skew));
      const next = sorted[sorted.indexOf(view) + 1];
      tiles.insertBefore(tile, (next && tileOf.get(next.name)) ?? null);
    }
    renderTile(tile, view, workshop!, skew);
    if (selected === view.name) showDetail(view);
  }

  function renderTable(): void {
    if (table.hidden || !workshop) return;
    const body = table.tBodies[0]!;
    const rows = [...learners.values()].sort(compareBy(sort, skew)).map((view) => {
      const row = document.createElement('tr');
      renderRow(row, view, workshop!, skew);
      return row;
    });
    body.replaceChildren(...rows);
  }

  function select(name: string): void {
    const view = learners.get(name);
    if (!view) return;
    if (selected !== name) {
      watch?.close();
      selected = name;
      watch = watchTerminal($('[data-watch-terminal]'), name, (active) => showTakeover(active), (text) => say(text, true));
    }
    detail.hidden = false;
    showDetail(view);
  }

  function showTakeover(active: boolean): void {
    $('[data-takeover-state]').hidden = !active;
    const button = $<HTMLButtonElement>('[data-act="takeover"]');
    button.textContent = active ? 'Give the terminal back' : 'Take over the terminal';
    button.dataset.active = String(active);
  }

  function showDetail(view: LearnerView): void {
    $('[data-detail-name]').textContent = view.name;
    const step = workshop?.steps.find((s) => s.id === view.stepId);
    $('[data-detail-status]').textContent = `${step ? `Step ${step.number}: ${step.title}` : 'Not on a step yet'} · ${view.status}${view.message ? ` · ${view.message}` : ''} · ${view.connected ? 'connected' : 'not connected'}`;
    const answer = $<HTMLFormElement>('[data-answer-form]');
    answer.hidden = !view.hand;
    $('[data-hand-text]').textContent = view.hand ? `Hand raised${view.hand.message ? `: “${view.hand.message}”` : ''}` : '';
  }

  function closeDetail(): void {
    watch?.close();
    watch = undefined;
    selected = undefined;
    detail.hidden = true;
    showTakeover(false);
  }

  // Time on step runs on between updates.
  setInterval(() => {
    for (const [name, tile] of tileOf) {
      const view = learners.get(name);
      const time = tile.querySelector('[data-time-on-step]');
      if (view && time) time.textContent = minutes(timeOnStep(view, skew));
    }
    if (sort === 'lag') renderTable();
  }, 1000);

  root.addEventListener('click', (event) => {
    const target = event.target as Element;
    const watchName = target.closest<HTMLElement>('[data-watch]')?.dataset.watch ?? (target.closest('button, a, input, select') ? undefined : target.closest<HTMLElement>('.learner-tile')?.dataset.learner);
    if (watchName) return select(watchName);
    const view = target.closest<HTMLButtonElement>('[data-view]')?.dataset.view;
    if (view) {
      for (const button of root.querySelectorAll<HTMLButtonElement>('[data-view]')) button.setAttribute('aria-pressed', String(button.dataset.view === view));
      tiles.hidden = view !== 'tiles';
      table.hidden = view !== 'table';
      return renderTable();
    }
    const sortKey = target.closest<HTMLButtonElement>('[data-sort]')?.dataset.sort as SortKey | undefined;
    if (sortKey) {
      sort = sortKey;
      for (const th of table.tHead!.querySelectorAll('th')) th.removeAttribute('aria-sort');
      target.closest('th')!.setAttribute('aria-sort', sortKey === 'lag' ? 'descending' : 'ascending');
      return renderTable();
    }
    if (target.closest('[data-detail-close]')) return closeDetail();
    const action = target.closest<HTMLButtonElement>('[data-act]');
    if (action && selected) void learnerAction(action, selected);
  });

  root.addEventListener('keydown', (event) => {
    const tile = (event.target as Element).closest<HTMLElement>('.learner-tile');
    if (tile && (event.key === 'Enter' || event.key === ' ') && event.target === tile) {
      event.preventDefault();
      select(tile.dataset.learner!);
    }
  });

  async function learnerAction(button: HTMLButtonElement, name: string): Promise<void> {
    const view = learners.get(name)!;
    switch (button.dataset.act) {
      case 'takeover': {
        const active = button.dataset.active === 'true';
        if (!active && !confirm(`Type in ${name}'s terminal? They see a banner while you do, and can type too.`)) return;
        watch?.takeOver(!active);
        return;
      }
      case 'unlock-next': {
        const index = workshop!.steps.findIndex((s) => s.id === view.stepId);
        const next = workshop!.steps[index + 1];
        if (!next) return say(`${name} is on the last step: there is no next step to unlock.`, true);
        if (await act('unlock', { learner: name, step: next.id })) say(`${name} may open step ${next.number} now.`);
        return;
      }
      case 'extend':
        if (await act('extend', { learner: name, minutes: 10 })) say(`${name} has 10 more minutes.`);
        return;
      case 'reset':
        if (!confirm(`Give ${name} a fresh cluster? Their progress starts over; their files stay.`)) return;
        if (await act('reset', { learner: name })) say(`${name}'s cluster is being made anew.`);
        return;
      case 'reset-to': {
        const step = $<HTMLSelectElement>('[data-reset-step]').value;
        const title = workshop!.steps.find((s) => s.id === step)?.title ?? step;
        if (!confirm(`Give ${name} a fresh cluster brought to the start of “${title}”? The solutions of the steps before it run for them.`)) return;
        if (await act('reset', { learner: name, step })) say(`${name}'s cluster is being brought to the start of “${title}”; the tile shows when it is there.`);
        return;
      }
    }
  }

  root.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    event.preventDefault();
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? '').trim();
    if (form.matches('[data-answer-form]')) {
      if (selected) void act('answer', { learner: selected, message: value('message') }).then((ok) => ok && (form.reset(), say(`Answered ${selected}.`)));
      return;
    }
    switch (form.dataset.form) {
      case 'broadcast':
        void act('broadcast', { message: value('message'), ...(value('step') ? { step: value('step') } : {}) }).then((ok) => ok && (form.reset(), say('Sent to every learner.')));
        break;
      case 'unlock':
        void act('unlock', { step: value('step') }).then((ok) => ok && say('Opened for everyone.'));
        break;
      case 'extend':
        void act('extend', { minutes: Number(value('minutes')) }).then((ok) => ok && say(`The workshop now ends at ${new Date(String(ok.endsAt)).toLocaleTimeString()}.`));
        break;
      case 'seats':
        void act('seats', { seats: Number(value('seats')) }).then((ok) => ok && say(`The workshop has ${String(ok.seats)} seats.`));
        break;
    }
  });

  connect();
}

function link(href: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = href;
  return a;
}
