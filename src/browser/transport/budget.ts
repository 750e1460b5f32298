/**
 * The page's keepalive budget: the browser lets all keepalive fetches and beacons of a page have at most
 * 64 KiB of body in flight together (a larger one fails at once). Every keepalive send reserves its
 * bytes here first and releases them when it settles.
 */
export const KEEPALIVE_BUDGET_BYTES = 64 * 1024;

export interface KeepaliveBudget {
  /** True (and counted) when `bytes` fit in what is left. */
  reserve(bytes: number): boolean;
  release(bytes: number): void;
  remaining(): number;
}

export function createKeepaliveBudget(total = KEEPALIVE_BUDGET_BYTES): KeepaliveBudget {
  let used = 0;
  return {
    reserve(bytes) {
      if (used + bytes > total) return false;
      used += bytes;
      return true;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
    remaining: () => total - used,
  };
}
