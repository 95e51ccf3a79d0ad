// A client's mistake: the HTTP layer answers 400 with the message, and nothing changed.
export class BadRequest extends Error {}
