// Channels and bindings as realtime-js manages them: several postgres_changes bindings on one
// channel (the runtime sends one push listing the ids of every binding a change matches, and the
// client dispatches it to each of those bindings), several channels on one socket, and
// removeChannel / unsubscribe ending delivery.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  newClient, subscribed, collect, waitFor, sql, closePool, runTag, show,
} from '#harness'

after(closePool)

async function insert(table, run, n, label = 'x') {
  if (table === 'compat_filter') {
    const [{ id }] = await sql('INSERT INTO compat_filter (run, n, label) VALUES ($1, $2, $3) RETURNING id',
      [run, n, label])
    return Number(id)
  }
  const [{ id }] = await sql(`INSERT INTO ${table} (run, n, body) VALUES ($1, $2, $3) RETURNING id`, [run, n, label])
  return Number(id)
}

test('a channel with two bindings calls each matching binding once per change', async (t) => {
  const client = newClient(t)
  const run = runTag('two')
  const channel = client.channel(`two-${runTag('ch')}`)
  const inserts = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_full' })
  const all = collect(channel, { event: '*', schema: 'public', table: 'compat_full' })
  await subscribed(channel)

  const id = await insert('compat_full', run, 1)
  await sql('UPDATE compat_full SET n = 2 WHERE id = $1', [id])
  await sql('DELETE FROM compat_full WHERE id = $1', [id])
  const sentinel = await insert('compat_full', run, 3, 'sentinel')
  await waitFor(() => inserts.some((e) => e.new.id === sentinel) && all.some((e) => e.new.id === sentinel),
    undefined, () => `inserts ${show(inserts)}\nall ${show(all)}`)

  assert.deepEqual(inserts.map((e) => `${e.eventType}:${e.new.id}`), [`INSERT:${id}`, `INSERT:${sentinel}`],
    show(inserts))
  assert.deepEqual(all.map((e) => e.eventType), ['INSERT', 'UPDATE', 'DELETE', 'INSERT'], show(all))
  assert.deepEqual(inserts[0], all[0], 'both bindings get the same payload')
})

test('two bindings on different tables with filters each get only their own rows', async (t) => {
  const client = newClient(t)
  const run = runTag('tables')
  const channel = client.channel(`tables-${runTag('ch')}`)
  const keyed = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_keyed', filter: `run=eq.${run}` })
  const filtered = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_filter', filter: 'n=gte.5' })
  await subscribed(channel)

  const k1 = await insert('compat_keyed', run, 1)
  const f1 = await insert('compat_filter', run, 4) // below the filter
  const f2 = await insert('compat_filter', run, 5)
  const k2 = await insert('compat_keyed', runTag('other'), 1) // other run
  const k3 = await insert('compat_keyed', run, 2, 'sentinel')
  const f3 = await insert('compat_filter', run, 50, 'sentinel')
  await waitFor(() => keyed.some((e) => e.new.id === k3) && filtered.some((e) => e.new.id === f3), undefined,
    () => `keyed ${show(keyed)}\nfiltered ${show(filtered)}`)

  assert.deepEqual(keyed.map((e) => e.new.id), [k1, k3], show(keyed))
  assert.deepEqual(filtered.map((e) => e.new.id), [f2, f3], show(filtered))
  assert.ok(!keyed.some((e) => e.new.id === k2) && !filtered.some((e) => e.new.id === f1))
})

test('two channels of one client with the same binding each receive the change once', async (t) => {
  const client = newClient(t)
  const run = runTag('same')
  const binding = { event: 'INSERT', schema: 'public', table: 'compat_filter', filter: `run=eq.${run}` }
  const a = client.channel(`same-a-${runTag('ch')}`)
  const b = client.channel(`same-b-${runTag('ch')}`)
  const eventsA = collect(a, binding)
  const eventsB = collect(b, binding)
  await Promise.all([subscribed(a), subscribed(b)])

  const id = await insert('compat_filter', run, 1)
  const sentinel = await insert('compat_filter', run, 2, 'sentinel')
  await waitFor(() => eventsA.some((e) => e.new.id === sentinel) && eventsB.some((e) => e.new.id === sentinel),
    undefined, () => `a ${show(eventsA)}\nb ${show(eventsB)}`)
  assert.deepEqual(eventsA.map((e) => e.new.id), [id, sentinel])
  assert.deepEqual(eventsB.map((e) => e.new.id), [id, sentinel])
})

