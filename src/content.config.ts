import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { lessonSchema, stepSchema } from '../lab-server/lesson/schema.ts';
import { LESSONS_DIR } from './lib/content-root.ts';

/** One entry per lesson folder, from its lesson.yaml; the id is the folder name. */
const lessons = defineCollection({
  loader: glob({ pattern: '*/lesson.yaml', base: LESSONS_DIR, generateId: ({ entry }) => entry.split('/')[0] ?? entry }),
  schema: lessonSchema,
});

/** One entry per step file; the id is `<lesson>/<NN-slug>`, which sorts in lesson order. */
const steps = defineCollection({
  loader: glob({ pattern: '*/steps/*.mdx', base: LESSONS_DIR, generateId: ({ entry }) => entry.replace('/steps/', '/').replace(/\.mdx$/, '') }),
  schema: stepSchema,
});

export const collections = { lessons, steps };
