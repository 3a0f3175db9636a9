import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The fan-out benchmark's plain baseline, in a process of its own as the twin's gateway is: a bare
 * `ws` server holding the client sockets. `POST /send` sends its body to every open socket in one
 * synchronous loop: no queue, no database, no HTTP per message. Prints its port when listening.
 */
const sockets = new Set<WebSocket>();
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'POST' && request.url === '/send') {
      const payload = Buffer.concat(chunks).toString('utf8');
      for (const socket of sockets) socket.send(payload);
      response.end(String(sockets.size));
    } else if (request.url === '/count') {
      response.end(String(sockets.size));
    } else {
      response.writeHead(404).end();
    }
  });
});
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
server.listen(0, '127.0.0.1', () => console.log(`RAW_WS_PORT ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
