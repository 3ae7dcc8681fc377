/**
 * A learner as the console draws them: a tile (with the hooks tests and
 * scripts read: data-learner, data-step-id, data-status, data-attention) and
 * a table row, from the same view. Time on step is worked out here from the
 * view's open interval, so it runs on between updates.
 */
import type { LearnerView, WorkshopView } from '../../lab-server/workshop/console-feed.ts';

const STATUS_TEXT: Record<LearnerView['status'], string> = { pending: 'checking', passed: 'passed', failing: 'failing' };

/** Time on the current step, at the console's clock (`skew`: server clock minus the console's). */
export function timeOnStep(view: LearnerView, skew: number): number {
  return view.stepTimeMs + (view.stepOpenSince !== undefined ? Math.max(0, Date.now() + skew - view.stepOpenSince) : 0);
}

/** Time on step against its estimate: 1 is on time. */
export function lag(view: LearnerView, skew: number): number {
  // A learner whose step has passed is not held up by it, however long they stay.
  return view.estimateMs && view.status !== 'passed' ? timeOnStep(view, skew) / view.estimateMs : 0;
}

export function minutes(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function stepLabel(view: LearnerView, workshop: WorkshopView): string {
  const step = workshop.steps.find((s) => s.id === view.stepId);
  return step ? `Step ${step.number}/${workshop.steps.length}: ${step.title}` : 'Not on a step yet';
}

export function renderTile(tile: HTMLElement, view: LearnerView, workshop: WorkshopView, skew: number): void {
  tile.dataset.learner = view.name;
  tile.dataset.stepId = view.stepId ?? '';
  tile.dataset.status = view.status;
  tile.dataset.connected = String(view.connected);
  if (view.attention.length > 0) tile.dataset.attention = view.attention.join(' · ');
  else delete tile.dataset.attention;
  if (view.hand) tile.dataset.hand = 'raised';
  else delete tile.dataset.hand;
  const estimate = view.estimateMs ? ` of about ${Math.round(view.estimateMs / 60_000)} min` : '';
  const parts: (Node | string)[] = [
    node('h3', { class: 'tile-name' }, [node('span', { class: 'tile-dot', title: view.connected ? 'connected' : 'not connected', 'aria-hidden': 'true' }, []), view.name, node('span', { class: 'visually-hidden' }, [view.connected ? ' (connected)' : ' (not connected)'])]),
    node('p', { class: 'tile-step' }, [stepLabel(view, workshop)]),
    node('p', { class: 'tile-status' }, [node('strong', {}, [STATUS_TEXT[view.status]]), ` · `, node('span', { 'data-time-on-step': '' }, [minutes(timeOnStep(view, skew))]), estimate]),
  ];
  if (view.message) parts.push(node('p', { class: 'tile-message' }, [view.message]));
  const bar = node('progress', { max: String(workshop.steps.length), value: String(view.passed), 'aria-label': `${view.passed} of ${workshop.steps.length} steps passed` }, []);
  parts.push(node('p', { class: 'tile-progress' }, [bar, ` ${view.passed}/${workshop.steps.length} · hints ${view.hints} · solves ${view.solves}${view.clusterSeat ? ` · seat ${view.clusterSeat}` : ''}`]));
  if (view.hand) parts.push(node('p', { class: 'tile-hand' }, [`Hand raised${view.hand.message ? `: “${view.hand.message}”` : ''}`]));
  for (const reason of view.attention) parts.push(node('p', { class: 'tile-attention' }, [reason]));
  if (view.takenOver) parts.push(node('p', { class: 'tile-takeover' }, ['You are typing in this terminal']));
  if (view.ended) parts.push(node('p', { class: 'tile-ended' }, ['Time is up']));
  const watch = node('button', { type: 'button', 'data-watch': view.name }, ['Watch']);
  parts.push(watch);
  tile.replaceChildren(...parts);
}

export function renderRow(row: HTMLTableRowElement, view: LearnerView, workshop: WorkshopView, skew: number): void {
  // Not the tiles' hooks: [data-learner="NAME"] names one element, the learner's tile.
  row.dataset.learnerRow = view.name;
  if (view.attention.length > 0) row.dataset.rowAttention = view.attention.join(' · ');
  else delete row.dataset.rowAttention;
  const cells = [
    node('th', { scope: 'row' }, [node('button', { type: 'button', 'data-watch': view.name, class: 'link-button' }, [view.name])]),
    node('td', {}, [view.connected ? 'yes' : 'no']),
    node('td', {}, [view.stepNumber ? String(view.stepNumber) : '–']),
    node('td', {}, [STATUS_TEXT[view.status], ...(view.message ? [node('br', {}, []), node('small', {}, [view.message])] : [])]),
    node('td', {}, [`${view.passed}/${workshop.steps.length}`]),
    node('td', { 'data-time-on-step': '' }, [`${minutes(timeOnStep(view, skew))}${view.estimateMs ? ` / ${Math.round(view.estimateMs / 60_000)}:00` : ''}`]),
    node('td', {}, [`${view.hints} / ${view.solves}`]),
    node('td', {}, [[view.hand ? 'hand raised' : '', ...view.attention].filter(Boolean).join(' · ') || '–']),
  ];
  row.replaceChildren(...cells);
}

export type SortKey = 'name' | 'step' | 'progress' | 'lag';

export function compareBy(key: SortKey, skew: number): (a: LearnerView, b: LearnerView) => number {
  switch (key) {
    case 'name':
      return (a, b) => a.name.localeCompare(b.name);
    case 'step':
      return (a, b) => (a.stepNumber ?? 0) - (b.stepNumber ?? 0) || a.name.localeCompare(b.name);
    case 'progress':
      return (a, b) => a.passed - b.passed || a.name.localeCompare(b.name);
    case 'lag':
      return (a, b) => lag(b, skew) - lag(a, skew) || a.name.localeCompare(b.name);
  }
}

function node(tag: string, attributes: Record<string, string>, children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
