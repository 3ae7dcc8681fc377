/**
 * What the instructor can do, as actions with checked bodies: seats, more
 * time, a broadcast (and "follow me"), lifting a gate, answering a hand,
 * resetting a learner's cluster (to the start of a step). Each is recorded
 * in the log; a bad body or a learner who is not there gets a sentence that
 * says what to send instead.
 */
import { z } from 'zod';
import type { WorkshopRoom } from './workshop-room.ts';

const stepId = z.string().regex(/^[a-z0-9-]{1,64}$/, { error: 'a step id: lowercase letters, digits and "-"' });
const learnerName = z.string().trim().min(1).max(40);

const ACTIONS = {
  seats: z.strictObject({ seats: z.int().min(1).max(10_000) }),
  extend: z.strictObject({ minutes: z.int().min(1).max(24 * 60), learner: learnerName.optional() }),
  broadcast: z.strictObject({ message: z.string().trim().min(1, { error: 'write the message to show' }).max(500), step: stepId.optional() }),
  unlock: z.strictObject({ step: stepId, learner: learnerName.optional() }),
  answer: z.strictObject({ learner: learnerName, message: z.string().trim().max(500).default('') }),
  reset: z.strictObject({ learner: learnerName, step: stepId.optional() }),
} as const;

export type InstructorAction = keyof typeof ACTIONS;

export const isInstructorAction = (name: string): name is InstructorAction => Object.hasOwn(ACTIONS, name);

export interface ActionReply {
  status: number;
  body: Record<string, unknown>;
}

const refuse = (status: number, error: string): ActionReply => ({ status, body: { error } });

export async function runAction(room: WorkshopRoom, action: InstructorAction, raw: unknown): Promise<ActionReply> {
  const parsed = ACTIONS[action].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(400, `bad body for ${action}${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}`);
  }
  const body = parsed.data as Record<string, unknown>;
  const { workshop } = room;
  const steps = workshop.lesson.steps.map((s) => s.step.id);
  if (typeof body.step === 'string' && !steps.includes(body.step)) return refuse(404, `lesson ${workshop.lesson.lesson.id} has no step "${body.step}"; its steps: ${steps.join(', ')}`);
  let serial: number | undefined;
  if (typeof body.learner === 'string') {
    const seat = workshop.seatByName(body.learner);
    if (!seat) return refuse(404, `nobody has joined as "${body.learner}"; learners: ${workshop.seats().map((s) => s.name).join(', ') || 'none yet'}`);
    serial = seat.learner;
  }
  return (HANDLERS[action] as Handler<InstructorAction>)(room, parsed.data as never, serial);
}

type Bodies = { [A in InstructorAction]: z.infer<(typeof ACTIONS)[A]> };
/** `serial`: the learner the body names (the schema requires one where a handler needs it). */
type Handler<A extends InstructorAction> = (room: WorkshopRoom, body: Bodies[A], serial: number | undefined) => ActionReply | Promise<ActionReply>;

const by = 'instructor' as const;

const HANDLERS: { [A in InstructorAction]: Handler<A> } = {
  seats({ workshop }, { seats }) {
    const taken = workshop.seats().length;
    if (seats < taken) return refuse(409, `${taken} learners already hold seats, so the workshop cannot have fewer than ${taken}`);
    workshop.setSeats(seats);
    return { status: 200, body: { seats } };
  },
  extend({ workshop }, { minutes }, serial) {
    return { status: 200, body: { endsAt: new Date(workshop.extend(minutes, serial)).toISOString() } };
  },
  async broadcast(room, { message, step }) {
    const event = room.workshop.record(undefined, 'broadcast', { detail: { by, message, ...(step ? { toStep: step } : {}) } });
    // "Follow me" opens the step for everyone: nobody is sent to a step that would hold them out.
    if (step) await room.progressChanged();
    return { status: 200, body: { id: event.id } };
  },
  async unlock(room, { step }, serial) {
    room.workshop.record(serial, 'unlocked', { stepId: step, detail: { by } });
    await room.progressChanged(serial === undefined ? undefined : [serial]);
    return { status: 200, body: { unlocked: room.workshop.stepsBefore(step) } };
  },
  answer({ workshop }, { learner, message }, serial) {
    if (!workshop.ledger(serial!).hand) return refuse(409, `${learner} has no hand raised`);
    workshop.record(serial, 'answered-hand', { detail: { by, message } });
    return { status: 200, body: {} };
  },
  async reset(room, { step }, serial) {
    const learner = room.learner(serial!)!;
    const runtime = await room.lab.open(learner);
    const problem = runtime.reset({ toStep: step, byInstructor: true });
    if (problem) return refuse(409, problem);
    // The new cluster is being made (and brought to the step); the console shows when it is there.
    return { status: 202, body: { resetting: step ?? room.workshop.lesson.steps[0]!.step.id } };
  },
};
