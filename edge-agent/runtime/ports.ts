// Publishes a direct workload's ports: TCP port P on the agent's host is
// relayed to the workload's abstract unix socket PREFIX+P (like docker-proxy).
// Why: CRIU 4.1.1 cannot dump TCP sockets on Linux >= 6.16 (getsockopt
// SO_PASSCRED is refused on them); unix sockets it dumps and restores, and
// abstract names are per network namespace, so each host has its own.
// The name is padded with NULs to all of sun_path, the length Node connects with.
import net from "node:net";

export function socketPrefix(workloadId: string): string {
  return `fleximigrate/${workloadId}/`;
}

export class PortPublisher {
  private readonly servers = new Map<string, net.Server[]>();

  async publish(workloadId: string, ports: number[]): Promise<void> {
    const servers: net.Server[] = [];
    this.servers.set(workloadId, servers);
    for (const port of ports) {
      const target = `\0${socketPrefix(workloadId)}${port}`;
      const server = net.createServer((client) => {
        const upstream = net.connect({ path: target });
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on("error", end);
        upstream.on("error", end);
        client.on("close", end);
        upstream.on("close", end);
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "0.0.0.0", () => resolve());
      });
      servers.push(server);
    }
  }

  async unpublish(workloadId: string): Promise<void> {
    const servers = this.servers.get(workloadId) ?? [];
    this.servers.delete(workloadId);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }
}
