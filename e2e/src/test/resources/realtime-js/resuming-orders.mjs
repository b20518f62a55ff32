// One @supabase/realtime-js client, as an app that must not miss a row writes one: subscribed to
// new rows of `orders`, remembering the position of the last push and rejoining after it when
// its connection drops (docs/switching-from-supabase.md, "resume after a reconnect"). Prints
// STATUS <status> for every subscribe status, ROW <id> for every insert received, GAP when the
// runtime could not resume; runs until it is killed. ClusterEndToEndIT runs it next to the runtime
// module's installed realtime-js (realtime-runtime/target/node).
//   SLIPSTREAM_REALTIME_URL  ws://<address>/realtime/v1
//   SLIPSTREAM_APIKEY        the client's token
import { RealtimeClient } from '@supabase/realtime-js'

const client = new RealtimeClient(process.env.SLIPSTREAM_REALTIME_URL, {
  params: { apikey: process.env.SLIPSTREAM_APIKEY },
  // LOG lines: the client's transport and channel log, when a test wants to see why it did what it did
  ...(process.env.SLIPSTREAM_REALTIME_LOG ? { logger: (kind, msg, data) => console.log(`LOG ${kind} ${msg}`
      + (data === undefined ? '' : ' ' + JSON.stringify(data)?.slice(0, 200))) } : {}),
})
// Node 22's built-in WebSocket (undici) fires `error` but no `close` when a connection attempt fails
// before it opens (refused, or closed at once by a Service with no ready endpoint: a pod going away
// while the next is not ready yet). Phoenix reconnects only on `close`, so realtime-js under Node
// would stop reconnecting for good; browsers fire both. An app on Node schedules the reconnect
// itself (docs/switching-from-supabase.md); a second schedule only restarts the same timer.
client.socketAdapter.onError(() => {
  if (!client.isConnected()) client.reconnectTimer.scheduleTimeout()
})
const channel = client.channel('orders')
  .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'orders' }, (change) => {
    console.log('ROW ' + change.new.id)
  })
  .on('system', {}, (message) => {
    if (message?.status === 'gap') console.log('GAP ' + JSON.stringify(message))
  })
client.socketAdapter.onMessage((message) => {
  if (message.topic === channel.topic && message.event === 'postgres_changes' && message.payload?.position) {
    channel.updateJoinPayload({ config: { ...channel.joinPush.payload().config, resume_after: message.payload.position } })
  }
})
channel.subscribe((status, error) => console.log('STATUS ' + status + (error ? ' ' + error.message : '')))
