// Resume by position (beyond Supabase) with the unmodified realtime-js, as
// docs/switching-from-supabase.md tells an app to do it: remember the position of the last push
// from the raw messages, put it into the channel's join payload, and let realtime-js's own
// reconnect and rejoin carry it. realtime-js 2.119 builds the join's config from named fields only,
// so `channel(topic, { config: { resume_after } })` would not reach the server; the join payload does.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribed, collect, waitFor, sql, closePool, runTag, show } from '#harness'

after(closePool)

/** The app's part: every push's position goes into the join payload realtime-js rejoins with. */
function resumeAfterEachPush(client, channel) {
  client.socketAdapter.onMessage((message) => {
    if (message.topic === channel.topic && message.event === 'postgres_changes' && message.payload?.position) {
      channel.updateJoinPayload({
        config: { ...channel.joinPush.payload().config, resume_after: message.payload.position },
      })
    }
  })
}

test('after a dropped connection realtime-js rejoins after the last position: nothing missed, nothing twice',
  async (t) => {
    const run = runTag('resume')
    const client = newClient(t)
    const channel = client.channel(`resume-${run}`)
    const events = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_keyed', filter: `run=eq.${run}` })
    resumeAfterEachPush(client, channel)
    await subscribed(channel)

    const insert = async (n) => sql('INSERT INTO compat_keyed (run, body, n) VALUES ($1, $2, $3)', [run, `row ${n}`, n])
    for (let n = 1; n <= 3; n++) await insert(n)
    await waitFor(() => events.length >= 3, undefined, () => show(events))

    // The connection drops under the app (not a disconnect() it asked for): realtime-js reconnects
    // with backoff and rejoins; rows committed meanwhile come first, from the resume ring.
    client.socketAdapter.socket.conn.close()
    for (let n = 4; n <= 6; n++) await insert(n)
    await waitFor(() => events.length >= 6, undefined, () => show(events))
    for (let n = 7; n <= 8; n++) await insert(n)
    await waitFor(() => events.length >= 8, undefined, () => show(events))

    assert.deepEqual(events.map((e) => e.new.n), [1, 2, 3, 4, 5, 6, 7, 8], show(events))
  })
