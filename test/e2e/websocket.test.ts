import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { createPost, newUser, twin } from '../support/api.ts';
import { WsClient, WsRejected } from '../support/ws.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { groupConnections } from '../../lambdas/repositories/connections.ts';

const management = () =>
  new ApiGatewayManagementApiClient({
    endpoint: twin().managementEndpoint,
    region: twin().region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** The ids of a user's live connections, read from the table as the fan-out worker reads them. */
async function connectionIds(userId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of groupConnections(groups.user(userId))) ids.push(...page);
  return ids;
}

describe('WebSocket: connect, messages, management API', () => {
  it('accepts a token in the query string or the Authorization header', async () => {
    const user = await newUser();
    const viaQuery = await WsClient.connect(user, { via: 'query' });
    const viaHeader = await WsClient.connect(user, { via: 'header' });
    const joined = await viaHeader.request({ type: 'join_ventroom' }, 'ventroom_joined');
    expect(joined.data).toEqual({ message: 'Successfully joined Ventroom', user_id: user.id });
    expect(typeof joined.id).toBe('string');
    expect(joined.timestamp).toMatch(/Z$/);
    await viaQuery.close();
    await viaHeader.close();
  });

  it('refuses the upgrade without a token, with a bad token and with an expired token', async () => {
    await expect(WsClient.connect(undefined)).rejects.toEqual(new WsRejected(401));
    await expect(WsClient.connect(undefined, { token: 'garbage' })).rejects.toEqual(new WsRejected(401));
    const expired = await newUser({ expiresIn: 0 });
    await expect(WsClient.connect(expired)).rejects.toEqual(new WsRejected(401));
  });

  it('answers invalid JSON, unknown types and bad data with an error message and keeps the socket open', async () => {
    const client = await WsClient.connect(await newUser());
    const notJson = await client.request('this is not json', 'error');
    expect(notJson.data.message).toMatch(/Invalid JSON/);
    const unknown = await client.request({ type: 'dance' }, 'error');
    expect(unknown.data.message).toBe(
      'Unknown message type "dance". Known types: join_ventroom, leave_ventroom, join_ventroom_post, leave_ventroom_post, recover_user, ping.',
    );
    const noType = await client.request({ data: {} }, 'error');
    expect(noType.data.message).toMatch(/string "type"/);
    const badPost = await client.request({ type: 'join_ventroom_post', data: { post_id: 'x' } }, 'error');
    expect(badPost.data.message).toMatch(/post_id must be a positive integer/);
    const missingPost = await client.request({ type: 'join_ventroom_post', data: { post_id: 987654321 } }, 'error');
    expect(missingPost.data.message).toBe('Post 987654321 not found.');
    const pong = await client.request({ type: 'ping' }, 'pong');
    expect(pong.type).toBe('pong');
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    await client.close();
  });

  it('joins a post group and confirms with the documented message', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const client = await WsClient.connect(user);
    const joined = await client.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    expect(joined.data).toEqual({ post_id: post.id, message: 'Successfully joined Ventroom post' });
    await client.close();
  });

  it('delivers management-API posts to the client and answers 410 Gone once it has closed', async () => {
    const user = await newUser();
    const client = await WsClient.connect(user);
    const [id] = await connectionIds(user.id);
    expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    const api = management();
    const info = await api.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    client.acceptOwnType('hello');
    await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: JSON.stringify({ id: 'x', type: 'hello', data: { n: 1 }, timestamp: 't' }) }));
    expect((await client.next('hello')).data).toEqual({ n: 1 });
    await client.close();
    await expect(api.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x' }))).rejects.toMatchObject({ name: 'GoneException' });
    await expect(api.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject({ name: 'GoneException' });
    // $disconnect removed the connection and its memberships.
    await expect.poll(() => connectionIds(user.id)).toEqual([]);
  });

  it('DeleteConnection closes the socket', async () => {
    const user = await newUser();
    const client = await WsClient.connect(user);
    const [id] = await connectionIds(user.id);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    await management().send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect(await closed).toBe(1000);
  });
});
