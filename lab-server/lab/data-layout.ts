/**
 * Where a lab keeps each learner's things under its data directory, by the
 * learner's folder id: their own files (learners/), the lab's files for their
 * shell (shell-files/), and what is the lab's alone (private/: scrollback,
 * the checks' kubeconfig, the image that caps their folder). One folder per
 * lesson in each.
 */
import { join } from 'node:path';
import type { WorkspacePaths } from './lesson-workspace.ts';

export function learnerDirs(dataDir: string, folder: string): WorkspacePaths {
  return { folder: join(dataDir, 'learners', folder), tools: join(dataDir, 'shell-files', folder), private: join(dataDir, 'private', folder) };
}

export function lessonPaths(dataDir: string, folder: string, lessonId: string): WorkspacePaths {
  const dirs = learnerDirs(dataDir, folder);
  return { folder: join(dirs.folder, lessonId), tools: join(dirs.tools, lessonId), private: join(dirs.private, lessonId) };
}

/** The filesystem image mounted on a learner's folder, where folders are capped. */
export function folderImage(dataDir: string, folder: string): string {
  return join(learnerDirs(dataDir, folder).private, 'folder.ext4');
}
