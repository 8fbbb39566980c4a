// The app every loop of the servePool test builds: node:http answering with
// the thread that served the request, and echoing uploads.
import http from 'node:http';
import { threadId } from 'node:worker_threads';

export default (loop, data) =>
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => res.end(JSON.stringify({ thread: threadId, tag: data.tag, bytes: Buffer.concat(chunks).length })));
  });
