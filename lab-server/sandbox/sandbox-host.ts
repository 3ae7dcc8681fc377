/**
 * A running sandbox: one HTTPS API server hosting any number of clusters, each
 * reached with its own bearer token.
 */
import { randomBytes } from 'node:crypto';
import type { Environment } from '../lesson/schema.ts';
import { Cluster } from './cluster.ts';
import { startApiServer, type RunningApiServer } from './api/server.ts';
import { generateCertificates, type ServingCertificates } from './tls/certificates.ts';
import { kubeconfigYaml } from './kubeconfig.ts';

export interface SandboxHostOptions {
  port?: number;
  host?: string;
  certificates?: ServingCertificates;
}

export interface ClusterHandle {
  cluster: Cluster;
  token: string;
  kubeconfig: string;
}

export class SandboxHost {
  private readonly clusters = new Map<string, Cluster>();
  private readonly server: RunningApiServer;
  readonly certificates: ServingCertificates;

  private constructor(server: RunningApiServer, certificates: ServingCertificates, clusters: Map<string, Cluster>) {
    this.server = server;
    this.certificates = certificates;
    this.clusters = clusters;
  }

  static async start(options: SandboxHostOptions = {}): Promise<SandboxHost> {
    const certificates = options.certificates ?? (await generateCertificates());
    const clusters = new Map<string, Cluster>();
    const server = await startApiServer({
      key: certificates.key,
      cert: certificates.cert,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      clusterFor: (token) => clusters.get(token),
    });
    return new SandboxHost(server, certificates, clusters);
  }

  get url(): string {
    return this.server.url;
  }

  /** Adds a fresh cluster built from a lesson environment; its token is the only key to it. */
  addCluster(environment: Environment, name = 'sandbox'): ClusterHandle {
    const token = randomBytes(24).toString('base64url');
    const cluster = new Cluster(name);
    cluster.seed(environment);
    this.clusters.set(token, cluster);
    return { cluster, token, kubeconfig: kubeconfigYaml({ server: this.url, caCert: this.certificates.caCert, token, clusterName: name }) };
  }

  removeCluster(token: string): void {
    this.clusters.delete(token);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
