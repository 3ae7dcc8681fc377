/**
 * A learner's view of the workshop they are in, at the top of the lab panel:
 * who they are (and the rejoin code only they see), the time left, their
 * hand, the instructor's broadcast (dismissable; "follow me" moves the page to
 * the step once), and a banner while the instructor types in their terminal.
 */
import type { LearnerWorkshopState } from '../../lab-server/lab/protocol.ts';

const DISMISSED = 'labpath.broadcast.dismissed';
const FOLLOWED = 'labpath.broadcast.followed';

export interface WorkshopBar {
  show(state: LearnerWorkshopState): void;
}

/** `send`: a control message to the lab; `goto`: the page of a step; `ended`: the learner's time is up (or back). */
export function workshopBar(panel: HTMLElement, stepId: string, send: (message: object) => void, goto: (step: string) => void, ended: (over: boolean) => void): WorkshopBar {
  const bar = element('section', { class: 'workshop-bar', 'data-workshop': '', 'aria-label': 'Workshop' });
  const who = element('p', { class: 'workshop-who' });
  const clock = element('p', { class: 'workshop-clock', 'data-countdown': '', 'aria-live': 'off' });
  const hand = element('div', { class: 'workshop-hand' });
  bar.append(who, clock, hand);
  const takeover = element('p', { class: 'lab-banner lab-banner-takeover', role: 'alert', 'data-takeover-banner': '' }, 'The instructor is typing in your terminal: watch, or type along.');
  takeover.hidden = true;
  panel.prepend(bar, takeover);

  let current: LearnerWorkshopState | undefined;
  let broadcastShown: HTMLElement | undefined;
  let wasEnded = false;
  let handFormOpen = false;
  setInterval(() => current && showClock(current), 1000);

  function showClock(state: LearnerWorkshopState): void {
    const over = state.ended || (state.endsAt !== undefined && Date.now() >= state.endsAt);
    if (over !== wasEnded) ended((wasEnded = over));
    if (state.endsAt === undefined) {
      clock.hidden = true;
      return;
    }
    clock.hidden = false;
    const left = Math.max(0, state.endsAt - Date.now());
    clock.dataset.urgent = String(left < 5 * 60_000);
    clock.textContent = over ? 'The workshop has ended: your terminal no longer takes input.' : `Time left: ${duration(left)}`;
  }

  function showHand(state: LearnerWorkshopState): void {
    if (state.hand) {
      const lower = button('Lower hand', () => send({ type: 'lower-hand' }));
      hand.replaceChildren(element('p', { 'data-hand': 'raised' }, state.hand.message ? `Your hand is up: “${state.hand.message}”` : 'Your hand is up; the instructor has been told.'), lower);
      return;
    }
    const answer = state.answer !== undefined ? element('p', { 'data-hand-answer': '' }, state.answer ? `The instructor answered: “${state.answer}”` : 'The instructor has seen your hand.') : undefined;
    if (handFormOpen) return;
    const raise = button('Raise hand', () => openHandForm());
    hand.replaceChildren(...(answer ? [answer] : []), raise);
  }

  function openHandForm(): void {
    handFormOpen = true;
    const form = element('form', { class: 'hand-form' });
    const input = element('input', { name: 'message', maxlength: '280', 'aria-label': 'What do you need? (optional)', placeholder: 'What do you need? (optional)' }) as HTMLInputElement;
    const cancel = button('Cancel', () => close());
    const submit = element('button', { type: 'submit' }, 'Raise hand');
    form.append(input, submit, cancel);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send({ type: 'raise-hand', message: input.value.trim() });
      close();
    });
    const close = () => {
      handFormOpen = false;
      if (current) showHand(current);
    };
    hand.replaceChildren(form);
    input.focus();
  }

  function showBroadcast(state: LearnerWorkshopState): void {
    const broadcast = state.broadcast;
    if (!broadcast || localStorage.getItem(DISMISSED) === String(broadcast.id)) {
      broadcastShown?.remove();
      broadcastShown = undefined;
      return;
    }
    if (broadcastShown?.dataset.broadcast === String(broadcast.id)) return;
    broadcastShown?.remove();
    const dismiss = button('Dismiss', () => {
      localStorage.setItem(DISMISSED, String(broadcast.id));
      broadcastShown?.remove();
      broadcastShown = undefined;
    });
    broadcastShown = element('div', { class: 'lab-banner lab-banner-broadcast', role: 'status', 'data-broadcast': String(broadcast.id) });
    broadcastShown.append(element('p', {}, `From the instructor: ${broadcast.message}`), dismiss);
    takeover.after(broadcastShown);
    // "Follow me": each broadcast moves a page once, so that coming back to another step is the learner's choice.
    if (broadcast.step && localStorage.getItem(FOLLOWED) !== String(broadcast.id)) {
      localStorage.setItem(FOLLOWED, String(broadcast.id));
      if (broadcast.step !== stepId) goto(broadcast.step);
    }
  }

  return {
    show(state) {
      current = state;
      who.replaceChildren(`${state.workshop} · you are `, element('strong', {}, state.name), ' · rejoin code ', element('code', { 'data-rejoin-code': '' }, state.rejoinCode));
      who.title = 'Your rejoin code takes your seat back from another browser. Keep it to yourself.';
      takeover.hidden = !state.takenOver;
      showClock(state);
      showHand(state);
      showBroadcast(state);
    },
  };
}

function duration(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s).padStart(2, '0')}`;
}

function element(tag: string, attributes: Record<string, string>, text?: string): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const node = element('button', { type: 'button' }, label) as HTMLButtonElement;
  node.addEventListener('click', onClick);
  return node;
}
