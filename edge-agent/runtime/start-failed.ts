// A workload create that failed after it had begun changing the host, and
// was undone: the agent answers it as such, and a port another process took
// meanwhile as the client's conflict rather than as a fault of ours.

export class StartFailedError extends Error {
  /** The port a listener on this host already held, when that is why. */
  readonly busyPort?: number;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "StartFailedError";
    const c = cause as { code?: unknown; port?: unknown } | undefined;
    if (c?.code === "EADDRINUSE" && typeof c.port === "number") this.busyPort = c.port;
  }
}
