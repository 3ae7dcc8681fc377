import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LESSON_ID = 'localnet-microsegmentation';
export const LESSON_DIR = fileURLToPath(new URL(`../../content/lessons/${LESSON_ID}/`, import.meta.url));
export const ARTICLE_FIXTURE = fileURLToPath(new URL('../fixtures/article-manifests/', import.meta.url));
export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
export const CLI = fileURLToPath(new URL('../../lab-server/cli/labpath.ts', import.meta.url));
