// The one error the redirect API maps to an HTTP status (400 bad request,
// 404/409 on rollback, 502 when a switch fails).
export class RedirectError extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = "RedirectError";
  }
}
