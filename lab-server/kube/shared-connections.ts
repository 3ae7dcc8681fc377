/**
 * A KubeConfig whose requests share TLS connections. client-node 2 builds a
 * new undici Agent for every API call and a new TLS secure context (the CA
 * parsed again) for every socket, so each read is a full handshake; a lab
 * server reading fifty learners' clusters spent most of its time in TLS.
 * Here one pool serves every API call, and every socket (API calls, watches,
 * exec and console WebSockets, raw requests) reuses one secure context per set
 * of credentials.
 */
import { createHash } from 'node:crypto';
import type { AgentOptions, RequestOptions } from 'node:https';
import { Agent } from 'node:https';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import * as k8s from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<k8s.RequestContext['getDispatcher']>>;
type DispatcherOptions = ReturnType<k8s.KubeConfig['createDispatcherOptions']>;

/** Every sandbox cluster on one host has the same CA: one context serves all their learners. */
const secureContexts = new Map<string, SecureContext>();

function secureContextFor({ ca, cert, key, pfx, passphrase }: SecureContextOptions): SecureContext {
  const id = createHash('sha256').update(JSON.stringify([ca, cert, key, pfx, passphrase].map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))).digest('base64url');
  let context = secureContexts.get(id);
  if (!context) secureContexts.set(id, (context = createSecureContext({ ca, cert, key, pfx, passphrase })));
  return context;
}

class SharedConnectionsKubeConfig extends k8s.KubeConfig {
  #dispatcher: Dispatcher | undefined;
  #agent: Agent | undefined;

  override createDispatcherOptions(cluster: k8s.Cluster | null, agentOptions: AgentOptions): DispatcherOptions {
    const options = super.createDispatcherOptions(cluster, agentOptions);
    if (options.type !== 'agent') return options;
    // The pool exists: no new one for this request ('none' builds nothing), the shared one is set below.
    if (this.#dispatcher) return { type: 'none' };
    return { ...options, connect: { ...options.connect, secureContext: secureContextFor(agentOptions) } };
  }

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    // Headers (the token) are set per request above; only the connection pool is shared.
    this.#dispatcher ??= context.getDispatcher();
    if (this.#dispatcher) context.setDispatcher(this.#dispatcher);
  }

  override async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    await super.applyToHTTPSOptions(opts as never);
    this.#agent ??= new Agent({ keepAlive: true, secureContext: secureContextFor(opts) });
    opts.agent = this.#agent;
  }
}

/** `config`'s clusters, users and contexts, with connections shared by every client made from the result. */
export function sharingConnections(config: k8s.KubeConfig): k8s.KubeConfig {
  if (config instanceof SharedConnectionsKubeConfig) return config;
  const shared = new SharedConnectionsKubeConfig();
  shared.loadFromOptions({ clusters: config.clusters, users: config.users, contexts: config.contexts, currentContext: config.currentContext });
  return shared;
}
