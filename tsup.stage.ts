import type { Options } from 'tsup';

/**
 * A package build limited to one stage by WSALOOP_BUILD: `js` builds the
 * code only, `dts` only the declarations, into the dist the `js` stage made
 * (nothing is cleaned); unset, both. npm test builds the code first, so the
 * suites start (they run the code), and the declarations (what users
 * compile against) beside them: they took two thirds of a 90 s build.
 */
export function staged(options: Options): Options {
  const stage = process.env.WSALOOP_BUILD;
  if (stage === 'js') return { ...options, dts: false };
  if (stage === 'dts') {
    const dts = options.dts === true || options.dts === undefined ? {} : typeof options.dts === 'object' ? options.dts : { entry: options.dts };
    return { ...options, dts: { ...dts, only: true }, clean: false };
  }
  return options;
}
