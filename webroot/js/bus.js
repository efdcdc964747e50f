// The live feed: the one SockJS bridge connection of the page (opened by app.js, shared here), and the live addresses
// the server publishes on (the same names as io.mirador.Addresses).
export const LIVE_ALERTS = 'mirador.live.alerts';
export const LIVE_JOBS = 'mirador.live.jobs';

export const bus = window.miradorBus || (window.miradorBus = new window.LiveBus('/eventbus'));

/** Calls onLive each time the bridge (re)connects, so a module can read again what it may have missed. */
export function onReconnect(onLive) {
  let wasLive = bus.state === 'live';
  const previous = bus.onState;
  bus.onState = (state) => {
    previous(state);
    if (state === 'live' && !wasLive) onLive();
    wasLive = state === 'live';
  };
}
