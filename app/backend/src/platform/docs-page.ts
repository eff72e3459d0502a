// The API reference at /api/docs: one static HTML page whose inline script fetches the OpenAPI
// document and renders it (operations grouped by tag, parameters, request and response field
// trees, error responses, a filter box). It builds the DOM with createElement/textContent only,
// never innerHTML: summaries and descriptions are data, and a `<img onerror>` in one is shown as
// text. Everything is inline because the page is served with a CSP that allows nothing else
// (inline script and style, fetches to 'self').

const STYLE = `
:root{--b:#d0d7de;--m:#57606a;--bg:#f6f8fa}
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--b);padding:.8rem 2rem;z-index:1}
header h1{font-size:1.3rem;margin:0 0 .4rem}
main{padding:1rem 2rem 4rem;max-width:80rem}
input[type=search]{width:100%;max-width:36rem;padding:.4rem .6rem;font:inherit;border:1px solid var(--b);border-radius:6px}
h2{margin:1.6rem 0 .4rem;font-size:1.1rem}
details.op{border:1px solid var(--b);border-radius:6px;margin:.35rem 0;background:#fff;scroll-margin-top:7rem}
details.op>summary{cursor:pointer;padding:.4rem .6rem;list-style:none;display:flex;gap:.6rem;align-items:baseline}
details.op[open]>summary{border-bottom:1px solid var(--b);background:var(--bg)}
.op-body{padding:.4rem .9rem .8rem}
.m{font-weight:700;font-family:ui-monospace,monospace;width:4.2rem;flex:none}
.m-get{color:#0969da}.m-post{color:#1a7f37}.m-patch{color:#9a6700}.m-put{color:#9a6700}.m-delete{color:#cf222e}
code,.path{font-family:ui-monospace,monospace;font-size:.92em}
.muted{color:var(--m)}
.badge{display:inline-block;border:1px solid var(--b);border-radius:1em;padding:0 .5em;font-size:.8em;color:var(--m);margin-left:.3em}
.req{color:#cf222e;border-color:#ffcecb}
table{border-collapse:collapse;margin:.3rem 0}
td,th{border:1px solid var(--b);padding:.2rem .5rem;text-align:left;vertical-align:top}
h4{margin:.9rem 0 .3rem;font-size:.95rem}
ul.tree{list-style:none;margin:.1rem 0;padding-left:1.1rem;border-left:1px dashed var(--b)}
ul.tree.top{padding-left:0;border:0}
.type{color:#8250df;font-family:ui-monospace,monospace;font-size:.9em}
.enum code{background:var(--bg);padding:0 .25em;margin-right:.2em}
.status{font-family:ui-monospace,monospace;font-weight:700;margin-right:.4em}
.hidden{display:none}
`;

/**
 * The page script. Plain ES2020 run by the browser; `SPEC_URL` is defined before it. Kept in a
 * string (not compiled from TypeScript) because the backend build has no DOM types.
 */
