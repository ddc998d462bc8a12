import { createConnection, createServer, type Socket } from 'node:net';

export interface SwitchableBootstrap {
  /** `host:port` to give clients as their bootstrap broker. */
  address: string;
  /** From now on, connections go through to the real broker. */
  open(): void;
  close(): Promise<void>;
}

/**
 * The real broker's bootstrap address behind a switch: closed, every connection is dropped at once
 * (as by a broker that is down); open, connections go through. Kafka's metadata then names the
 * real broker, so only bootstrapping depends on the switch.
 */
export async function switchableBootstrap(brokers: string): Promise<SwitchableBootstrap> {
  const [host, port] = brokers.split(',')[0].trim().split(':');
  let open = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = createConnection({ host, port: Number(port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${listening}`,
    open: () => void (open = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
