/**
 * The lab's WebSocket protocol. Binary frames carry terminal bytes both ways;
 * text frames carry small JSON control messages, checked here so that a
 * malformed one gets an error message back, never a crash.
 */
import { z } from 'zod';
import type { CheckResult } from '../checks/check-result.ts';
import type { StepStatus } from './session-store.ts';

/** Larger frames are refused by the socket itself (ws maxPayload). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const stepId = z.string().regex(/^[a-z0-9-]{1,64}$/, { error: 'a step id: lowercase letters, digits and "-"' });

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('resize'), cols: z.int().min(10).max(1000), rows: z.int().min(3).max(500) }),
  /** Types a command into the terminal and runs it, as the learner would. */
  z.strictObject({ type: z.literal('run'), command: z.string().min(1).max(8192).refine((c) => !/[\r\n]/.test(c.trimEnd()), { error: 'one command line, without line breaks' }) }),
  /** The step the page shows: its checks are watched and their results sent. */
  z.strictObject({ type: z.literal('watch'), step: stepId }),
  z.strictObject({ type: z.literal('check'), step: stepId }),
  z.strictObject({ type: z.literal('solve'), step: stepId }),
  z.strictObject({ type: z.literal('reset') }),
  /** The learner opened the nth hint of a step (counted for the workshop's console). */
  z.strictObject({ type: z.literal('hint'), step: stepId, hint: z.int().min(1).max(50) }),
  /** In a workshop: a raised hand, with what the learner wants to say. */
  z.strictObject({ type: z.literal('raise-hand'), message: z.string().trim().max(280, { error: 'a hand\'s message is at most 280 characters' }).default('') }),
  z.strictObject({ type: z.literal('lower-hand') }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** One lesson probe, live: connected, dropped, refused, or not possible yet (its source is not running). */
export interface ProbeState {
  id: string;
  state: 'allowed' | 'denied' | 'refused' | 'unavailable';
  detail: string;
}

/** What a learner's page shows of the workshop they are in. */
export interface LearnerWorkshopState {
  workshop: string;
  name: string;
  /** Shown to the learner alone: it lets them take their seat from another browser. */
  rejoinCode: string;
  /** Milliseconds since the epoch, when the workshop has an end. */
  endsAt: number | undefined;
  ended: boolean;
  hand: { message: string; at: number } | undefined;
  /** The instructor's answer to the learner's last hand. */
  answer: string | undefined;
  /** The instructor is typing in this learner's terminal. */
  takenOver: boolean;
  broadcast: { id: number; message: string; step: string | undefined } | undefined;
}

export type ServerMessage =
  /** `unlocked`: steps the learner may open though gating would hold them (the instructor lifted their gate). */
  | { type: 'ready'; lesson: string; gating: boolean; progress: Record<string, StepStatus>; unlocked: string[]; workshop?: LearnerWorkshopState }
  | { type: 'step'; step: string; status: StepStatus; results: CheckResult[] }
  | { type: 'progress'; progress: Record<string, StepStatus>; unlocked: string[] }
  | { type: 'workshop'; workshop: LearnerWorkshopState }
  /** The page should show this step (a reset brought the cluster there). */
  | { type: 'goto'; step: string }
  | { type: 'probes'; probes: ProbeState[] }
  /** The shell ended; the next starts in restartInMs. `reason`: what the shell said when it failed to start. */
  | { type: 'terminal-exit'; code: number; restartInMs: number; reason?: string }
  | { type: 'reset'; progress: Record<string, StepStatus>; unlocked: string[] }
  | { type: 'error'; message: string };

/** A text frame as a client message, or what is wrong with it in one sentence. */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'a control message is JSON, e.g. {"type":"resize","cols":100,"rows":30}' };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, error: `bad control message${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}` };
}
