/**
 * A running sandbox: one HTTPS API server hosting any number of clusters, each
 * reached with its own bearer token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Environment } from '../lesson/schema.ts';
import { Cluster } from './cluster.ts';
import { startApiServer, type RunningApiServer } from './api/server.ts';
import { authenticate } from './api/authentication.ts';
import { generateCertificates, type ServingCertificates } from './tls/certificates.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { SqliteState } from './store/sqlite-state.ts';

export interface SandboxHostOptions {
  port?: number;
  host?: string;
  certificates?: ServingCertificates;
  /** A SQLite file that keeps certificates, clusters and objects across restarts. */
  statePath?: string;
}

export interface ClusterHandle {
  cluster: Cluster;
  token: string;
  kubeconfig: string;
}

/**
 * A cluster's service account tokens are signed with a key derived from its
 * own token: they stay valid across restarts, and open no other cluster.
 */
function clusterOptions(certificates: ServingCertificates, token: string) {
  return { caCert: certificates.caCert, tokenSecret: createHash('sha256').update(`service-account-signing\0${token}`).digest() };
}

export class SandboxHost {
  private readonly clusters = new Map<string, Cluster>();
  private readonly server: RunningApiServer;
  private readonly state: SqliteState | undefined;
  readonly certificates: ServingCertificates;

  private constructor(server: RunningApiServer, certificates: ServingCertificates, clusters: Map<string, Cluster>, state: SqliteState | undefined) {
    this.server = server;
    this.certificates = certificates;
    this.clusters = clusters;
    this.state = state;
  }

  static async start(options: SandboxHostOptions = {}): Promise<SandboxHost> {
    const state = options.statePath ? new SqliteState(options.statePath) : undefined;
    const certificates = options.certificates ?? state?.certificates() ?? (await generateCertificates());
    state?.saveCertificates(certificates);
    const clusters = new Map<string, Cluster>();
    for (const stored of state?.clusters() ?? []) {
      const cluster = new Cluster(stored.name, stored.environment, clusterOptions(certificates, stored.token));
      cluster.store.restore(state!.objects(stored.token), stored.revision);
      cluster.store.persistTo(state!.persistenceFor(stored.token));
      cluster.resumeControllers();
      clusters.set(stored.token, cluster);
    }
    const server = await startApiServer({
      key: certificates.key,
      cert: certificates.cert,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      authenticate: (token) => authenticate(token, (t) => clusters.get(t), () => clusters.values()),
    });
    return new SandboxHost(server, certificates, clusters, state);
  }

  get url(): string {
    return this.server.url;
  }

  get clusterCount(): number {
    return this.clusters.size;
  }

  /** The clusters this host serves, restored ones included. */
  handles(): ClusterHandle[] {
    return [...this.clusters.entries()].map(([token, cluster]) => this.handle(token, cluster));
  }

  /** Adds a fresh cluster built from a lesson environment; its token is the only key to it. */
  addCluster(environment: Environment, name = 'sandbox'): ClusterHandle {
    const token = randomBytes(24).toString('base64url');
    const cluster = new Cluster(name, undefined, clusterOptions(this.certificates, token));
    if (this.state) {
      this.state.addCluster({ token, name, environment });
      cluster.store.persistTo(this.state.persistenceFor(token));
    }
    cluster.seed(environment);
    this.clusters.set(token, cluster);
    return this.handle(token, cluster);
  }

  /** The cluster a token opens, restored ones included. */
  clusterHandle(token: string): ClusterHandle | undefined {
    const cluster = this.clusters.get(token);
    return cluster && this.handle(token, cluster);
  }

  removeCluster(token: string): void {
    this.clusters.get(token)?.stop();
    this.clusters.delete(token);
    this.state?.removeCluster(token);
  }

  async close(): Promise<void> {
    for (const cluster of this.clusters.values()) cluster.stop();
    await this.server.close();
    this.state?.close();
  }

  private handle(token: string, cluster: Cluster): ClusterHandle {
    return { cluster, token, kubeconfig: kubeconfigYaml({ server: this.url, caCert: this.certificates.caCert, token, clusterName: cluster.name }) };
  }
}
