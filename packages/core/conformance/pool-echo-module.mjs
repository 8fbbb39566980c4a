// The module every loop of the pool tests runs: echo, and throw (as a buggy
// app would) when a message says "crash".
export default function echo(loop, data) {
  return (client) => {
    client.readStart((error, chunk) => {
      if (chunk) {
        if (data?.crashable && chunk.toString().includes('crash')) throw new Error('the app crashed on purpose');
        return void client.write(chunk, () => {});
      }
      // The pool's close may have closed it while the FIN was on its way.
      client.shutdown(() => client.isClosing() || client.close());
    });
  };
}
