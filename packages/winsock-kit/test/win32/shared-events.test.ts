/**
 * core's SharedEvents, which both event-waiting backends use: placement (an
 * event of its own for the first members, then the least used event, up to
 * the limit), places given back and reused, and what a scan is handed: every
 * signalled event and every event a member was just put on.
 */
import { windows } from '@wsaloop/core/winsock';
import { SharedEvents } from '@wsaloop/winsock-kit';
import { describe, expect, it } from 'vitest';

describe('shared events', () => {
  it('places members alone first, then on the least used event up to the limit; reports signalled and touched events', async () => {
    const { ws2 } = windows();
    const shared = new SharedEvents<string>({ perEvent: 3, aloneFirst: 2 });
    const place = (name: string): ReturnType<typeof shared.take> => {
      const at = shared.take();
      shared.add(at, name);
      return at;
    };
    const a = place('a');
    const b = place('b');
    expect(a).not.toBe(b); // alone first
    const c = place('c');
    const d = place('d');
    expect([c, d]).toEqual(expect.arrayContaining([a, b])); // then shared, least used first
    expect(c).not.toBe(d);
    place('e');
    place('f');
    expect(shared.eventsAllocated).toBe(2);
    const g = place('g'); // both full: a third event
    expect(shared.eventsAllocated).toBe(3);
    expect(shared.members).toBe(7);

    // Every placement touched its event: the next check hands all of them over, signalled or not.
    expect(shared.hasTouched).toBe(true);
    expect(new Set(shared.check())).toEqual(new Set([a, b, g]));
    expect(shared.hasTouched).toBe(false);
    expect(shared.check()).toEqual([]);

    // A signal names the event; its owner resets it before looking at its members.
    ws2.WSASetEvent(b.event);
    expect(shared.check()).toEqual([b]);
    expect(shared.check()).toEqual([b]); // still signalled: reported again
    shared.reset(b);
    expect(shared.check()).toEqual([]);

    // A blocking wait (on a wait thread) reports a later signal.
    const waiting = shared.wait(-1, false);
    expect(waiting).toBeInstanceOf(Promise);
    setTimeout(() => ws2.WSASetEvent(g.event), 50);
    expect(await waiting).toEqual([g]);
    shared.reset(g);

    // Places given back: an emptied event is reused before any other.
    shared.leave(g, 'g');
    expect(shared.liveEvents).toBe(2);
    expect(shared.take()).toBe(g);
    shared.leave(a, 'a');
    expect(a.members).not.toContain('a');
    expect(shared.members).toBe(5);
    shared.close();
  });
});
