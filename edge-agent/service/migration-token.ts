// A migration's one-time token: the destination draws it when the source
// opens the migration (POST /v1/incoming answers it), and every later call of
// that migration (files, image load, prepare, restore, commit, abort) and
// the page stream carry it. Whoever did not open the migration cannot push
// images into it nor steer it. Kept in memory only, never in a record or event.
import { randomBytes } from "node:crypto";
import { ApiError } from "../../src/http/api-error.js";
import { tokenMatches } from "../transfer/page-wire.js";

export { tokenMatches };

export const MIGRATION_TOKEN_HEADER = "x-migration-token";

/** 32 random bytes, base64url (43 characters). */
export function newMigrationToken(): string {
  return randomBytes(32).toString("base64url");
}


/** 401 without a token, 403 with a wrong one; the migration itself is not named beyond its id. */
export function checkMigrationToken(migrationId: string, expected: string, given: string | string[] | undefined): void {
  if (given === undefined) throw new ApiError(401, "MIGRATION_TOKEN_REFUSED", `${MIGRATION_TOKEN_HEADER}: migration ${migrationId} needs its one-time token`);
  if (Array.isArray(given) || !tokenMatches(expected, given)) throw new ApiError(403, "MIGRATION_TOKEN_REFUSED", `${MIGRATION_TOKEN_HEADER}: not the token of migration ${migrationId}`);
}
