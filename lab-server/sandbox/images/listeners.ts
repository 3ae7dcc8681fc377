/** What listens in a pod: each container's program, on the port and address its image and environment say. */
import { getPath, type KubeObject } from '../../k8s/object.ts';
import { findImage, type KnownImage } from './catalogue.ts';

export interface PodListener {
  container: string;
  image: KnownImage;
  port: number;
  /** 0.0.0.0 for all addresses. */
  address: string;
}

export function podListeners(pod: KubeObject): PodListener[] {
  const containers = getPath(pod, ['spec', 'containers']);
  return (Array.isArray(containers) ? containers : []).flatMap((c) => {
    const image = findImage(String(getPath(c, ['image'])));
    if (!image?.listens) return [];
    const env = (name: string | undefined) => {
      const entry = (getPath(c, ['env']) as unknown[] | undefined)?.find((e) => getPath(e, ['name']) === name);
      return typeof getPath(entry, ['value']) === 'string' ? String(getPath(entry, ['value'])) : undefined;
    };
    const fromEnv = Number(env(image.listens.env));
    const port = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : image.listens.default;
    return [{ container: String(getPath(c, ['name'])), image, port, address: env(image.listens.bindEnv) ?? '0.0.0.0' }];
  });
}
