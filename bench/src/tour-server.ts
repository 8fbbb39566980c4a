/**
 * Runs one of examples/models' servers, unchanged, with the bench's control
 * port beside it, so the tour can read the process's memory, threads and
 * native call counts:
 *
 *   node bench/dist/tour-server.js <path of a built model server> [its flags]
 */
import { pathToFileURL } from 'node:url';
import { openControlPort } from './control-port.js';

const [script, ...flags] = process.argv.slice(2);
if (!script) {
  console.error('cannot start: give the model server to run');
  process.exit(1);
}
const hostAt = flags.indexOf('--host');
openControlPort(hostAt >= 0 ? flags[hostAt + 1]! : '127.0.0.1');
// The model server reads its own flags from process.argv, as when run alone.
process.argv = [process.argv[0]!, script, ...flags];
await import(pathToFileURL(script).href);
