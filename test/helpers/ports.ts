// A loopback port where nothing listens: it was free a moment ago and is closed again,
// so a connection to it is refused (ECONNREFUSED) rather than blocked.
import net from "node:net";

export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
