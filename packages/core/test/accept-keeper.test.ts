/**
 * The completion backends' accept policy, on its own: which accepts stay
 * posted through steady arrivals, bursts, would-block returns, failures and
 * a stop. The proactors that use it are tested against real sockets in the
 * conformance suite; this pins the policy down without sockets.
 */
import { describe, expect, it } from 'vitest';
import { AcceptKeeper, type AcceptRequest, BURST_ACCEPTS_FACTOR } from '../src/backend/accept-keeper.js';

const WOULD_BLOCK = 10035;
const RESET = 10054;

function keeper(ahead: number) {
  const posted: AcceptRequest[] = [];
  const reports: Array<[number, number]> = [];
  const keep = new AcceptKeeper(ahead, (request) => posted.push(request), (code) => code === WOULD_BLOCK);
  const listener = { accepted: (status: number, socket: number) => void reports.push([status, socket]) };
  /** Completes the oldest posted accept. */
  const complete = (status: number, socket = -1, backlog = false): AcceptRequest => {
    const request = posted.shift()!;
    request.complete(status, socket, backlog);
    return request;
  };
  return { keep, posted, reports, listener, complete };
}

describe('AcceptKeeper', () => {
  it('keeps `ahead` accepts posted and re-posts each one before reporting its connection', () => {
    const k = keeper(4);
    k.keep.start(k.listener);
    expect(k.posted).toHaveLength(4);
    expect(k.posted.every((r) => !r.optional)).toBe(true);
    let postedWhenReported = -1;
    k.keep.start({ accepted: () => void (postedWhenReported = k.posted.length) });
    expect(k.posted).toHaveLength(4); // a restart posts nothing more
    k.complete(0, 100);
    expect(postedWhenReported).toBe(4);
    expect(k.keep.inFlight).toBe(4);
  });

  it('adds optional accepts while connections come from a backlog, up to the burst factor, and lets them lapse after', () => {
    const k = keeper(2);
    k.keep.start(k.listener);
    for (let i = 0; i < 100; i++) k.complete(0, 200 + i, true);
    expect(k.keep.inFlight).toBe(2 * BURST_ACCEPTS_FACTOR);
    expect(k.posted.filter((r) => r.optional)).toHaveLength(2 * (BURST_ACCEPTS_FACTOR - 1));
    // The burst ends: optional accepts find nothing and are not posted again.
    while (k.posted.some((r) => r.optional)) {
      const at = k.posted.findIndex((r) => r.optional);
      k.posted.splice(at, 1)[0]!.complete(WOULD_BLOCK, -1);
    }
    expect(k.keep.inFlight).toBe(2);
    expect(k.reports).toHaveLength(100);
  });

  it('reports a failure, then posts again; would-block is never reported', () => {
    const k = keeper(1);
    k.keep.start(k.listener);
    k.complete(WOULD_BLOCK);
    expect(k.reports).toEqual([]);
    expect(k.posted).toHaveLength(1);
    k.complete(RESET);
    expect(k.reports).toEqual([[RESET, -1]]);
    expect(k.posted).toHaveLength(1);
  });

  it('after stop() posts nothing, still reports what finishes, and a listener that stops on a failure gets no new accept', () => {
    const k = keeper(3);
    k.keep.start(k.listener);
    k.keep.stop();
    k.complete(0, 7);
    expect(k.reports).toEqual([[0, 7]]);
    expect(k.posted).toHaveLength(2);

    const s = keeper(1);
    s.keep.start({ accepted: () => s.keep.stop() });
    s.complete(10024); // WSAEMFILE: the listener backs off
    expect(s.posted).toHaveLength(0);
    expect(s.keep.inFlight).toBe(0);
  });
});
