import { describe, expect, it } from 'vitest';
import { type HeapEntry, TimerHeap } from '../src/loop/timer-heap.js';

const entry = (due: number, sequence: number): HeapEntry & { name: string } => ({ due, sequence, heapIndex: -1, name: `${due}/${sequence}` });

describe('TimerHeap', () => {
  it('pops by due time, then by start sequence', () => {
    const heap = new TimerHeap<ReturnType<typeof entry>>();
    const items = [entry(30, 0), entry(10, 1), entry(20, 2), entry(10, 3), entry(5, 4), entry(30, 5)];
    for (const i of items) heap.push(i);
    const order: string[] = [];
    while (heap.size) order.push(heap.pop()!.name);
    expect(order).toEqual(['5/4', '10/1', '10/3', '20/2', '30/0', '30/5']);
  });

  it('removes arbitrary entries and keeps order', () => {
    const heap = new TimerHeap<ReturnType<typeof entry>>();
    const items = Array.from({ length: 200 }, (_, i) => entry((i * 7919) % 101, i));
    for (const i of items) heap.push(i);
    for (const i of items.filter((_, k) => k % 3 === 0)) heap.remove(i);
    heap.remove(items[0]!); // removing twice is a no-op
    const kept = items.filter((_, k) => k % 3 !== 0).sort((a, b) => a.due - b.due || a.sequence - b.sequence);
    const popped: number[] = [];
    while (heap.size) popped.push(heap.pop()!.sequence);
    expect(popped).toEqual(kept.map((i) => i.sequence));
    expect(items.every((i) => i.heapIndex === -1)).toBe(true);
  });
});
