import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so the CLI works from any cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LESSONS_ROOT = fileURLToPath(new URL('../../content/lessons/', import.meta.url));
