/**
 * The site's view of lessons: Astro's collections for text and frontmatter, and
 * the lab-server's loaded lesson model for manifests and figures. Both come
 * from the same files and the same schema.
 */
import { join } from 'node:path';
import { getCollection, type CollectionEntry } from 'astro:content';
import { loadLesson, type LoadedLesson } from '../../lab-server/lesson/load.ts';
import type { ManifestSet } from '../../lab-server/lesson/manifests.ts';
import { LESSONS_DIR } from './content-root.ts';

export type LessonEntry = CollectionEntry<'lessons'>;
export type StepEntry = CollectionEntry<'steps'>;

export async function allLessons(): Promise<LessonEntry[]> {
  return (await getCollection('lessons')).sort((a, b) => a.data.title.localeCompare(b.data.title));
}

export async function stepsOf(lessonId: string): Promise<StepEntry[]> {
  const steps = await getCollection('steps', (entry) => entry.id.startsWith(`${lessonId}/`));
  return steps.sort((a, b) => a.id.localeCompare(b.id));
}

/** getStaticPaths for a page per lesson: the lesson id in the URL, the entry as the page's prop. */
export async function lessonPagePaths(): Promise<{ params: { lesson: string }; props: { lesson: LessonEntry } }[]> {
  return (await allLessons()).map((lesson) => ({ params: { lesson: lesson.id }, props: { lesson } }));
}

export function lessonUrl(lessonId: string): string {
  return `/lessons/${lessonId}/`;
}

export function stepUrl(lessonId: string, step: StepEntry): string {
  return `/lessons/${lessonId}/${step.data.id}/`;
}

export interface LessonModel {
  lesson: LoadedLesson;
  manifests: ManifestSet;
}

const models = new Map<string, Promise<LessonModel>>();

/** The validated model of a lesson, loaded once per build. */
export function lessonModel(lessonId: string): Promise<LessonModel> {
  let model = models.get(lessonId);
  if (!model) {
    model = loadLesson(join(LESSONS_DIR, lessonId)).then(({ lesson, manifests, diagnostics }) => {
      if (!lesson) throw new Error(`lesson ${lessonId} did not load: ${diagnostics.map((d) => d.message).join('; ')}`);
      return { lesson, manifests };
    });
    models.set(lessonId, model);
  }
  return model;
}

export const PERSONA_LABELS: Record<string, string> = {
  'cluster-admin': 'Cluster admin',
  developer: 'Developer',
};
