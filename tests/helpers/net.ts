/** A port on 127.0.0.1 that nothing listens on (opened, noted, closed): connections to it are refused. */
import net from 'node:net';

export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A host name that cannot resolve (the .invalid top-level domain is reserved for that). */
export const NO_SUCH_HOST = 'fulltext-host.invalid';
