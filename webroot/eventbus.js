// A small client for the Vert.x SockJS event-bus bridge (receive side only: Mirador bridges
// outbound mirador.live.* and nothing else). Speaks the bridge's JSON frames over SockJS,
// keeps the session alive with pings, reconnects with backoff and re-registers every address.
'use strict';

class LiveBus {
  constructor(url, onState) {
    this.url = url;
    this.onState = onState || (() => {});
    this.handlers = new Map(); // address -> Set of handlers
    this.socket = null;
    this.pingTimer = null;
    this.retryDelay = 1000;
    this.state = 'connecting';
    this.connect();
  }

  connect() {
    const socket = new SockJS(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryDelay = 1000;
      for (const address of this.handlers.keys()) this.frame('register', address);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), 5000);
      this.setState('live');
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.socket !== socket) return;
      this.setState('reconnecting');
      const delay = this.retryDelay;
      this.retryDelay = Math.min(this.retryDelay * 2, 15000);
      setTimeout(() => this.connect(), delay + Math.random() * 250);
    };
  }

  receive(data) {
    let msg;
    try { msg = JSON.parse(data); } catch (e) { return; }
    if (msg.type === 'rec') {
      for (const handler of this.handlers.get(msg.address) || []) {
        try { handler(msg.body); } catch (e) { console.error('handler for', msg.address, e); }
      }
    } else if (msg.type === 'err') {
      console.warn('event bus error', msg.address || '', msg.body);
    }
  }

  /** Calls handler with each message body published to address; returns a function that unsubscribes. */
  subscribe(address, handler) {
    let set = this.handlers.get(address);
    if (!set) {
      set = new Set();
      this.handlers.set(address, set);
      this.frame('register', address);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(address) === set) {
        this.handlers.delete(address);
        this.frame('unregister', address);
      }
    };
  }

  frame(type, address) { this.send({ type, address, headers: {} }); }

  send(obj) {
    if (this.socket && this.socket.readyState === SockJS.OPEN) this.socket.send(JSON.stringify(obj));
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }
}

window.LiveBus = LiveBus;
