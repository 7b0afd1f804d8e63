// Renders the Swagger 2.0 document at /swagger.json: operations grouped by
// tag with their parameters and responses, the schemas, and a "Try it" form
// per operation that sends the request to this server with fetch.
'use strict';

const KEY_STORE = 'upscaled.apiKey';
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined && kid !== false) e.append(kid);
  return e;
};

let spec = null;

function refName(ref) { return ref.replace('#/definitions/', ''); }
function anchor(name) { return 'schema-' + name.replace(/[^A-Za-z0-9_-]/g, '_'); }

// typeOf describes a schema or parameter in a few words, linking $refs.
function typeOf(s) {
  if (!s) return document.createTextNode('');
  if (s.$ref) return el('a', { href: '#' + anchor(refName(s.$ref)), text: refName(s.$ref) });
  if (s.allOf) {
    const span = el('span');
    s.allOf.forEach((p, i) => { if (i) span.append(' & '); span.append(typeOf(p)); });
    return span;
  }
  if (s.type === 'array') {
    const span = el('span', { text: 'array of ' });
    span.append(typeOf(s.items));
    return span;
  }
  if (s.type === 'object' && s.additionalProperties) {
    const span = el('span', { text: 'map of string to ' });
    span.append(typeOf(s.additionalProperties));
    return span;
  }
  let t = s.type || 'any';
  if (s.format) t += ` (${s.format})`;
  return document.createTextNode(t);
}

function constraints(s) {
  const out = [];
  if (s.enum) out.push('one of: ' + s.enum.map((v) => JSON.stringify(v)).join(', '));
  if (s.default !== undefined) out.push('default ' + JSON.stringify(s.default));
  if (s.minimum !== undefined) out.push('≥ ' + s.minimum);
  if (s.maximum !== undefined) out.push('≤ ' + s.maximum);
  if (s.minLength !== undefined) out.push('min length ' + s.minLength);
  if (s.maxLength !== undefined) out.push('max length ' + s.maxLength);
  if (s.example !== undefined) out.push('example ' + JSON.stringify(s.example));
  return out.join('; ');
}

function paramRows(params) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ...['Name', 'In', 'Type', 'Required', 'Description'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...params.map((p) => el('tr', {},
      el('td', {}, el('code', { text: p.name })),
      el('td', { text: p.in }),
      el('td', {}, typeOf(p.schema || p)),
      el('td', { text: p.required ? 'yes' : 'no' }),
      el('td', {}, p.description || '', el('div', { class: 'muted small', text: constraints(p.schema || p) })),
    ))));
}

