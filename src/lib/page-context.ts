/**
 * MDX components such as <Manifest file="…" /> need to know which lesson they
 * sit in without the author repeating it. The step page records it in
 * Astro.locals, which every component rendered for that page shares.
 */
export function setCurrentLesson(locals: App.Locals, lessonId: string): void {
  (locals as { lessonId?: string }).lessonId = lessonId;
}

export function currentLesson(locals: App.Locals): string {
  const id = (locals as { lessonId?: string }).lessonId;
  if (!id) throw new Error('a lesson component was rendered outside a lesson page');
  return id;
}