const SCRIPT = String.raw`
'use strict';
const el = (tag, props, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
};
/** Prose with \`code\` spans, as text nodes and <code> elements (never parsed as HTML). */
const prose = (s) => String(s).split('\u0060').map((part, i) => (i % 2 ? el('code', {}, part) : part));
let spec;
const refName = (r) => r.split('/').pop();
const resolve = (s) => (s && s.$ref ? spec.components.schemas[refName(s.$ref)] || {} : s || {});

/** A short type label: string, integer, Task, array of Task, string | null ... */
function typeOf(s) {
  if (!s || typeof s !== 'object') return 'any';
  if (s.$ref) return refName(s.$ref);
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = s.anyOf || s.oneOf;
  if (alts) return alts.map(typeOf).join(' | ');
  const t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const base = t.map((x) => {
    if (x === 'array') return 'array of ' + typeOf(s.items);
    if (x === 'string' && s.format) return 'string (' + s.format + ')';
    if (x === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties)
      return 'map of ' + typeOf(s.additionalProperties);
    return x;
  });
  return base.length ? base.join(' | ') : 'any';
}

/** What a schema says about a value besides its type: enum, description, limits. */
function facts(s, into) {
  const r = resolve(s);
  const own = s && s.description !== undefined ? s : r;
  if (own.description) into.append(' ', el('span', { class: 'muted' }, '— ', ...prose(own.description)));
  const en = r.enum || (r.items && resolve(r.items).enum);
  if (en)
    into.append(' ', el('span', { class: 'enum' }, 'one of ', ...en.flatMap((v, i) => (i ? [', ', el('code', {}, String(v))] : [el('code', {}, String(v))]))));
  const lim = [];
  if (r.minLength !== undefined) lim.push('min length ' + r.minLength);
  if (r.maxLength !== undefined) lim.push('max length ' + r.maxLength);
  // zod writes the safe-integer range on every integer: not worth a line.
  if (r.minimum !== undefined && r.minimum > -Number.MAX_SAFE_INTEGER) lim.push('≥ ' + r.minimum);
  if (r.maximum !== undefined && r.maximum < Number.MAX_SAFE_INTEGER) lim.push('≤ ' + r.maximum);
  if (r.maxItems !== undefined) lim.push('at most ' + r.maxItems + ' items');
  if (r.default !== undefined) lim.push('default ' + JSON.stringify(r.default));
  if (lim.length) into.append(' ', el('span', { class: 'muted' }, '(' + lim.join(', ') + ')'));
}

/** The object (or the array's object, or the union's objects) whose fields a tree lists. */
function fieldsOf(s, seen) {
  const r = resolve(s);
  if (s && s.$ref && seen.has(s.$ref)) return null;
  if (r.properties) return { obj: r };
  if (r.type === 'array' && r.items) return fieldsOf(r.items, seen);
  const alts = r.anyOf || r.oneOf;
  if (alts) {
    const objs = alts.filter((a) => resolve(a).properties || a.$ref);
    if (objs.length === 1) return fieldsOf(objs[0], seen);
    if (objs.length > 1) return { alts: objs };
  }
  return null;
}

/** A field tree: one line per property (name, type, required, facts), nested objects below. */
function tree(s, seen, depth, top) {
  const f = fieldsOf(s, seen);
  if (!f || depth > 8) return null;
  const next = new Set(seen);
  if (s && s.$ref) next.add(s.$ref);
  const r = resolve(s);
  if (r.items && r.items.$ref) next.add(r.items.$ref);
  const ul = el('ul', { class: top ? 'tree top' : 'tree' });
  if (f.alts) {
    f.alts.forEach((a, i) => {
      const li = el('li', {}, el('span', { class: 'muted' }, i ? 'or ' : 'one of '), el('span', { class: 'type' }, typeOf(a)));
      const sub = tree(a, next, depth + 1, false);
      if (sub) li.append(sub);
      ul.append(li);
    });
    return ul;
  }
  const required = new Set(f.obj.required || []);
  for (const [name, p] of Object.entries(f.obj.properties)) {
    const li = el('li', { class: 'field', 'data-field': name }, el('code', {}, name), ' ', el('span', { class: 'type' }, typeOf(p)));
    if (required.has(name)) li.append(' ', el('span', { class: 'badge req' }, 'required'));
    facts(p, li);
    const sub = tree(p, next, depth + 1, false);
    if (sub) li.append(sub);
    ul.append(li);
  }
  if (f.obj.additionalProperties === false && depth === 0)
    ul.append(el('li', { class: 'muted' }, 'no other fields'));
  return ul;
}

function schemaBlock(title, s) {
  const wrap = el('div', {}, el('h4', {}, title, ' ', el('span', { class: 'type' }, typeOf(s))));
  const t = tree(s, new Set(), 0, true);
  if (t) wrap.append(t);
  else facts(s, wrap);
  return wrap;
}

const AUTH = { public: 'public (no sign-in)', user: 'signed in (Bearer token)', admin: 'instance admin' };

function operation(path, method, op) {
  const words = [method, path, op.summary || '', (op.tags || []).join(' ')];
  const sum = el('summary', {},
    el('span', { class: 'm m-' + method }, method.toUpperCase()),
    el('span', { class: 'path' }, path),
    el('span', { class: 'muted' }, op.summary || ''));
  const body = el('div', { class: 'op-body' });
  const auth = op['x-auth'] || (op.security && op.security.length === 0 ? 'public' : 'user');
  if (auth !== 'user') sum.append(el('span', { class: 'badge' }, auth));
  body.append(el('p', {}, el('strong', {}, 'Auth: '), AUTH[auth] || auth));
  const params = op.parameters || [];
  if (params.length) {
    const rows = params.map((p) => {
      words.push(p.name);
      const d = el('td', {});
      facts(p.schema || {}, d);
      if (p.description) d.append(' ', el('span', { class: 'muted' }, ...prose(p.description)));
      return el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in),
        el('td', { class: 'type' }, typeOf(p.schema)), el('td', {}, p.required ? 'yes' : 'no'), d);
    });
    body.append(el('h4', {}, 'Parameters'),
      el('table', {}, el('thead', {}, el('tr', {}, ...['name', 'in', 'type', 'required', ''].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)));
  }
  const reqContent = op.requestBody && op.requestBody.content;
  if (reqContent)
    for (const [type, c] of Object.entries(reqContent)) {
      const b = schemaBlock('Request body (' + type + ')', c.schema);
      b.querySelectorAll('[data-field]').forEach((x) => words.push(x.getAttribute('data-field')));
      body.append(b);
    }
  const errors = el('ul', {});
  for (const [status, r] of Object.entries(op.responses || {})) {
    const ok = /^2/.test(status);
    if (!ok) {
      errors.append(el('li', { class: 'error', 'data-status': status }, el('span', { class: 'status' }, status), ...prose(r.description || '')));
      continue;
    }
    body.append(el('h4', {}, 'Response ', el('span', { class: 'status' }, status), el('span', { class: 'muted' }, r.description || '')));
    for (const [type, c] of Object.entries(r.content || {})) {
      const b = schemaBlock(type, c.schema);
      b.classList.add('response');
      b.querySelectorAll('[data-field]').forEach((x) => words.push(x.getAttribute('data-field')));
      body.append(b);
    }
    for (const h of Object.keys(r.headers || {})) body.append(el('p', {}, 'Header ', el('code', {}, h), ' ', el('span', { class: 'muted' }, ...prose(r.headers[h].description || ''))));
  }
  body.append(el('h4', {}, 'Errors (body: ', el('span', { class: 'type' }, 'Error'), ')'), errors);
  const d = el('details', { class: 'op', id: op.operationId || method + path }, sum, body);
  d.dataset.search = words.join(' ').toLowerCase();
  return d;
}

function render() {
  const root = document.getElementById('ops');
  root.textContent = '';
  const byTag = new Map();
  for (const [path, methods] of Object.entries(spec.paths))
    for (const [method, op] of Object.entries(methods)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(path, method, op));
    }
  for (const [tag, ops] of byTag) root.append(el('section', { class: 'tag', 'data-tag': tag }, el('h2', {}, tag), ...ops));
  const count = document.getElementById('count');
  const filter = () => {
    const words = document.getElementById('q').value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const s of root.querySelectorAll('section.tag')) {
      let any = false;
      for (const d of s.querySelectorAll('details.op')) {
        const hit = words.every((w) => d.dataset.search.includes(w));
        d.classList.toggle('hidden', !hit);
        if (hit) { any = true; shown++; }
      }
      s.classList.toggle('hidden', !any);
    }
    count.textContent = shown + ' operations';
  };
  document.getElementById('q').addEventListener('input', filter);
  filter();
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
}

const link = document.getElementById('spec');
link.href = SPEC_URL;
link.textContent = SPEC_URL;
fetch(SPEC_URL, { headers: { accept: 'application/json' } })
  .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
  .then((s) => {
    spec = s;
    document.getElementById('version').textContent = (s.info && s.info.version) || '';
    render();
  })
  .catch((e) => { document.getElementById('ops').textContent = 'Could not load the OpenAPI document: ' + e.message; });
`;

/** The page's Content-Security-Policy: its own inline script and style, fetches to itself. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

/** JSON for a <script> element: `<` escaped so no string can close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

export const docsHtml = (specUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>PMS API reference</title><style>${STYLE}</style></head>
<body><header><h1>PMS API reference <span id="version" class="muted"></span></h1>
<input id="q" type="search" placeholder="Filter: path, summary, tag, parameter or field name" aria-label="Filter operations" autocomplete="off">
<span id="count" class="muted"></span> · OpenAPI document: <a id="spec"></a></header>
<main id="ops">Loading…</main>
<script>const SPEC_URL = ${scriptJson(specUrl)};${SCRIPT}</script></body></html>`;
