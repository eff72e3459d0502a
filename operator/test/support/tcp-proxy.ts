// A TCP proxy in front of the API server, so tests can break the network for real: drop
// every connection, refuse new ones, or black-hole traffic (connections stay open, nothing
// flows), then heal. TLS passes through untouched.
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private blackhole = false;
  port = 0;
  /** Connections accepted since start (each is one TCP, and TLS, handshake of a client). */
  accepted = 0;
  private readonly target: { host: string; port: number };

  constructor(target: { host: string; port: number }) {
    this.target = target;
  }

  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      this.accepted += 1;
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      if (this.blackhole) {
        client.on('data', () => undefined);
        return;
      }
      const upstream = createConnection(this.target);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      upstream.on('error', () => upstream.destroy());
      client.on('data', (d) => {
        if (!this.blackhole) upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!this.blackhole) client.write(d);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Destroys every open connection (the peer sees a reset). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Stops accepting (connections are refused) and drops open ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts again on the same port. */
  async up(): Promise<void> {
    await this.start(this.port);
  }

  /** Open connections stay open but no byte flows either way. */
  setBlackhole(on: boolean): void {
    this.blackhole = on;
  }

  /** `kc` with its cluster's server pointed at this proxy. */
  kubeConfig(kc: KubeConfig): KubeConfig {
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    if (!cluster || !user) throw new Error('kubeconfig without a current cluster/user');
    const out = new KubeConfig();
    out.loadFromOptions({
      clusters: [{ ...cluster, name: 'proxied', server: `https://127.0.0.1:${this.port}` }],
      users: [{ ...user }],
      contexts: [{ name: 'proxied', cluster: 'proxied', user: user.name }],
      currentContext: 'proxied',
    });
    return out;
  }

  static targetOf(kc: KubeConfig): { host: string; port: number } {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('kubeconfig without a server');
    const u = new URL(server);
    return { host: u.hostname, port: Number(u.port || 443) };
  }
}
