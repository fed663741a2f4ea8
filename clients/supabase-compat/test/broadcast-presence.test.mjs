// Broadcast and presence with the real supabase-js / realtime-js against Tidewire's Supabase Realtime
// endpoint, both vsn: the topic realtime:<name> is the core channel <name> (TIDEWIRE_GATEWAY_CHANNELS
// decides who may join it; the stack runs the default rules, room:* open to every user), shared with
// clients of Tidewire's own protocol.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { URL, supabaseClient, closeClients, waitFor, subscribe, has, userToken, socketOf } from '../lib/harness.mjs';

const sockets = [];

after(async () => {
  await closeClients();
  for (const socket of sockets.splice(0)) socket.close();
});

/** A client of Tidewire's own protocol (docs/PROTOCOL.md) over plain `ws`, recording every frame. */
async function tidewireClient(userId) {
  const socket = new WebSocket(`${URL.replace(/^http/, 'ws')}/v1/realtime?token=${userToken(userId)}`);
  sockets.push(socket);
  const frames = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  return { frames, send: (frame) => socket.send(JSON.stringify(frame)) };
}

const keys = (channel) => Object.keys(channel.presenceState()).sort();

for (const vsn of ['1.0.0', '2.0.0']) {
  describe(`broadcast and presence with vsn ${vsn}`, () => {
    it('broadcasts between two clients, with self and ack as each channel asked', async () => {
      const room = `room:bp-${randomUUID()}`;
      const alice = await supabaseClient(vsn, userToken(randomUUID()));
      const bob = await supabaseClient(vsn, userToken(randomUUID()));
      const aliceGot = [];
      const bobGot = [];
      const aliceChannel = alice.channel(room, { config: { broadcast: { ack: true } } })
        .on('broadcast', { event: 'hi' }, (m) => aliceGot.push(m));
      const bobChannel = bob.channel(room, { config: { broadcast: { self: true } } })
        .on('broadcast', { event: 'hi' }, (m) => bobGot.push(m));
      const statuses = [subscribe(aliceChannel), subscribe(bobChannel)];
      await waitFor('both SUBSCRIBED', () => statuses.every((s) => has(s, 'SUBSCRIBED')));
      const kinds = [];
      const conn = socketOf(alice);
      const send = conn.send.bind(conn);
      conn.send = (data, ...rest) => { kinds.push(typeof data === 'string' ? 'text' : 'binary'); return send(data, ...rest); };

      // ack: the promise waits for the server's reply, which comes once Kafka stored the message
      assert.equal(await aliceChannel.send({ type: 'broadcast', event: 'hi', payload: { n: 1 } }), 'ok');
      // realtime-js 2.100.0 sends channel.send as JSON with 1.0.0 and as its binary push with 2.0.0
      assert.deepEqual(kinds, [vsn === '2.0.0' ? 'binary' : 'text']);
      const first = await waitFor("Bob's copy", () => bobGot[0]);
      assert.equal(first.type, 'broadcast');
      assert.equal(first.event, 'hi');
      assert.deepEqual(first.payload, { n: 1 });
      assert.equal(typeof first.meta.id, 'string');

      // self: Bob gets his own; Alice (self false) gets his but never her own
      assert.equal(await bobChannel.send({ type: 'broadcast', event: 'hi', payload: { n: 2 } }), 'ok');
      await waitFor("Bob's own", () => bobGot.some((m) => m.payload.n === 2));
      await waitFor("Alice's copy of Bob's", () => aliceGot.length > 0);
      assert.deepEqual(aliceGot.map((m) => m.payload.n), [2]);
    });

    it('keeps presenceState in sync: the state on join, then joins and leaves', async () => {
      const room = `room:pr-${randomUUID()}`;
      const alice = await supabaseClient(vsn, userToken(randomUUID()));
      const bob = await supabaseClient(vsn, userToken(randomUUID()));
      const aliceChannel = alice.channel(room, { config: { presence: { key: 'alice' } } });
      const joins = [];
      const leaves = [];
      aliceChannel
        .on('presence', { event: 'join' }, ({ key }) => joins.push(key))
        .on('presence', { event: 'leave' }, ({ key }) => leaves.push(key));
      const bobChannel = bob.channel(room, { config: { presence: { key: 'bob' } } })
        .on('presence', { event: 'sync' }, () => {});
      const statuses = [subscribe(aliceChannel), subscribe(bobChannel)];
      await waitFor('both SUBSCRIBED', () => statuses.every((s) => has(s, 'SUBSCRIBED')));
      assert.equal(await aliceChannel.track({ name: 'Alice' }), 'ok');
      assert.equal(await bobChannel.track({ name: 'Bob' }), 'ok');
      await waitFor('both present for Alice', () => keys(aliceChannel).join() === 'alice,bob');
      await waitFor('both present for Bob', () => keys(bobChannel).join() === 'alice,bob');
      const [bobs] = aliceChannel.presenceState().bob;
      assert.equal(bobs.name, 'Bob');
      assert.equal(typeof bobs.presence_ref, 'string');
      assert.deepEqual(joins.sort(), ['alice', 'bob']);

      // a late joiner gets the current state in presence_state
      const carol = await supabaseClient(vsn, userToken(randomUUID()));
      const carolChannel = carol.channel(room).on('presence', { event: 'sync' }, () => {});
      const carolStatuses = subscribe(carolChannel);
      await waitFor('Carol SUBSCRIBED', () => has(carolStatuses, 'SUBSCRIBED'));
      await waitFor('the state for Carol', () => keys(carolChannel).join() === 'alice,bob');

      assert.equal(await bobChannel.untrack(), 'ok');
      await waitFor("Bob's leave", () => keys(aliceChannel).join() === 'alice');
      assert.deepEqual(leaves, ['bob']);
      await waitFor("Bob's leave for Carol", () => keys(carolChannel).join() === 'alice');
    });

    it('shares the channel with a client of the Tidewire protocol, both ways', async () => {
      const room = `room:mix-${randomUUID()}`;
      const aliceId = randomUUID();
      const carolId = randomUUID();
      const carol = await tidewireClient(carolId);
      carol.send({ op: 'join', ref: 'j', channel: room });
      await waitFor('joined', () => carol.frames.some((f) => f.op === 'joined'));
      const alice = await supabaseClient(vsn, userToken(aliceId));
      const got = [];
      const channel = alice.channel(room, { config: { presence: { key: 'ada' } } })
        .on('broadcast', { event: 'ping' }, (m) => got.push(m))
        .on('presence', { event: 'sync' }, () => {});
      const statuses = subscribe(channel);
      await waitFor('SUBSCRIBED', () => has(statuses, 'SUBSCRIBED'));

      await channel.send({ type: 'broadcast', event: 'ping', payload: { from: 'supabase' } });
      const heard = await waitFor('the broadcast at the Tidewire client', () => carol.frames.find((f) => f.op === 'broadcast'));
      assert.equal(heard.from, aliceId); // the sender's verified user id
      assert.deepEqual(heard.payload, { from: 'supabase' });

      carol.send({ op: 'broadcast', ref: 'b', channel: room, event: 'ping', payload: { from: 'tidewire' } });
      await waitFor('the broadcast at supabase-js', () => got.some((m) => m.payload.from === 'tidewire'));

      carol.send({ op: 'track', ref: 't', channel: room, meta: { name: 'Carol' } });
      await waitFor("Carol's presence under her user id", () => channel.presenceState()[carolId]?.[0]?.name === 'Carol');
      assert.equal(await channel.track({ name: 'Ada' }), 'ok');
      const diff = await waitFor("Ada's presence at the Tidewire client",
        () => carol.frames.find((f) => f.op === 'presence_diff' && f.joins[aliceId]));
      assert.equal(diff.joins[aliceId][0].meta.name, 'Ada');
      // supabase-js learns of its own track from the same diff, maybe after the Tidewire client did
      await waitFor("Ada's own presence at supabase-js", () => keys(channel).join() === ['ada', carolId].sort().join());
    });

    it('refuses a channel no rule opens, and anonymous clients, with CHANNEL_ERROR', async () => {
      const user = await supabaseClient(vsn, userToken(randomUUID()));
      const refused = subscribe(user.channel(`lobby-${randomUUID()}`).on('broadcast', { event: 'x' }, () => {}));
      const error = await waitFor('CHANNEL_ERROR', () => refused.find((s) => s.status === 'CHANNEL_ERROR'));
      assert.match(error.err, /Unauthorized: You do not have permissions to read from this Channel topic: lobby-/);
      assert.match(error.err, /no rule of TIDEWIRE_GATEWAY_CHANNELS/);

      const anon = await supabaseClient(vsn);
      const anonymous = subscribe(anon.channel(`room:anon-${randomUUID()}`).on('presence', { event: 'sync' }, () => {}));
      const anonError = await waitFor('CHANNEL_ERROR', () => anonymous.find((s) => s.status === 'CHANNEL_ERROR'));
      assert.match(anonError.err, /broadcast and presence need a user's access token/);
    });

    it('refuses a track over the meta limit, and keeps the channel', async () => {
      const supabase = await supabaseClient(vsn, userToken(randomUUID()));
      const channel = supabase.channel(`room:limit-${randomUUID()}`).on('presence', { event: 'sync' }, () => {});
      const statuses = subscribe(channel);
      await waitFor('SUBSCRIBED', () => has(statuses, 'SUBSCRIBED'));
      const replies = [];
      const conn = socketOf(supabase);
      conn.on('message', (data) => { if (String(data).includes('payload_too_large')) replies.push(String(data)); });
      assert.equal(await channel.track({ bio: 'x'.repeat(2000) }), 'error');
      assert.match(replies[0], /meta of 2010 bytes; at most 1024/);
      assert.equal(await channel.track({ bio: 'short' }), 'ok');
      await waitFor('the presence', () => Object.keys(channel.presenceState()).length === 1);
    });
  });
}
