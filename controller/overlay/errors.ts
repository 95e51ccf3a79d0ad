// The one error the overlay maps to an HTTP status: 404 unknown, 409 clash,
// 502 OVSDB or the switch failed a change, 503 OVSDB out of reach.
export class OverlayError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = "OverlayError";
  }
}
