// A join the runtime refuses reaches the application as CHANNEL_ERROR with a specific message.
// realtime-js builds that message from the phx_reply's response: on {status: "error",
// response: {reason: "..."}} it calls back CHANNEL_ERROR with
// new Error(Object.values(response).join(', ')) (RealtimeChannel.subscribe, receive('error')).
//
// The messages are logged (console.log shows in the IT's output) so the report can quote them.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribeFailure, subscribed, collect, waitFor, sql, closePool, runTag, show } from '#harness'

after(closePool)

async function expectChannelError(t, binding, expectedMessage) {
  const client = newClient(t)
  const channel = client.channel(`err-${runTag('ch')}`)
  collect(channel, binding)
  const { status, error } = await subscribeFailure(channel)
  console.log(`[join-error] ${JSON.stringify(binding)} -> ${status}: ${error?.message}`)
  assert.equal(status, 'CHANNEL_ERROR', `status for ${JSON.stringify(binding)}`)
  assert.ok(error instanceof Error, 'the client passes an Error')
  assert.match(error.message, expectedMessage)
  // Phoenix schedules rejoins of an errored channel; removing it stops them.
  await client.removeChannel(channel)
  return error
}

test('a malformed filter (no operator) is refused with a message naming the filter', async (t) => {
  await expectChannelError(t, { event: '*', schema: 'public', table: 'compat_filter', filter: 'n10' },
    /filter.*n10/i)
})

test('an unknown filter operator is refused with a message naming the operator', async (t) => {
  await expectChannelError(t, { event: '*', schema: 'public', table: 'compat_filter', filter: 'n=between.1' },
    /between/)
})

test('an in filter without a list is refused', async (t) => {
  await expectChannelError(t, { event: '*', schema: 'public', table: 'compat_filter', filter: 'n=in.1,2' },
    /in/)
})

test('a filter on a column that does not exist is refused with a message naming the column',
  async (t) => {
    await expectChannelError(t,
      { event: '*', schema: 'public', table: 'compat_filter', filter: 'no_such_column=eq.1' },
      /no_such_column/)
  })

test('a binding to a table that does not exist is refused with a message naming the table',
  async (t) => {
    await expectChannelError(t, { event: '*', schema: 'public', table: 'no_such_table' }, /no_such_table/)
  })

test('after a refused join the same client can still subscribe a valid channel', async (t) => {
  const client = newClient(t)
  const bad = client.channel(`err-${runTag('ch')}`)
  collect(bad, { event: '*', schema: 'public', table: 'compat_filter', filter: 'garbage' })
  const { status } = await subscribeFailure(bad)
  assert.equal(status, 'CHANNEL_ERROR')
  await client.removeChannel(bad)

  const run = runTag('after-err')
  const good = client.channel(`ok-${runTag('ch')}`)
  const events = collect(good, { event: 'INSERT', schema: 'public', table: 'compat_filter', filter: `run=eq.${run}` })
  await subscribed(good)
  const [{ id }] = await sql('INSERT INTO compat_filter (run, n, label) VALUES ($1, 1, $2) RETURNING id', [run, 'x'])
  await waitFor(() => events.length >= 1, undefined, () => show(events))
  assert.deepEqual(events.map((e) => e.new.id), [Number(id)])
})