function responsesTable(op) {
  const rows = Object.entries(op.responses || {}).map(([code, r]) => el('tr', {},
    el('td', {}, el('code', { text: code })),
    el('td', { text: r.description || '' }),
    el('td', {}, typeOf(r.schema)),
    el('td', {}, ...Object.entries(r.headers || {}).map(([h, v]) => el('div', {}, el('code', { text: h }), ' ', v.description || '')))));
  return el('table', {},
    el('thead', {}, el('tr', {}, ...['Status', 'Meaning', 'Body', 'Headers'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows));
}

// tryForm builds a form with one input per parameter and sends the request.
function tryForm(path, method, op) {
  const params = op.parameters || [];
  const id = (p) => `${method}-${path}-${p.in}-${p.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const fields = params.map((p) => {
    const fid = id(p);
    let input;
    if (p.type === 'file') input = el('input', { id: fid, type: 'file', multiple: true });
    else if (p.enum) input = el('select', { id: fid }, el('option', { value: '', text: '(not set)' }), ...p.enum.map((v) => el('option', { value: String(v), text: String(v) })));
    else if (p.type === 'boolean') input = el('select', { id: fid }, ...['', 'true', 'false'].map((v) => el('option', { value: v, text: v || '(not set)' })));
    else if (p.in === 'body') input = el('textarea', { id: fid, rows: '4' });
    else input = el('input', { id: fid, type: p.type === 'integer' || p.type === 'number' ? 'number' : 'text', placeholder: p.default !== undefined ? String(p.default) : '' });
    return { p, input, label: el('label', { for: fid }, el('span', {}, el('code', { text: p.name }), ` (${p.in}${p.required ? ', required' : ''})`), input) };
  });
  const out = el('div', { class: 'try-out', 'aria-live': 'polite' });
  const send = async (ev) => {
    ev.preventDefault();
    out.replaceChildren(el('p', { class: 'muted', text: 'Sending…' }));
    let url = path;
    const query = new URLSearchParams();
    const headers = {};
    const form = new FormData();
    let hasForm = false;
    let body;
    for (const { p, input } of fields) {
      if (p.type === 'file') {
        for (const f of input.files) { form.append(p.name, f, f.name); hasForm = true; }
        continue;
      }
      const v = input.value;
      if (v === '') continue;
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(v));
      else if (p.in === 'query') query.append(p.name, v);
      else if (p.in === 'header') headers[p.name] = v;
      else if (p.in === 'formData') { form.append(p.name, v); hasForm = true; }
      else if (p.in === 'body') { body = v; headers['Content-Type'] = 'application/json'; }
    }
    if (hasForm) body = form;
    const key = $('apikey').value.trim();
    if (key) headers.Authorization = 'Bearer ' + key;
    if (query.toString()) url += '?' + query;
    const started = performance.now();
    try {
      const res = await fetch(url, { method: method.toUpperCase(), headers, body });
      await showResponse(out, res, url, started);
    } catch (err) {
      out.replaceChildren(el('p', { class: 'error', text: 'Request failed: ' + err.message }));
    }
  };
  return el('form', { class: 'try', onsubmit: send },
    el('h4', { text: 'Try it' }),
    el('div', { class: 'try-fields' }, ...fields.map((f) => f.label)),
    el('button', { type: 'submit', text: `Send ${method.toUpperCase()} ${path}` }),
    out);
}

async function showResponse(out, res, url, started) {
  const ct = res.headers.get('Content-Type') || '';
  const ms = Math.round(performance.now() - started);
  const head = el('p', {}, el('strong', { text: `${res.status} ${res.statusText}` }), ` · ${ct || 'no body type'} · ${ms} ms · `, el('code', { text: url }));
  const hdrs = el('details', {}, el('summary', { text: 'Response headers' }),
    el('pre', { text: [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n') }));
  let body;
  if (ct.includes('text/event-stream')) {
    body = el('pre', { class: 'body' });
    out.replaceChildren(head, hdrs, body);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      body.textContent += value;
    }
    return;
  }
  if (ct.startsWith('image/') || ct.includes('zip') || ct.includes('octet-stream')) {
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    body = el('div', {},
      ct.startsWith('image/') ? el('img', { src: href, alt: 'response image', class: 'preview' }) : null,
      el('p', {}, el('a', { href, download: '', text: `Download (${blob.size} bytes)` })));
  } else {
    const text = await res.text();
    let shown = text;
    if (ct.includes('json')) { try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* as is */ } }
    body = el('pre', { class: 'body', text: shown });
  }
  out.replaceChildren(head, hdrs, body);
}

function renderOperation(path, method, op) {
  const id = `op-${method}-${path}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const params = op.parameters || [];
  return el('details', { class: 'op', id },
    el('summary', {}, el('span', { class: `method ${method}`, text: method.toUpperCase() }), ' ', el('code', { class: 'path', text: path }), ' ', el('span', { class: 'summary', text: op.summary || '' })),
    el('div', { class: 'op-body' },
      op.description ? el('p', { text: op.description }) : null,
      el('p', { class: 'muted small' },
        op.consumes ? `Request body: ${op.consumes.join(', ')}. ` : '',
        op.produces ? `Responses: ${op.produces.join(', ')}.` : '',
        op.security ? ' Needs the API key when keys are on.' : ''),
      params.length ? el('h4', { text: 'Parameters' }) : null,
      params.length ? paramRows(params) : null,
      el('h4', { text: 'Responses' }),
      responsesTable(op),
      tryForm(path, method, op)));
}

function renderSchema(name, s) {
  const props = Object.entries(s.properties || {});
  const req = new Set(s.required || []);
  return el('details', { class: 'schema', id: anchor(name) },
    el('summary', {}, el('code', { text: name }), ' ', el('span', { class: 'muted', text: s.description || s.type || '' })),
    props.length ? el('table', {},
      el('thead', {}, el('tr', {}, ...['Field', 'Type', 'Required', 'Description'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...props.map(([k, p]) => el('tr', {},
        el('td', {}, el('code', { text: k })),
        el('td', {}, typeOf(p)),
        el('td', { text: req.has(k) ? 'yes' : 'no' }),
        el('td', {}, p.description || '', el('div', { class: 'muted small', text: constraints(p) })))))) :
      el('p', {}, typeOf(s), ' ', constraints(s)));
}

function render() {
  document.title = `${spec.info.title} — documentation`;
  $('title').textContent = spec.info.title;
  $('version').textContent = `Version ${spec.info.version} · Swagger ${spec.swagger}`;
  $('description').replaceChildren(el('p', { text: spec.info.description || '' }));
  const byTag = new Map();
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, method, op]);
    }
  }
  // tags in the spec's order (its "tags" list), then any others
  const tagInfo = new Map((spec.tags || []).map((t) => [t.name, t.description || '']));
  const order = [...tagInfo.keys(), ...[...byTag.keys()].filter((t) => !tagInfo.has(t))];
  const toc = el('ul');
  const ops = $('ops');
  for (const tag of order) {
    const list = byTag.get(tag);
    if (!list) continue;
    const section = el('section', { class: 'panel', 'aria-label': tag }, el('h2', { class: 'tag', text: tag }),
      tagInfo.get(tag) ? el('p', { class: 'muted tag-desc', text: tagInfo.get(tag) }) : null);
    for (const [path, method, op] of list) {
      const node = renderOperation(path, method, op);
      section.append(node);
      toc.append(el('li', {}, el('a', { href: '#' + node.id, onclick: () => { node.open = true; } }, el('span', { class: `method ${method}`, text: method.toUpperCase() }), ' ', path)));
    }
    ops.append(section);
  }
  $('toc').replaceChildren(el('h2', { text: 'Operations' }), toc);
  $('schemas').replaceChildren(...Object.entries(spec.definitions || {}).map(([n, s]) => renderSchema(n, s)));
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
  }
}

async function init() {
  const key = $('apikey');
  key.value = localStorage.getItem(KEY_STORE) || '';
  key.addEventListener('change', () => {
    if (key.value.trim()) localStorage.setItem(KEY_STORE, key.value.trim());
    else localStorage.removeItem(KEY_STORE);
  });
  try {
    const res = await fetch('/swagger.json');
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    spec = await res.json();
    render();
  } catch (err) {
    $('load-error').textContent = 'Could not load /swagger.json: ' + err.message;
    $('load-error').hidden = false;
  }
}

document.addEventListener('DOMContentLoaded', init);
