// Row filters (`column=op.value`) of postgres_changes bindings: each operator the runtime
// implements admits exactly the matching rows. One channel per filter, all subscribed before a
// spread of rows is inserted; a last transaction of sentinel rows, which every filter matches at
// least once, marks the end: once a channel has its sentinels, it has everything it will get.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  newClient, subscribed, collect, waitFor, sql, transaction, closePool, runTag, show,
} from '#harness'

after(closePool)

// Integers spanning digit counts: compared as text, '9' > '10' and the lt/gt cases would fail.
const SPREAD = [2, 9, 10, 11, 100, -5, 0]
const SENTINELS = [10, 2, 100]

const NUMERIC_CASES = [
  ['eq', 'n=eq.10', (n) => n === 10],
  ['neq', 'n=neq.10', (n) => n !== 10],
  ['lt', 'n=lt.10', (n) => n < 10],
  ['lte', 'n=lte.10', (n) => n <= 10],
  ['gt', 'n=gt.10', (n) => n > 10],
  ['gte', 'n=gte.10', (n) => n >= 10],
  ['in', 'n=in.(9,11,100,2)', (n) => [9, 11, 100, 2].includes(n)],
]

test('each numeric filter operator admits exactly the matching rows', async (t) => {
  const client = newClient(t)
  const subs = []
  for (const [op, filter, predicate] of NUMERIC_CASES) {
    const channel = client.channel(`filter-${op}-${runTag('ch')}`)
    const events = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_filter', filter })
    subs.push({ op, filter, predicate, channel, events })
  }
  await Promise.all(subs.map((s) => subscribed(s.channel)))

  const run = runTag('num')
  const rows = []
  for (const n of SPREAD) {
    const [{ id }] = await sql('INSERT INTO compat_filter (run, n, label) VALUES ($1, $2, $3) RETURNING id',
      [run, n, `n${n}`])
    rows.push({ id: Number(id), n })
  }
  const sentinelRows = (await transaction(SENTINELS.map((n) => [
    'INSERT INTO compat_filter (run, n, label) VALUES ($1, $2, $3) RETURNING id', [run, n, 'sentinel'],
  ]))).map(([{ id }], i) => ({ id: Number(id), n: SENTINELS[i] }))
  const all = [...rows, ...sentinelRows]

  for (const s of subs) {
    const expected = all.filter((r) => s.predicate(r.n)).map((r) => r.id)
    const lastSentinel = sentinelRows.filter((r) => s.predicate(r.n)).at(-1)
    assert.ok(lastSentinel, `the sentinel transaction has a row for ${s.filter}`)
    await waitFor(() => s.events.some((e) => e.new.id === lastSentinel.id), undefined,
      () => `${s.filter}: ${show(s.events)}`)
    assert.deepEqual(s.events.map((e) => e.new.id), expected,
      `${s.filter} admits exactly n in ${JSON.stringify(all.filter((r) => s.predicate(r.n)).map((r) => r.n))}; `
      + `got n ${JSON.stringify(s.events.map((e) => e.new.n))}`)
    for (const e of s.events) {
      assert.equal(e.eventType, 'INSERT')
      assert.equal(e.new.run, run)
    }
  }
})

test('text filters: eq, neq and in on a text column, values compared as text', async (t) => {
  const client = newClient(t)
  const run = runTag('txt')
  // Unique labels for this run, so neq still sees only this test's rows when it filters on run.
  const cases = [
    ['eq', `label=eq.${run}-b`, (l) => l === `${run}-b`],
    ['in', `label=in.(${run}-a,${run}-c)`, (l) => l === `${run}-a` || l === `${run}-c`],
    ['run-eq', `run=eq.${run}`, () => true],
    ['gt', `label=gt.${run}-b`, (l) => l > `${run}-b`],
  ]
  const subs = []
  for (const [op, filter, predicate] of cases) {
    const channel = client.channel(`text-${op}-${runTag('ch')}`)
    const events = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_filter', filter })
    subs.push({ filter, predicate, channel, events })
  }
  await Promise.all(subs.map((s) => subscribed(s.channel)))

  const labels = ['a', 'b', 'c', 'd'].map((x) => `${run}-${x}`)
  const ids = []
  for (const label of labels) {
    const [{ id }] = await sql('INSERT INTO compat_filter (run, n, label) VALUES ($1, 0, $2) RETURNING id', [run, label])
    ids.push(Number(id))
  }
  // Sentinel: one transaction matching every case.
  const sentinels = (await transaction([`${run}-b`, `${run}-c`, `${run}-z`].map((label) => [
    'INSERT INTO compat_filter (run, n, label) VALUES ($1, 1, $2) RETURNING id', [run, label],
  ]))).map(([{ id }]) => Number(id))
  const all = [...labels.map((label, i) => ({ id: ids[i], label })),
    ...[`${run}-b`, `${run}-c`, `${run}-z`].map((label, i) => ({ id: sentinels[i], label }))]

  for (const s of subs) {
    const expected = all.filter((r) => s.predicate(r.label)).map((r) => r.id)
    await waitFor(() => s.events.some((e) => e.new.id === expected.at(-1)), undefined,
      () => `${s.filter}: ${show(s.events)}`)
    assert.deepEqual(s.events.map((e) => e.new.id), expected, `${s.filter}: ${show(s.events)}`)
  }
})

test('a filter applies to UPDATEs by the new row (REPLICA IDENTITY FULL table)', async (t) => {
  const client = newClient(t)
  const run = runTag('updf')
  const channel = client.channel(`filter-upd-${runTag('ch')}`)
  const events = collect(channel, { event: 'UPDATE', schema: 'public', table: 'compat_full', filter: 'n=eq.7' })
  await subscribed(channel)

  const [{ id }] = await sql('INSERT INTO compat_full (run, n) VALUES ($1, 1) RETURNING id', [run])
  await sql('UPDATE compat_full SET n = 7 WHERE id = $1', [id]) // becomes 7: matches
  await sql('UPDATE compat_full SET body = $2 WHERE id = $1', [id, 'still 7']) // matches
  await sql('UPDATE compat_full SET n = 8 WHERE id = $1', [id]) // leaves 7: no
  await sql('UPDATE compat_full SET n = 7, body = $2 WHERE id = $1', [id, 'sentinel'])
  await waitFor(() => events.some((e) => e.new.body === 'sentinel'), undefined, () => show(events))

  assert.deepEqual(events.map((e) => [e.new.n, e.old.n, e.new.body]), [
    [7, 1, null], [7, 7, 'still 7'], [7, 8, 'sentinel'],
  ], show(events))
})
