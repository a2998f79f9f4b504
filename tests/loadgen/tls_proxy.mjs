// A TLS front for a plain server, as a deployment's load balancer would be:
// connections are decrypted here and passed to 127.0.0.1:targetPort. Used to
// show the load generator speaks https and wss with verified certificates.
import net from 'node:net';
import tls from 'node:tls';

export function startTlsProxy({ key, cert, targetPort }) {
  const server = tls.createServer({ key, cert }, (secure) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => secure.destroy());
    secure.on('error', () => upstream.destroy());
    secure.pipe(upstream).pipe(secure);
  });
  server.on('tlsClientError', () => {}); // a client that refuses our certificate
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
