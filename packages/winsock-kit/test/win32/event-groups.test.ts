/**
 * The parts of core's event-group waiter the event-notified backend relies on:
 * `check()` (every signalled event of every group, no thread hop) and
 * `remove()` (stop watching an event without closing it, so it can be pooled).
 */
import { windows } from '@wsaloop/core/winsock';
import { EventGroupWaiter } from '@wsaloop/winsock-kit';
import { describe, expect, it } from 'vitest';

const byNumber = (a: number, b: number): number => a - b;

describe('event-group waiter, as the overlapped backend uses it', () => {
  it('check() reports every signalled event across groups; remove() keeps the event open for reuse', async () => {
    const { ws2 } = windows();
    const waiter = new EventGroupWaiter<number>();
    const events = Array.from({ length: 150 }, () => ws2.WSACreateEvent());
    events.forEach((event, i) => waiter.add(event, i));
    expect(waiter.size).toBe(150);
    expect(waiter.groups).toBe(3);
    const signalled = [0, 5, 62, 63, 64, 100, 126, 149];
    for (const i of signalled) ws2.WSASetEvent(events[i]!);
    // Not only the lowest signalled index of each group.
    expect(waiter.check().sort(byNumber)).toEqual(signalled);

    waiter.remove(events[5]!);
    expect(waiter.size).toBe(149);
    // Still a valid event (release() would have closed it): reset it, set it, nothing reports it.
    expect(ws2.WSAResetEvent(events[5]!)).not.toBe(0);
    expect(ws2.WSASetEvent(events[5]!)).not.toBe(0);
    expect(waiter.check().sort(byNumber)).toEqual(signalled.filter((i) => i !== 5));

    // A blocking wait (on the groups' threads) reports what is signalled later.
    for (const i of signalled) ws2.WSAResetEvent(events[i]!);
    const waiting = waiter.wait(-1, false);
    expect(waiting).toBeInstanceOf(Promise);
    setTimeout(() => ws2.WSASetEvent(events[140]!), 50);
    expect(await waiting).toEqual([140]);

    // The removed event can be watched again, for another item.
    ws2.WSAResetEvent(events[140]!);
    waiter.add(events[5]!, 1005);
    ws2.WSASetEvent(events[5]!);
    expect(waiter.check()).toEqual([1005]);
    waiter.close();
  });
});
