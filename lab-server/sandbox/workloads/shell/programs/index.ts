import type { Program } from '../program.ts';
import { cat, echo, env, falseProgram, hostname, sleep, trueProgram, whoami } from './basic.ts';
import { curl, ip, nc, ping } from './net.ts';
import { psql } from './psql.ts';

/** Every program a simulated machine may have; which ones it has is the machine's `installed` set. */
export const PROGRAMS: Record<string, Program> = { echo, env, hostname, true: trueProgram, false: falseProgram, sleep, cat, whoami, ip, ping, nc, ncat: nc, curl, psql };

/** What a pod's container has: everything the lessons use. */
export const CONTAINER_PROGRAMS = new Set(Object.keys(PROGRAMS));