test('two clients with the same binding each receive the change once', async (t) => {
  const run = runTag('clients')
  const binding = { event: 'INSERT', schema: 'public', table: 'compat_filter', filter: `run=eq.${run}` }
  const channels = [newClient(t), newClient(t)].map((c) => c.channel(`clients-${run}`))
  const events = channels.map((c) => collect(c, binding))
  await Promise.all(channels.map((c) => subscribed(c)))

  const id = await insert('compat_filter', run, 1)
  await waitFor(() => events.every((e) => e.length >= 1), undefined, () => events.map(show).join('\n'))
  const sentinel = await insert('compat_filter', run, 2, 'sentinel')
  await waitFor(() => events.every((e) => e.some((x) => x.new.id === sentinel)), undefined,
    () => events.map(show).join('\n'))
  for (const e of events) assert.deepEqual(e.map((x) => x.new.id), [id, sentinel])
})

/**
 * A control channel on a second client keeps receiving the same table: once it has a row
 * committed after the removal, the removed channel would have had that row too if delivery had
 * not stopped.
 */
async function assertDeliveryStops(t, stop) {
  const run = runTag('stop')
  const binding = { event: 'INSERT', schema: 'public', table: 'compat_filter', filter: `run=eq.${run}` }
  const client = newClient(t)
  const channel = client.channel(`stop-${runTag('ch')}`)
  const events = collect(channel, binding)
  // A second channel on the same client keeps the socket open and shows later rows still flow to it.
  const sibling = client.channel(`sibling-${runTag('ch')}`)
  const siblingEvents = collect(sibling, binding)
  const control = newClient(t).channel(`control-${runTag('ch')}`)
  const controlEvents = collect(control, binding)
  await Promise.all([subscribed(channel), subscribed(sibling), subscribed(control)])

  const first = await insert('compat_filter', run, 1)
  await waitFor(() => events.some((e) => e.new.id === first), undefined, () => show(events))

  const result = await stop(client, channel)
  assert.equal(result, 'ok', 'the leave is acknowledged')

  const later = await insert('compat_filter', run, 2)
  const sentinel = await insert('compat_filter', run, 3, 'sentinel')
  await waitFor(() => controlEvents.some((e) => e.new.id === sentinel)
    && siblingEvents.some((e) => e.new.id === sentinel), undefined,
  () => `control ${show(controlEvents)}\nsibling ${show(siblingEvents)}`)

  assert.deepEqual(events.map((e) => e.new.id), [first], `nothing after the leave: ${show(events)}`)
  assert.deepEqual(siblingEvents.map((e) => e.new.id), [first, later, sentinel])
  assert.deepEqual(controlEvents.map((e) => e.new.id), [first, later, sentinel])
  return { client, channel }
}

test('removeChannel stops delivery to that channel and removes it from the client', async (t) => {
  const { client, channel } = await assertDeliveryStops(t, (c, ch) => c.removeChannel(ch))
  assert.ok(!client.getChannels().includes(channel))
  assert.equal(channel.state, 'closed')
})

test('unsubscribe stops delivery to that channel', async (t) => {
  const { channel } = await assertDeliveryStops(t, (c, ch) => ch.unsubscribe())
  assert.equal(channel.state, 'closed')
  assert.ok(channel.compatStatuses.some((s) => s.status === 'CLOSED'), JSON.stringify(channel.compatStatuses))
})
