/**
 * A sandbox's durable state in one SQLite file: the certificates, each
 * cluster's token and name, and every object. Writes are committed before
 * the API answers, so killing the process loses nothing a client was told
 * was written.
 */
import { DatabaseSync, type Database } from '../../sqlite.ts';
import type { KubeObject } from '../../k8s/object.ts';
import type { ServingCertificates } from '../tls/certificates.ts';
import type { Environment } from '../../lesson/schema.ts';

export interface StoredCluster {
  token: string;
  name: string;
  /** The last resourceVersion handed out, deletes included. */
  revision: number;
  environment?: Environment;
}

export interface ObjectPersistence {
  /** `json`: the object as JSON, serialized once by the store for its own count too. */
  put(resource: string, object: KubeObject, json: string, revision: number): void;
  remove(resource: string, namespace: string | undefined, name: string, revision: number): void;
}

export class SqliteState {
  private readonly db: Database;

  constructor(file: string) {
    this.db = new DatabaseSync(file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS clusters (token TEXT PRIMARY KEY, name TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0, environment TEXT);
      CREATE TABLE IF NOT EXISTS objects (
        cluster TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (cluster, resource, namespace, name));
    `);
  }

  certificates(): ServingCertificates | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get('certificates') as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as ServingCertificates) : undefined;
  }

  saveCertificates(certificates: ServingCertificates): void {
    this.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run('certificates', JSON.stringify(certificates));
  }

  clusters(): StoredCluster[] {
    const rows = this.db.prepare('SELECT token, name, revision, environment FROM clusters ORDER BY rowid').all() as unknown as (Omit<StoredCluster, 'environment'> & { environment: string | null })[];
    return rows.map(({ environment, ...row }) => ({ ...row, ...(environment ? { environment: JSON.parse(environment) as Environment } : {}) }));
  }

  addCluster(cluster: Omit<StoredCluster, 'revision'>): void {
    this.db.prepare('INSERT INTO clusters (token, name, environment) VALUES (?, ?, ?)').run(cluster.token, cluster.name, cluster.environment ? JSON.stringify(cluster.environment) : null);
  }

  removeCluster(token: string): void {
    this.db.prepare('DELETE FROM objects WHERE cluster = ?').run(token);
    this.db.prepare('DELETE FROM clusters WHERE token = ?').run(token);
  }

  objects(token: string): { resource: string; object: KubeObject }[] {
    const rows = this.db.prepare('SELECT resource, body FROM objects WHERE cluster = ?').all(token) as unknown as { resource: string; body: string }[];
    return rows.map((row) => ({ resource: row.resource, object: JSON.parse(row.body) as KubeObject }));
  }

  persistenceFor(token: string): ObjectPersistence {
    const put = this.db.prepare('INSERT OR REPLACE INTO objects (cluster, resource, namespace, name, body) VALUES (?, ?, ?, ?, ?)');
    const remove = this.db.prepare('DELETE FROM objects WHERE cluster = ? AND resource = ? AND namespace = ? AND name = ?');
    const revision = this.db.prepare('UPDATE clusters SET revision = ? WHERE token = ?');
    // One transaction per write: the object and the revision counter land together.
    const inTransaction = (write: () => void) => {
      this.db.exec('BEGIN');
      try {
        write();
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    };
    return {
      put: (resource, object, json, rv) => inTransaction(() => {
        put.run(token, resource, object.metadata.namespace ?? '', object.metadata.name, json);
        revision.run(rv, token);
      }),
      remove: (resource, namespace, name, rv) => inTransaction(() => {
        remove.run(token, resource, namespace ?? '', name);
        revision.run(rv, token);
      }),
    };
  }

  close(): void {
    this.db.close();
  }
}
