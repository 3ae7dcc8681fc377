/** A learner working through the lesson on their page's socket, as the Solve and Check buttons do; how long each Check took to answer. */
import type { ServerMessage } from '../../lab-server/lab/protocol.ts';
import type { LabSocket } from '../helpers/lab.ts';

const STEP_TIMEOUT_MS = 300_000;

export interface WalkStep {
  id: string;
  solve: boolean;
  checks: boolean;
}

type StepMessage = Extract<ServerMessage, { type: 'step' }>;

/** `pause`: a learner's think time before each action (none: at once); `passed`: called as each step passes. */
export async function walkLesson(socket: LabSocket, steps: readonly WalkStep[], on: { checked(step: string, ms: number): void; passed?: (step: string) => void; pause?: () => Promise<void> }): Promise<void> {
  for (const step of steps) {
    socket.send({ type: 'watch', step: step.id });
    await on.pause?.();
    if (step.solve) socket.send({ type: 'solve', step: step.id });
    await socket.waitForStep(step.id, 'passed', STEP_TIMEOUT_MS);
    on.passed?.(step.id);
    if (!step.checks) continue;
    await on.pause?.();
    // What a learner waits for after pressing Check on a step that is done.
    const seen = socket.messages.length;
    const started = performance.now();
    socket.send({ type: 'check', step: step.id });
    await socket.waitForMessage((m): m is StepMessage => socket.messages.indexOf(m) >= seen && m.type === 'step' && m.step === step.id, `the answer to Check on ${step.id}`, STEP_TIMEOUT_MS);
    on.checked(step.id, performance.now() - started);
  }
}
