// The cluster page: polls this node's /admin JSON and renders it. No framework, no build step, nothing
// from another origin (the Content-Security-Policy forbids it). Text goes in with textContent only.
'use strict';

(function () {
  const TOKEN_KEY = 'loomgate-admin-token';
  const POLL_MS = 2000;
  let timer = null;

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function badge(text, tone) {
    return el('span', { class: 'badge ' + tone }, text);
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  class Unauthorized extends Error {}

  async function getJson(path) {
    const headers = { 'Accept': 'application/json' };
    const t = token();
    if (t) headers['Authorization'] = 'Bearer ' + t;
    const res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
    if (res.status === 401) throw new Unauthorized('the admin token was refused');
    if (!res.ok) throw new Error(path + ' answered ' + res.status);
    return res.json();
  }

  function duration(seconds) {
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor(seconds % 3600 / 60) + ' min';
    return Math.floor(seconds / 86400) + ' d ' + Math.floor(seconds % 86400 / 3600) + ' h';
  }

  function time(iso) {
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleTimeString();
  }

  function stateOf(n) {
    if (!n.reachable) return n.consulStatus === 'deregistered' ? ['left', 'muted'] : ['unreachable', 'bad'];
    if (n.draining) return ['draining', 'warn'];
    if (n.ready) return ['ready', 'ok'];
    return [n.phase || 'unknown', 'warn'];
  }

  function renderNodes(cluster) {
    $('served-by').textContent = 'served by ' + cluster.self;
    const registered = cluster.nodes.filter((n) => n.consulStatus !== 'deregistered').length;
    const left = cluster.nodes.length - registered;
    $('nodes-source').textContent = cluster.source === 'consul'
      ? '(' + registered + ' registered in Consul' + (left > 0 ? ', ' + left + ' deregistered recently' : '') + ')'
      : '(no Consul: this node only)';
    const rows = cluster.nodes.map((n) => {
      const [state, tone] = stateOf(n);
      const check = n.consulStatus === null || n.consulStatus === undefined ? '—' : n.consulStatus;
      const checkTone = check === 'passing' ? 'ok'
        : check === 'warning' || check === 'deregistered' ? 'warn' : check === '—' ? 'muted' : 'bad';
      const tr = el('tr', { 'data-node': n.id, 'data-state': state },
        el('td', {}, n.id, n.self ? el('span', { class: 'muted' }, ' (this page)') : null),
        el('td', {}, n.address ? n.address + ':' + n.port : '—'),
        el('td', {}, badge(state, tone), n.error ? el('span', { class: 'muted' }, n.error) : null),
        el('td', {}, badge(check, checkTone)),
        el('td', {}, n.version || '—'),
        el('td', {}, n.configVersion || '—'),
        el('td', {}, n.uptimeSeconds === undefined ? '—' : duration(n.uptimeSeconds)));
      return tr;
    });
    $('nodes').tBodies[0].replaceChildren(...rows);
    const versions = new Set(cluster.nodes.filter((n) => n.configVersion).map((n) => n.configVersion));
    if (versions.size > 1) {
      $('nodes-source').append(' ', badge('config versions differ', 'bad'));
    }
  }

  function sparkline(series) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 120 24');
    svg.setAttribute('role', 'img');
    if (series.length < 2) return svg;
    const max = Math.max(...series, 1e-9);
    const points = series.map((v, i) => (i * 120 / (series.length - 1)).toFixed(1) + ',' + (23 - v / max * 22).toFixed(1));
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.join(' '));
    svg.append(line);
    return svg;
  }

  function renderRoutes(routes, stats) {
    $('stats-window').textContent = '(rate and p99 over the last ' + Math.round(stats.windowSeconds / 60) + ' min, '
      + (stats.source === 'prometheus' ? 'whole cluster, from Prometheus'
        : 'sampled every ' + stats.sampleSeconds + ' s on ' + stats.node)
      + (stats.prometheusError ? '; Prometheus failed: ' + stats.prometheusError : '') + ')';
    const byRoute = new Map(stats.routes.map((r) => [r.route, r]));
    const rows = routes.routes.map((r) => {
      const s = byRoute.get(r.id) || { requestsPerSecond: 0, serverErrorsPerSecond: 0, p99Ms: null, series: [] };
      return el('tr', { 'data-route': r.id },
        el('td', {}, r.id),
        el('td', {}, r.upstream),
        el('td', {}, r.path),
        el('td', { class: 'num' }, s.requestsPerSecond.toFixed(2)),
        el('td', { class: 'num' + (s.serverErrorsPerSecond > 0 ? ' bad' : '') }, s.serverErrorsPerSecond.toFixed(2)),
        el('td', { class: 'num' }, s.p99Ms === null ? '—' : s.p99Ms.toFixed(1) + ' ms'),
        el('td', {}, sparkline(s.series)));
    });
    $('routes').tBodies[0].replaceChildren(...rows);
  }

  function renderUpstreams(upstreams) {
    const rows = upstreams.upstreams.map((u) => {
      const breaker = u.circuitBreaker ? u.circuitBreaker.state : 'none';
      const tone = breaker === 'closed' ? 'ok' : breaker === 'none' ? 'muted' : breaker === 'open' ? 'bad' : 'warn';
      const endpoints = u.endpoints.map((e) => {
        const bad = e.ejected || e.health === 'unhealthy' || !e.available;
        const label = e.address + (e.ejected ? ' ejected' : e.health === 'unchecked' ? '' : ' ' + e.health);
        return badge(label, bad ? 'bad' : 'ok');
      });
      return el('tr', { 'data-upstream': u.name },
        el('td', {}, u.name, u.allUnhealthy ? badge('all unhealthy', 'bad') : null),
        el('td', {}, badge(breaker, tone)),
        el('td', { class: 'num' }, u.inFlight + (u.maxInFlight ? ' / ' + u.maxInFlight : '')),
        el('td', {}, ...endpoints));
    });
    $('upstreams').tBodies[0].replaceChildren(...rows);
  }

  function renderConfig(config) {
    $('config-version').textContent = config.version;
    $('config-applied').textContent = 'at ' + time(config.appliedAt);
    $('config-changes').replaceChildren(...config.changes.map((c) =>
      el('li', {}, el('strong', {}, c.version), ' applied at ' + time(c.at))));
    $('config-rejections').replaceChildren(...(config.rejections.length === 0
      ? [el('li', { class: 'muted' }, 'none')]
      : config.rejections.map((r) => el('li', { class: 'error' }, time(r.at) + ' ' + r.source + ': ' + r.reason))));
  }

  function renderRateLimits(rl, node) {
    const state = rl.backend === 'redis'
      ? (rl.degraded ? badge('Redis degraded: node-local fallback', 'bad') : badge('Redis: shared limits', 'ok'))
      : badge('node-local limits (no Redis)', 'muted');
    $('ratelimit-node').textContent = '(decisions counted on ' + node + ')';
    $('ratelimit-state').replaceChildren(state, ' fallback decisions ' + rl.fallbackDecisions
      + ', Redis errors ' + rl.redisErrors + ', breaker openings ' + rl.breakerOpenings);
    $('ratelimits').tBodies[0].replaceChildren(...rl.policies.map((p) =>
      el('tr', {}, el('td', {}, p.policy), el('td', { class: 'num' }, p.allowed), el('td', { class: 'num' }, p.limited))));
  }

  function setStatus(text, tone) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + tone;
  }

  async function refresh() {
    try {
      const [cluster, stats, routes, upstreams] = await Promise.all([
        getJson('/admin/cluster'), getJson('/admin/stats'), getJson('/admin/routes'), getJson('/admin/upstreams')]);
      renderNodes(cluster);
      renderRoutes(routes, stats);
      renderUpstreams(upstreams);
      renderConfig(stats.config);
      renderRateLimits(stats.rateLimits, stats.node);
      $('dashboard').hidden = false;
      $('login').hidden = true;
      $('sign-out').hidden = false;
      setStatus('live, updated ' + new Date().toLocaleTimeString(), 'ok');
    } catch (e) {
      if (e instanceof Unauthorized) {
        signOut(e.message);
      } else {
        setStatus('update failed: ' + e.message, 'bad');
      }
    }
  }

  function start() {
    stop();
    refresh();
    timer = setInterval(refresh, POLL_MS);
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  function signOut(message) {
    stop();
    sessionStorage.removeItem(TOKEN_KEY);
    $('dashboard').hidden = true;
    $('login').hidden = false;
    $('sign-out').hidden = true;
    const err = $('login-error');
    err.hidden = !message;
    err.textContent = message || '';
    setStatus('not signed in', 'bad');
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token').value.trim();
      $('token').value = '';
      sessionStorage.setItem(TOKEN_KEY, t); // empty: a loopback node without a token
      start();
    });
    $('sign-out').addEventListener('click', () => signOut(''));
    if (token() !== null) start(); // signed in earlier in this tab
  });
})();
