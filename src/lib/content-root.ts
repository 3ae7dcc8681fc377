import { resolve } from 'node:path';

/**
 * Where lessons live. astro.config.mjs sets LABPATH_CONTENT to content/lessons/;
 * setting it beforehand points the site at another lessons folder, which lets
 * tests build a site from a broken lesson and watch the build fail.
 */
export const LESSONS_DIR = resolve(process.env.LABPATH_CONTENT ?? 'content/lessons');
