/**
 * What answers HTTP inside the sandbox: the turtle adapter (which reads the
 * turtles table from the database its environment names, through the network
 * model like any client) and nginx. Logs go to the container's log. Asked by
 * curl in a workload and by port-forward alike.
 */
import { getPath, type KubeObject } from '../../k8s/object.ts';
import { canReach } from '../network/reachability.ts';
import { findImage } from '../images/catalogue.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { postgresAt, runQuery } from './shell/database.ts';

/** Who asks: the cluster to look things up in, and a wait the asker may cut short (Ctrl-C in curl). */
export interface HttpClient {
  cluster: ClusterView;
  sleep(ms: number): Promise<boolean>;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** How long the adapter waits for its database before answering 500. */
const ADAPTER_DB_TIMEOUT_MS = 5000;

function podAt(cluster: ClusterView, host: string): KubeObject | undefined {
  return cluster.store.list('/pods').find((pod) => {
    const status = pod.metadata.annotations?.['k8s.v1.cni.cncf.io/network-status'] ?? '';
    return getPath(pod, ['status', 'podIP']) === host || status.includes(`"${host}"`);
  });
}

export async function httpResponse(client: HttpClient, host: string, path: string, maxTimeSeconds?: number): Promise<HttpResponse | 'interrupted'> {
  const pod = podAt(client.cluster, host);
  return pod ? podHttpResponse(client, pod, path, maxTimeSeconds) : { status: 404, body: '' };
}

/** What the pod's HTTP service answers for a path. */
export async function podHttpResponse(client: HttpClient, pod: KubeObject, path: string, maxTimeSeconds?: number): Promise<HttpResponse | 'interrupted'> {
  const container = ((getPath(pod, ['spec', 'containers']) as unknown[] | undefined) ?? []).find((c) => findImage(String(getPath(c, ['image']))));
  const image = findImage(String(getPath(container, ['image']) ?? ''));
  if (image?.image.includes('rust-turtle-viewer')) return turtleViewer(client, pod, container, path, maxTimeSeconds);
  if (image?.image.includes('nginx')) return nginx(path);
  return { status: 404, body: '' };
}

async function turtleViewer(client: HttpClient, pod: KubeObject, container: unknown, path: string, maxTimeSeconds?: number): Promise<HttpResponse | 'interrupted'> {
  const env = Object.fromEntries(((getPath(container, ['env']) as unknown[] | undefined) ?? []).map((e) => [String(getPath(e, ['name'])), String(getPath(e, ['value']) ?? '')]));
  const { cluster } = client;
  const namespace = pod.metadata.namespace ?? 'default';
  const log = (line: string) => cluster.logs.append(namespace, pod.metadata.name, String(getPath(container, ['name'])), `${new Date().toISOString()} ${line}`);
  log(`GET ${path}`);
  const dbHost = env.DB_IP ?? '';
  const decision = canReach(cluster, { namespace, pod: pod.metadata.name }, { host: dbHost, port: 5432 });
  if (decision.outcome !== 'connected') {
    if (decision.outcome === 'timeout') {
      const wait = Math.min(ADAPTER_DB_TIMEOUT_MS, (maxTimeSeconds ?? Infinity) * 1000);
      if (!(await client.sleep(wait))) return 'interrupted';
    }
    const why = decision.outcome === 'timeout' ? 'connection timed out' : decision.outcome === 'refused' ? 'connection refused' : 'the adapter cannot open connections';
    log(`ERROR failed to connect to the database ${env.DB_NAME ?? ''} at ${dbHost}:5432 as ${env.DB_USER ?? ''}: ${why}`);
    return { status: 500, body: `error: cannot reach the database ${env.DB_NAME ?? ''} at ${dbHost}:5432: ${why}\n` };
  }
  const service = postgresAt(cluster, dbHost, 5432);
  if (!service || service.user !== env.DB_USER || service.password !== env.DB_PASSWORD || service.database !== env.DB_NAME) {
    log(`ERROR database login failed for user ${env.DB_USER ?? ''} on ${env.DB_NAME ?? ''}`);
    return { status: 500, body: `error: the database refused the login for user "${env.DB_USER ?? ''}" on database "${env.DB_NAME ?? ''}"\n` };
  }
  const result = runQuery(service, 'SELECT * FROM turtles ORDER BY id');
  if (!result.ok) return { status: 500, body: `error: ${result.error}\n` };
  log(`served ${result.rows.length} turtles`);
  const turtles = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
  return { status: 200, body: `${JSON.stringify(turtles, null, 2)}\n` };
}

/** nginx's default site: the welcome page at / and /index.html, its 404 page elsewhere. */
function nginx(path: string): HttpResponse {
  const file = path.split('?')[0];
  if (file === '/' || file === '/index.html') return { status: 200, body: '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n' };
  return { status: 404, body: '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n' };
}
