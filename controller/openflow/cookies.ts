// Flow cookies name who installed a flow, so each part deletes only its own:
// the top 16 bits are the owner, the low bits free (a redirect's id).

export const COOKIE_OWNER_MASK = 0xffff_0000_0000_0000n;
export const COOKIE_TABLE_MISS = 0xf1e0_0000_0000_0000n;
export const COOKIE_FORWARDING = 0xf1e1_0000_0000_0000n;
export const COOKIE_REDIRECT = 0xf1e2_0000_0000_0000n;
export const COOKIE_API = 0xf1e3_0000_0000_0000n;
/** Site-to-site flows planned by controller/overlay/plan.ts (OVERLAY_COOKIE there). */
export const COOKIE_OVERLAY = 0xf1e4_0000_0000_0000n;

export const PRIORITY_TABLE_MISS = 0;
export const PRIORITY_FORWARDING = 100;
/** Above forwarding: a redirected service IP wins over learned MAC paths. */
export const PRIORITY_REDIRECT = 200;

export const FORWARDING_IDLE_TIMEOUT_S = 30;

export function redirectCookie(id: number): bigint {
  return COOKIE_REDIRECT | BigInt(id);
}

export function cookieOwner(cookie: bigint): string {
  switch (cookie & COOKIE_OWNER_MASK) {
    case COOKIE_TABLE_MISS:
      return "table-miss";
    case COOKIE_FORWARDING:
      return "forwarding";
    case COOKIE_REDIRECT:
      return "redirect";
    case COOKIE_API:
      return "api";
    case COOKIE_OVERLAY:
      return "overlay";
    default:
      return "other";
  }
}
