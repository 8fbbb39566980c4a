import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../src/io/write-queue.js';

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('WriteQueue', () => {
  it('gathers across writes and completes them in order as bytes leave', () => {
    const q = new WriteQueue();
    const done: string[] = [];
    q.push([bytes(3), bytes(2)], () => done.push('a'));
    q.push([bytes(4)], () => done.push('b'));
    q.push([], () => done.push('empty'));
    q.push([bytes(1)], () => done.push('c'));
    expect(q.bytes).toBe(10);
    const out: Uint8Array[] = [];
    expect(q.gather(out, 64)).toBe(4);
    q.advance(4, (cb) => cb(0));
    expect(done).toEqual([]);
    expect(q.offset).toBe(1); // one byte into the second buffer of 'a'
    q.advance(5, (cb) => cb(0));
    expect(done).toEqual(['a', 'b', 'empty']);
    expect(q.gather(out, 64)).toBe(1);
    q.advance(1, (cb) => cb(0));
    expect(done).toEqual(['a', 'b', 'empty', 'c']);
    expect(q.empty).toBe(true);
    expect(q.bytes).toBe(0);
  });

  it('caps a gather at the buffer limit', () => {
    const q = new WriteQueue();
    for (let i = 0; i < 10; i++) q.push([bytes(1), bytes(1)], () => {});
    const out: Uint8Array[] = [];
    expect(q.gather(out, 7)).toBe(7);
    expect(out.length).toBe(7);
  });

  it('drains every callback in order for cancellation', () => {
    const q = new WriteQueue();
    const order: number[] = [];
    for (let i = 0; i < 5; i++) q.push([bytes(10)], () => order.push(i));
    q.advance(15, (cb) => cb(0));
    for (const cb of q.drain()) cb(-1);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(q.empty).toBe(true);
  });
});
