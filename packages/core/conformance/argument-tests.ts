/** Bad input: typed errors, thrown at the call site, never a crash or a hang. */
import { describe, expect, it } from 'vitest';
import { createLoop } from '@wsaloop/core';
import { backendModule, type Conformance, withLoop } from './context.js';

export function argumentTests(ctx: Conformance): void {
  describe('bad arguments', () => {
    it('rejects an option the backend does not know, naming the options it knows', () => {
      const { knownOptions } = backendModule(ctx.backend);
      expect(Array.isArray(knownOptions)).toBe(true);
      let error: unknown;
      try {
        createLoop({ backend: ctx.backend, ...ctx.options, batchsize: 64 }).close();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_WSALOOP_UNKNOWN_BACKEND_OPTION', backend: ctx.backend, option: 'batchsize', knownOptions });
      const message = (error as Error).message;
      expect(message).toContain('"batchsize"');
      for (const known of knownOptions) expect(message).toContain(`"${known}"`);
      if (knownOptions.length === 0) expect(message).toContain('takes no options');
      // Every option it declares is accepted as such (values are the backend's to check).
      for (const known of knownOptions) {
        try {
          createLoop({ backend: ctx.backend, ...ctx.options, [known]: {} }).close();
        } catch (e) {
          expect((e as { code?: string }).code).not.toBe('ERR_WSALOOP_UNKNOWN_BACKEND_OPTION');
        }
      }
      // An option left undefined is absent.
      createLoop({ backend: ctx.backend, ...ctx.options, batchsize: undefined }).close();
    });

    it('throws TypeError / RangeError with clear messages', async () => {
      await withLoop(ctx, (loop) => {
        const tcp = loop.tcp();
        expect(() => tcp.bind('127.0.0.1', 70000)).toThrow(/"port" argument must be >= 0 and <= 65535/);
        expect(() => tcp.bind('127.0.0.1', 70000)).toThrow(RangeError);
        expect(() => tcp.bind('127.0.0.1', 1.5)).toThrow(TypeError);
        expect(() => tcp.bind('not an address', 0)).toThrow(TypeError);
        expect(() => tcp.bind(42 as unknown as string, 0)).toThrow(TypeError);
        expect(() => tcp.listen(-1)).toThrow(RangeError);
        expect(() => tcp.connect('127.0.0.1', -1)).toThrow(RangeError);
        expect(() => tcp.connect('', 80)).toThrow(TypeError);
        expect(() => tcp.write(123 as unknown as string)).toThrow(TypeError);
        expect(() => tcp.write([Buffer.from('a'), {} as unknown as string])).toThrow(/data\[1\]/);
        expect(() => tcp.write('x', 'cb' as unknown as () => void)).toThrow(TypeError);
        expect(() => tcp.setKeepAlive(true, -5)).toThrow(RangeError);
        const udp = loop.udp();
        expect(() => udp.send('x', '127.0.0.1', 65536)).toThrow(RangeError);
        expect(() => udp.send(null as unknown as string, '127.0.0.1', 9)).toThrow(TypeError);
        tcp.close();
        udp.close();
        expect(() => tcp.listen()).toThrow(expect.objectContaining({ code: 'EBADF' }));
        expect(() => tcp.bind('127.0.0.1', 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      });
    });

    it('reports EADDRINUSE for a taken port and ENOTCONN for unconnected use', async () => {
      let unconnectedWrite: Promise<void> | undefined;
      await withLoop(ctx, (loop) => {
        const first = loop.tcp().bind('127.0.0.1', 0).listen(4);
        const second = loop.tcp();
        expect(() => second.bind('127.0.0.1', first.address().port).listen(4)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
        const idle = loop.tcp();
        unconnectedWrite = idle.write('x');
        expect(() => idle.readStart()).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
        first.close();
        second.close();
        idle.close();
      });
      await expect(unconnectedWrite).rejects.toMatchObject({ code: 'ENOTCONN' });
    });

    it('names the package to install for an unknown backend', () => {
      expect(() => createLoop({ backend: 'nonexistent' })).toThrow(/@wsaloop\/backend-nonexistent/);
      expect(() => createLoop({ backend: 'Bad Name!' })).toThrow(TypeError);
      expect(() => createLoop({ backend: 42 as unknown as string })).toThrow(TypeError);
    });

    it('rejects an unknown run mode', async () => {
      const loop = ctx.makeLoop();
      await expect(loop.run('forever' as unknown as 'default')).rejects.toThrow(TypeError);
      loop.close();
    });
  });
}
