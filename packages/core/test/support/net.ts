import net from 'node:net';

/** A loopback port that nothing listens on (bound once, then released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP server that accepts connections and never answers: the classic hung dependency. Like a hung server that
 * does not even close its side when the client hangs up (allowHalfOpen), so a client that only half-closes keeps
 * its socket. `clientSockets()` counts the process's open TCP sockets minus this server's own, i.e. the sockets
 * clients still hold.
 */
export async function hangingTcpServer() {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    open.add(socket);
    socket.resume();
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    clientSockets: () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length - open.size,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
