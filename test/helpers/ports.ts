// A loopback TCP port free right now (the OS picks it, then it is closed
// again): for a server a test starts in a child process that cannot report an
// ephemeral port itself, or as a port where nothing listens, so a connection
// to it is refused (ECONNREFUSED) rather than blocked.
import { type AddressInfo, createServer } from "node:net";

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The same port, named for what a client test wants of it: nothing listening. */
export const closedPort = freePort;
