// The real supabase-js / realtime-js clients against Tidewire's Supabase Realtime endpoint, both vsn.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  supabaseClient, closeClients, db, newUser, newJob, setJob, waitFor, subscribe, has, userToken, socketOf,
} from '../lib/harness.mjs';

after(async () => {
  await closeClients();
  await db.end();
});

for (const vsn of ['1.0.0', '2.0.0']) {
  describe(`postgres_changes with vsn ${vsn}`, () => {
    it('runs the seed app subscription code unchanged', async () => {
      const user = await newUser();
      const jobId = await newJob(user);
      const supabase = await supabaseClient(vsn, userToken(user));
      const updates = [];
      const cb = (payload) => updates.push(payload);
      let subscribed = false;
      // the seed app's own code
      supabase.channel('x')
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: 'id=eq.' + jobId }, cb)
        .subscribe((status) => { if (status === 'SUBSCRIBED') subscribed = true; });
      await waitFor('SUBSCRIBED', () => subscribed);
      await setJob(jobId, 40);
      const payload = await waitFor('the update', () => updates[0]);
      assert.equal(payload.eventType, 'UPDATE');
      assert.equal(payload.schema, 'public');
      assert.equal(payload.table, 'generation_jobs');
      assert.equal(payload.new.id, jobId);
      assert.equal(payload.new.progress, 40);
      assert.equal(payload.old.progress, 0);
      assert.equal(payload.errors, null);
      assert.ok(!Number.isNaN(Date.parse(payload.commit_timestamp)), payload.commit_timestamp);
    });

    it('says "Subscribed to PostgreSQL" once the stream is attached, after SUBSCRIBED and before data', async () => {
      const user = await newUser();
      const jobId = await newJob(user);
      const supabase = await supabaseClient(vsn, userToken(user));
      const seen = [];
      const channel = supabase.channel(`order-${vsn}`)
        // UPDATE only: the job's INSERT, committed before the join, may still be on its way and arrive live
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: `id=eq.${jobId}` },
          (p) => seen.push(`change ${p.new.progress}`))
        .on('system', {}, (m) => seen.push(`system ${m.extension} ${m.status} ${m.message}`));
      channel.subscribe((status) => seen.push(status));
      await waitFor('the system message', () => seen.includes('system postgres_changes ok Subscribed to PostgreSQL'));
      await setJob(jobId, 10);
      await waitFor('the change', () => seen.includes('change 10'));
      assert.deepEqual(seen, ['SUBSCRIBED', 'system postgres_changes ok Subscribed to PostgreSQL', 'change 10']);
    });

    it('applies every filter (eq, neq, lt, lte, gt, gte, in; commas mean AND)', async () => {
      const user = await newUser();
      const jobId = await newJob(user);
      const supabase = await supabaseClient(vsn, userToken(user));
      const filters = {
        eq: 'progress=eq.50', neq: 'progress=neq.50', lt: 'progress=lt.50', lte: 'progress=lte.50',
        gt: 'progress=gt.50', gte: 'progress=gte.50', in: 'status=in.(active,completed)',
        and: 'progress=gte.50,status=eq.completed',
      };
      const got = Object.fromEntries(Object.keys(filters).map((k) => [k, []]));
      let channel = supabase.channel(`filters-${vsn}`);
      for (const [name, filter] of Object.entries(filters)) {
        channel = channel.on('postgres_changes',
          { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: `id=eq.${jobId},${filter}` },
          (p) => got[name].push(p.new.progress));
      }
      let all = 0;
      channel.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: `id=eq.${jobId}` },
        () => { all += 1; });
      const statuses = subscribe(channel);
      await waitFor('SUBSCRIBED', () => has(statuses, 'SUBSCRIBED'));
      await setJob(jobId, 40, 'waiting');
      await setJob(jobId, 50, 'active');
      await setJob(jobId, 60, 'completed');
      await waitFor('three updates', () => all === 3);
      assert.deepEqual(got, {
        eq: [50], neq: [40, 60], lt: [40], lte: [40, 50], gt: [60], gte: [50, 60], in: [50, 60], and: [60],
      });
    });

    it("never delivers another user's rows", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const aliceJob = await newJob(alice);
      const bobJob = await newJob(bob);
      const supabase = await supabaseClient(vsn, userToken(bob));
      const seen = [];
      const channel = supabase.channel(`isolation-${vsn}`)
        // UPDATE only: the jobs' INSERTs, committed before the subscription, may still be on their
        // way through the pipeline and arrive live (the final verify once saw Bob's twice)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'generation_jobs' }, (p) => seen.push(p.new.id));
      const statuses = subscribe(channel);
      await waitFor('SUBSCRIBED', () => has(statuses, 'SUBSCRIBED'));
      await setJob(aliceJob, 70);
      await setJob(bobJob, 30); // committed after Alice's: once it arrives, Alice's would have too
      await waitFor("Bob's own change", () => seen.includes(bobJob));
      assert.deepEqual(seen, [bobJob]);
    });

    it('serves public rows to anonymous clients, and refuses them owned tables', async () => {
      const owner = await newUser();
      const anon = await supabaseClient(vsn);
      const seen = [];
      const channel = anon.channel(`public-${vsn}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'videos', filter: `user_id=eq.${owner}` },
          (p) => seen.push(p.new.caption));
      const statuses = subscribe(channel);
      await waitFor('SUBSCRIBED', () => has(statuses, 'SUBSCRIBED'));
      await db.query("INSERT INTO videos (user_id, is_public, caption) VALUES ($1, false, 'private')", [owner]);
      await db.query("INSERT INTO videos (user_id, is_public, caption) VALUES ($1, true, 'public')", [owner]);
      await waitFor('the public video', () => seen.includes('public'));
      assert.deepEqual(seen, ['public']);

      const refused = subscribe(anon.channel(`owned-${vsn}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'generation_jobs' }, () => {}));
      await waitFor('CHANNEL_ERROR', () => has(refused, 'CHANNEL_ERROR'));
    });

    it('answers a binding to a table outside the catalogue with CHANNEL_ERROR', async () => {
      const user = await newUser();
      const supabase = await supabaseClient(vsn, userToken(user));
      const statuses = subscribe(supabase.channel(`unknown-${vsn}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'secrets' }, () => {}));
      const error = await waitFor('CHANNEL_ERROR', () => statuses.find((s) => s.status === 'CHANNEL_ERROR'));
      assert.match(error.err, /Unable to subscribe to changes with given parameters/);
    });

    it('reports CHANNEL_ERROR for a token that does not verify', async () => {
      const user = await newUser();
      const forged = userToken(user, 600, 'not-the-deployment-secret-0123456789abcdef');
      const supabase = await supabaseClient(vsn, forged);
      const statuses = subscribe(supabase.channel(`forged-${vsn}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'generation_jobs' }, () => {}));
      const error = await waitFor('CHANNEL_ERROR', () => statuses.find((s) => s.status === 'CHANNEL_ERROR'));
      assert.match(error.err, /JwtSignatureError/);
    });

    it('reports CLOSED when the channel is left', async () => {
      const user = await newUser();
      const supabase = await supabaseClient(vsn, userToken(user));
      const channel = supabase.channel(`closed-${vsn}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'generation_jobs' }, () => {});
      const statuses = subscribe(channel);
      await waitFor('SUBSCRIBED', () => has(statuses, 'SUBSCRIBED'));
      assert.equal(await channel.unsubscribe(), 'ok');
      await waitFor('CLOSED', () => has(statuses, 'CLOSED'));
    });

    it('keeps a channel whose token is refreshed past the old expiry, and closes one whose token expires', async () => {
      const user = await newUser();
      const jobId = await newJob(user);
      const shortLived = userToken(user, 3);
      const expiresAt = Date.now() + 3000;
      const refreshed = await supabaseClient(vsn, shortLived);
      const kept = [];
      const keptStatuses = subscribe(refreshed.channel(`refresh-${vsn}`)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: `id=eq.${jobId}` },
          (p) => kept.push(p.new.progress)));
      const expiring = await supabaseClient(vsn, userToken(user, 3));
      const expiringStatuses = subscribe(expiring.channel(`expire-${vsn}`)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: `id=eq.${jobId}` },
          () => {}));
      await waitFor('SUBSCRIBED', () => has(keptStatuses, 'SUBSCRIBED') && has(expiringStatuses, 'SUBSCRIBED'));
      await refreshed.realtime.setAuth(userToken(user, 600));
      await waitFor('the old token to expire', () => Date.now() > expiresAt + 1500, 10000);
      await waitFor('CLOSED for the expired channel', () => has(expiringStatuses, 'CLOSED'));
      await setJob(jobId, 90);
      await waitFor('the change on the refreshed channel', () => kept.includes(90));
      assert.ok(!has(keptStatuses, 'CLOSED'));
    });

    it('resumes after a dropped socket with every change it missed, in order, then live', async () => {
      const user = await newUser();
      const jobId = await newJob(user);
      const supabase = await supabaseClient(vsn, userToken(user), { reconnectAfterMs: () => 2000 });
      // the documented recipe: a position key in the binding, kept up to date from the system messages
      const binding = { event: 'UPDATE', schema: 'public', table: 'generation_jobs', filter: `id=eq.${jobId}`,
        tidewire_position: null };
      const progress = [];
      const subscribedMessages = [];
      const channel = supabase.channel(`resume-${vsn}`)
        .on('postgres_changes', binding, (p) => progress.push(p.new.progress))
        .on('system', {}, (m) => {
          if (m.position) binding.tidewire_position = m.position;
          if (m.message === 'Subscribed to PostgreSQL') subscribedMessages.push(m);
        });
      const statuses = subscribe(channel);
      await waitFor('Subscribed to PostgreSQL', () => subscribedMessages.length === 1);
      for (const p of [1, 2, 3]) await setJob(jobId, p);
      await waitFor('three live changes', () => progress.length === 3);
      socketOf(supabase).terminate?.() ?? socketOf(supabase).close(4000);
      for (const p of [4, 5, 6, 7, 8]) await setJob(jobId, p);
      await waitFor('the rejoin', () => subscribedMessages.length === 2);
      assert.equal(subscribedMessages[1].recovered, true);
      await setJob(jobId, 9);
      await waitFor('every change', () => progress.includes(9));
      assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.ok(has(statuses, 'SUBSCRIBED'));
    });

    it('refuses joins beyond the per-connection rate with Supabase\'s reason', async () => {
      const user = await newUser();
      const supabase = await supabaseClient(vsn, userToken(user));
      const all = [];
      for (let i = 0; i < 12; i++) {
        all.push(subscribe(supabase.channel(`burst-${vsn}-${i}`)
          .on('postgres_changes', { event: '*', schema: 'public', table: 'generation_jobs' }, () => {})));
      }
      const refused = await waitFor('a refused join', () => all.flat().find((s) => s.status === 'CHANNEL_ERROR'));
      assert.match(refused.err, /ClientJoinRateLimitReached: Too many joins per second/);
    });
  });
}
