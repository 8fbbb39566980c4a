/**
 * node:net's functions that need no socket, re-exported so `@wsaloop/net`
 * can stand in for `net` wholesale. The family auto-selection defaults are
 * node:net's own: sockets of both modules read the same settings.
 * @module
 */
export {
  /** Whether a string is an IP address: 4, 6 or 0 (node:net's). */
  isIP,
  /** Whether a string is an IPv4 address (node:net's). */
  isIPv4,
  /** Whether a string is an IPv6 address (node:net's). */
  isIPv6,
  /** Whether `connect()` tries every address of a host name by default (node:net's setting). */
  getDefaultAutoSelectFamily,
  /** Sets the default of `autoSelectFamily` (node:net's setting). */
  setDefaultAutoSelectFamily,
  /** The default time given to each address before the next one is tried, in ms (node:net's setting). */
  getDefaultAutoSelectFamilyAttemptTimeout,
  /** Sets the default of `autoSelectFamilyAttemptTimeout` (node:net's setting). */
  setDefaultAutoSelectFamilyAttemptTimeout,
} from 'node:net';
