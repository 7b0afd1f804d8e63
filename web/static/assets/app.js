// upscaled upload page. Uses only the public HTTP API of the server that
// served it: GET /v1/models, POST /v1/jobs, GET /v1/jobs/{id}/events (read
// with fetch so the API key can be sent as a Bearer header),
// GET /v1/jobs/{id}, GET /v1/jobs/{id}/items/{n}, GET /v1/jobs/{id}/archive,
// DELETE /v1/jobs/{id}.
'use strict';

const KEY_STORE = 'upscaled.apiKey';
const JOB_STORE = 'upscaled.lastJob';
const FINAL = new Set(['succeeded', 'partially_succeeded', 'failed', 'canceled']);

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
};

const state = {
  files: [],          // File objects chosen, in order
  models: [],         // normalised catalog entries
  job: null,          // latest job document
  cards: new Map(),   // item index -> {li, bar, …, originalURL}
  stream: null,       // AbortController of the events stream
};

// ---------- API access ----------

function apiKey() { return $('apikey').value.trim(); }

function authHeaders(extra = {}) {
  const h = { ...extra };
  const key = apiKey();
  if (key) h.Authorization = 'Bearer ' + key;
  return h;
}

// ProblemError carries an RFC 9457 problem document from the server.
class ProblemError extends Error {
  constructor(status, problem) {
    super(describeProblem(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function describeProblem(status, p) {
  const title = statusText(status) || (p && p.title) || `HTTP ${status}`;
  const detail = p && p.detail;
  let msg = detail ? `${title}: ${detail}` : title;
  if (status === 401) msg += ' — enter a valid API key below.';
  return msg;
}

function statusText(status) {
  return ({
    400: 'Bad request', 401: 'API key required', 404: 'Not found', 413: 'Too large',
    415: 'Unsupported image', 422: 'Unreadable image', 429: 'Too many requests',
    500: 'Server error', 503: 'Server busy', 507: 'Server out of disk space',
  })[status];
}

async function problemFrom(res) {
  let body = null;
  try {
    const text = await res.text();
    body = JSON.parse(text);
  } catch (_) { /* not JSON: keep the status line */ }
  return new ProblemError(res.status, body);
}

async function api(path, opts = {}) {
  const res = await fetch(path, { ...opts, headers: authHeaders(opts.headers) });
  if (!res.ok) throw await problemFrom(res);
  return res;
}

// ---------- messages ----------

function showError(err) {
  const box = $('error');
  box.textContent = err instanceof Error ? err.message : String(err);
  box.hidden = false;
  if (err instanceof ProblemError && err.status === 401) {
    $('key-box').open = true;
    $('apikey').focus();
  }
}

function clearError() { $('error').hidden = true; $('error').textContent = ''; }

function setStatus(text) { $('status').textContent = text; }

// ---------- models ----------

// A catalog entry in plain words: style (family + variant), scale, denoise.
function normaliseModel(m) {
  const id = m.id ?? m.ID;
  const family = m.family ?? m.Family ?? id.split('-')[0];
  const scale = Number(m.scale ?? m.Scale);
  const denoise = Number(m.denoise ?? m.Denoise ?? 0);
  const installed = (m.installed ?? m.Installed) !== false;
  const description = m.description ?? m.Description ?? '';
  // style: the id without its scale and denoise words
  const style = id.split('-').filter((s) =>
    !/^up\dx$/.test(s) && !/^x\d$/.test(s) &&
    !/^(conservative|no|denoise|denoise\dx)$/.test(s)).join('-');
  return { id, family, scale, denoise, installed, description, style, isDefault: !!(m.default ?? m.Default) };
}

const STYLE_WORDS = {
  realcugan: 'Manga & anime, keeps line art (Real-CUGAN)',
  'realesrgan-animevideov3': 'Anime, fast (Real-ESRGAN animevideo v3)',
  'realesrgan-x4plus-anime': 'Anime illustration, sharp (Real-ESRGAN x4plus anime)',
  'realesrgan-x4plus': 'Photos & general images (Real-ESRGAN x4plus)',
};

function denoiseWords(d) {
  return ({ '-1': 'Conservative (keeps texture)', 0: 'None', 1: 'Light (level 1)', 2: 'Medium (level 2)', 3: 'Strong (level 3)' })[d] ?? `Level ${d}`;
}

async function loadModels() {
  try {
    const res = await api('/v1/models');
    const body = await res.json();
    const list = Array.isArray(body) ? body : (body.models ?? body.Models ?? []);
    state.models = list.map(normaliseModel);
    if (!state.models.length) throw new Error('The server lists no models.');
    fillStyles();
  } catch (err) {
    showError(err instanceof ProblemError ? err : new Error('Could not load the model list: ' + err.message));
  }
}

function option(value, text, disabled = false) {
  return el('option', { value, disabled: disabled || undefined, text });
}

function fillSelect(sel, options, keep) {
  const prev = keep ? sel.value : null;
  sel.replaceChildren(...options);
  if (prev !== null && [...sel.options].some((o) => o.value === prev && !o.disabled)) sel.value = prev;
  else {
    const first = [...sel.options].find((o) => !o.disabled);
    if (first) sel.value = first.value;
  }
  sel.disabled = sel.options.length <= 1;
}

function fillStyles() {
  const styles = [...new Set(state.models.map((m) => m.style))];
  const def = state.models.find((m) => m.isDefault && m.installed) || state.models.find((m) => m.installed);
  fillSelect($('family'), styles.map((s) => {
    const any = state.models.some((m) => m.style === s && m.installed);
    return option(s, (STYLE_WORDS[s] || s) + (any ? '' : ' — not installed'), !any);
  }));
  if (def) $('family').value = def.style;
  fillScales();
  if (def) { $('scale').value = String(def.scale); fillDenoise(); $('denoise').value = def.id; }
  showModel();
}

function fillScales() {
  const ms = state.models.filter((m) => m.style === $('family').value);
  const scales = [...new Set(ms.map((m) => m.scale))].sort((a, b) => a - b);
  fillSelect($('scale'), scales.map((s) => {
    const any = ms.some((m) => m.scale === s && m.installed);
    return option(String(s), `${s}× larger` + (any ? '' : ' — not installed'), !any);
  }), true);
  fillDenoise();
}

function fillDenoise() {
  const ms = state.models.filter((m) => m.style === $('family').value && String(m.scale) === $('scale').value)
    .sort((a, b) => a.denoise - b.denoise);
  fillSelect($('denoise'), ms.map((m) => option(m.id, denoiseWords(m.denoise) + (m.installed ? '' : ' — not installed'), !m.installed)), false);
  showModel();
}

function chosenModel() { return state.models.find((m) => m.id === $('denoise').value); }

function showModel() {
  const m = chosenModel();
  $('model-id').textContent = m ? m.id : '—';
  $('model-desc').textContent = m ? m.description : '';
  updateSubmit();
}

// ---------- files ----------

function humanBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function addFiles(list) {
  for (const f of list) {
    if (f.type && !f.type.startsWith('image/')) {
      showError(new Error(`${f.name} is not an image (${f.type}); it was not added.`));
      continue;
    }
    state.files.push(f);
  }
  renderPicked();
}

function renderPicked() {
  const ul = $('picked');
  ul.replaceChildren(...state.files.map((f, i) => el('li', {},
    el('span', { class: 'name', text: f.name }),
    el('span', { class: 'muted', text: humanBytes(f.size) }),
    el('button', {
      type: 'button', class: 'link', 'aria-label': `Remove ${f.name}`, text: 'Remove',
      onclick: () => { state.files.splice(i, 1); renderPicked(); },
    }))));
  updateSubmit();
}

function updateSubmit() {
  $('submit').disabled = !state.files.length || !chosenModel();
  $('submit').textContent = state.files.length > 1 ? `Upscale ${state.files.length} images` : 'Upscale';
}

// ---------- options ----------

function formatIsLossy() {
  const f = $('format').value;
  return f === 'jpeg' || f === 'same' || (f === 'webp' && !$('lossless').checked);
}

function syncOutputControls() {
  $('quality').disabled = !formatIsLossy();
  $('lossless').disabled = $('format').value !== 'webp';
  $('quality-out').textContent = $('quality').value;
}

// ---------- submitting a job ----------

function submitJob(form) {
  // XMLHttpRequest, for upload progress on large batches
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/jobs');
    for (const [k, v] of Object.entries(authHeaders({ Accept: 'application/json' }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) setStatus(`Uploading… ${Math.round((100 * e.loaded) / e.total)}%`);
    };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* keep null */ }
      if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
      else reject(new ProblemError(xhr.status, body));
    };
    xhr.onerror = () => reject(new Error('The upload failed: the server could not be reached or closed the connection (the upload may be larger than the server accepts).'));
    xhr.send(form);
  });
}

async function onSubmit(ev) {
  ev.preventDefault();
  clearError();
  const m = chosenModel();
  if (!state.files.length || !m) return;
  const form = new FormData();
  for (const f of state.files) form.append('images', f, f.name);
  form.append('model', m.id);
  form.append('format', $('format').value);
  if (formatIsLossy()) form.append('quality', $('quality').value);
  if ($('format').value === 'webp' && $('lossless').checked) form.append('lossless', 'true');
  const originals = state.files.slice();
  $('submit').disabled = true;
  setStatus('Uploading…');
  try {
    const job = await submitJob(form);
    setStatus(`Job ${job.id} accepted.`);
    localStorage.setItem(JOB_STORE, job.id);
    startJob(job, originals);
  } catch (err) {
    setStatus('');
    showError(err);
  } finally {
    updateSubmit();
  }
}

// ---------- following a job ----------

function itemsOf(job) { return job.items ?? []; }
function itemIndex(item, i) { return item.index ?? item.n ?? i; }

function startJob(job, originals) {
  if (state.stream) state.stream.abort();
  for (const c of state.cards.values()) revokeCard(c);
  state.cards.clear();
  state.job = job;
  state.originals = originals;
  closeCompare(false);
  $('items').replaceChildren();
  $('results').hidden = false;
  $('zip').disabled = true;
  $('cancel').hidden = false;
  render(job);
  followEvents(job.id);
}

// followEvents reads the job's Server-Sent Events with fetch (EventSource
// cannot send an Authorization header) and re-renders on every event.
async function followEvents(id) {
  const ctl = new AbortController();
  state.stream = ctl;
  try {
    const res = await api(`/v1/jobs/${encodeURIComponent(id)}/events`, { signal: ctl.signal, headers: { Accept: 'text/event-stream' } });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value.replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        await onEvent(id, parseEvent(block));
        if (state.job && FINAL.has(state.job.state)) { ctl.abort(); return; }
      }
    }
  } catch (err) {
    if (ctl.signal.aborted) return;
    showError(err);
  }
  // the stream ended before a final state (server restart, proxy timeout): poll
  if (state.stream === ctl && !(state.job && FINAL.has(state.job.state))) poll(id, ctl);
}

function parseEvent(block) {
  const ev = { event: 'message', data: '' };
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') ev.event = value;
    else if (field === 'data') data.push(value);
  }
  ev.data = data.join('\n');
  return ev;
}

// onEvent applies one event of GET /v1/jobs/{id}/events: "state" (the job
// document without items), "item" (one item's document) or "progress" (a
// tile finished: item, tiles_done, tiles_total and the job's progress).
async function onEvent(id, ev) {
  let data = null;
  try { data = ev.data ? JSON.parse(ev.data) : null; } catch (_) { /* not JSON */ }
  if (!data || !state.job || state.job.id !== id) return; // a stream of a job no longer shown
  const job = state.job;
  switch (ev.event) {
    case 'state': {
      const items = Array.isArray(data.items) ? data.items : job.items;
      const next = { ...job, ...data, items };
      if (FINAL.has(next.state)) {
        // the final state: fetch the whole document once, with every item
        await refresh(id);
        return;
      }
      render(next);
      return;
    }
    case 'item': {
      const items = itemsOf(job).slice();
      const i = items.findIndex((it, k) => itemIndex(it, k) === data.index);
      if (i >= 0) items[i] = data; else items.push(data);
      render({ ...job, items });
      return;
    }
    case 'progress': {
      const items = itemsOf(job).map((it, k) => (itemIndex(it, k) === data.item
        ? { ...it, state: 'running', tiles_done: data.tiles_done, tiles_total: data.tiles_total } : it));
      render({ ...job, items, progress: data.progress ?? job.progress });
      return;
    }
    default:
      await refresh(id);
  }
}

async function refresh(id) {
  try {
    const res = await api(`/v1/jobs/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    const job = await res.json();
    if (state.job && state.job.id === id) render(job);
  } catch (err) {
    showError(err);
  }
}

async function poll(id, ctl) {
  while (state.stream === ctl && !(state.job && FINAL.has(state.job.state))) {
    await new Promise((r) => setTimeout(r, 1000));
    if (state.stream !== ctl) return;
    await refresh(id);
  }
}

const STATE_WORDS = {
  queued: 'Waiting', running: 'Upscaling', succeeded: 'Done', failed: 'Failed',
  canceled: 'Canceled', partially_succeeded: 'Done, with errors',
};

function render(job) {
  state.job = job;
  const p = job.progress || {};
  const total = p.items_total ?? itemsOf(job).length;
  const done = p.items_done ?? itemsOf(job).filter((it) => FINAL.has(it.state)).length;
  const final = FINAL.has(job.state);
  const pct = final ? 100 : (p.percent ?? (total ? (100 * done) / total : 0));
  $('job-bar').style.width = `${Math.max(0, Math.min(100, pct))}%`;
  $('job-state').textContent = `${STATE_WORDS[job.state] || job.state} · ${done}/${total}`;
  $('job-state').dataset.state = job.state;
  $('cancel').hidden = final;
  $('zip').disabled = !(final && itemsOf(job).some((it) => it.state === 'succeeded'));
  itemsOf(job).forEach((item, i) => renderItem(job, item, itemIndex(item, i), p));
  if (final) {
    const failed = itemsOf(job).filter((it) => it.state === 'failed').length;
    setStatus(job.state === 'canceled' ? 'The job was canceled.'
      : failed ? `Finished: ${failed} of ${itemsOf(job).length} images failed (see below).`
        : `Finished: ${itemsOf(job).length} image${itemsOf(job).length > 1 ? 's' : ''} upscaled.`);
  } else {
    setStatus(`${STATE_WORDS[job.state] || job.state}… ${Math.round(pct)}%`);
  }
}

function sizeText(s) {
  if (!s) return null;
  const w = s.width ?? s.Width, h = s.height ?? s.Height;
  return w && h ? `${w}×${h}` : null;
}

function cardFor(n, item) {
  let c = state.cards.get(n);
  if (c) return c;
  const name = item.name ?? item.original_name ?? `image ${n + 1}`;
  c = { n, name };
  c.bar = el('progress', { max: '100', value: '0', 'aria-label': `Progress of ${name}` });
  c.stateText = el('span', { class: 'item-state' });
  c.dims = el('span', { class: 'dims' });
  c.err = el('p', { class: 'item-error', role: 'alert', hidden: true });
  c.thumb = el('div', { class: 'thumb' });
  c.compareBtn = el('button', { type: 'button', class: 'secondary', disabled: true, text: 'Compare', onclick: () => openCompare(c) });
  c.download = el('a', { class: 'button disabled', 'aria-disabled': 'true', text: 'Download', role: 'button', onclick: (e) => downloadItem(e, c) });
  c.li = el('li', { class: 'item', 'data-index': String(n) },
    c.thumb,
    el('div', { class: 'item-body' },
      el('div', { class: 'item-head' }, el('span', { class: 'name', text: name }), c.stateText),
      c.bar, c.dims, c.err,
      el('div', { class: 'item-actions' }, c.compareBtn, c.download)));
  const original = state.originals && state.originals[n];
  if (original && original.name === name) c.originalURL = URL.createObjectURL(original);
  else if (state.originals) {
    const byName = state.originals.find((f) => f.name === name);
    if (byName) c.originalURL = URL.createObjectURL(byName);
  }
  const noThumb = () => { c.thumb.hidden = true; c.li.classList.add('no-thumb'); };
  // a file the browser cannot show (e.g. the reason the item failed) gets no thumbnail, not a broken one
  if (c.originalURL) c.thumb.append(el('img', { src: c.originalURL, alt: '', onerror: noThumb }));
  else noThumb(); // shown again after a reload: no original here
  state.cards.set(n, c);
  $('items').append(c.li);
  return c;
}

function renderItem(job, item, n, progress) {
  const c = cardFor(n, item);
  c.item = item;
  let pct = 0;
  if (item.state === 'succeeded' || item.state === 'failed' || item.state === 'canceled') pct = 100;
  else if (item.state === 'running') {
    const td = item.tiles_done ?? progress.tiles_done, tt = item.tiles_total ?? progress.tiles_total;
    pct = tt ? (100 * td) / tt : 0;
  }
  c.bar.value = Math.round(pct);
  c.li.dataset.state = item.state;
  c.stateText.textContent = STATE_WORDS[item.state] || item.state;
  const inText = sizeText(item.input);
  const outText = sizeText(item.output);
  c.dims.textContent = inText ? (outText ? `${inText} → ${outText}` : inText) : '';
  if (item.error) { c.err.textContent = item.error; c.err.hidden = false; }
  if (item.state === 'succeeded' && !c.ready) markReady(job, c, n);
}

function resultPath(job, item, n) {
  return item.result_url ?? item.url ?? `/v1/jobs/${encodeURIComponent(job.id)}/items/${n}`;
}

function fileNameFrom(res, fallback) {
  const cd = res.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

// markReady enables a finished item's download link and comparison. Results
// are fetched only when asked for, so a chapter of large pages does not sit
// in the browser's memory.
function markReady(job, c, n) {
  c.ready = true;
  c.resultPath = resultPath(job, c.item, n);
  c.fileName = c.item.result_name ?? c.name;
  c.download.href = c.resultPath;
  c.download.download = c.fileName;
  c.download.classList.remove('disabled');
  c.download.removeAttribute('aria-disabled');
  c.download.removeAttribute('role');
  c.download.setAttribute('aria-label', `Download ${c.fileName}`);
  c.compareBtn.disabled = false;
  c.li.dataset.ready = 'true';
}

// downloadItem lets the browser follow the link, unless an API key must be
// sent: then the result is fetched with it and saved from memory.
async function downloadItem(ev, c) {
  if (!c.ready || !apiKey()) return;
  ev.preventDefault();
  try {
    const res = await api(c.resultPath);
    saveBlob(await res.blob(), fileNameFrom(res, c.fileName));
  } catch (err) {
    showError(err);
  }
}

function saveBlob(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

function revokeCard(c) {
  if (c.originalURL) URL.revokeObjectURL(c.originalURL);
}

async function downloadZip() {
  const job = state.job;
  if (!job) return;
  clearError();
  $('zip').disabled = true;
  setStatus('Preparing the zip…');
  try {
    const path = `/v1/jobs/${encodeURIComponent(job.id)}/archive`;
    if (!apiKey()) {
      // no key to send: the browser streams the zip to disk itself
      const a = el('a', { href: path, download: `upscaled-${job.id}.zip` });
      document.body.append(a);
      a.click();
      a.remove();
      setStatus('Zip download started.');
      return;
    }
    const res = await api(path);
    saveBlob(await res.blob(), fileNameFrom(res, `upscaled-${job.id}.zip`));
    setStatus('Zip downloaded.');
  } catch (err) {
    showError(err);
  } finally {
    $('zip').disabled = false;
  }
}

async function cancelJob() {
  const job = state.job;
  if (!job) return;
  try {
    await api(`/v1/jobs/${encodeURIComponent(job.id)}`, { method: 'DELETE' });
    if (state.stream) state.stream.abort();
    render({ ...job, state: 'canceled' });
  } catch (err) {
    showError(err);
  }
}

// ---------- before / after ----------

let comparing = null;
let compareURL = null; // the one result held in memory, for the comparison

async function openCompare(c) {
  clearError();
  let blob;
  try {
    blob = await (await api(c.resultPath)).blob();
  } catch (err) {
    showError(err);
    return;
  }
  if (compareURL) URL.revokeObjectURL(compareURL);
  compareURL = URL.createObjectURL(blob);
  comparing = c;
  $('compare-name').textContent = c.name;
  const after = $('after-img');
  after.src = compareURL;
  $('before-img').src = c.originalURL || '';
  // after a reload the originals are no longer in the page: result only
  $('before-clip').hidden = !c.originalURL;
  $('divider').hidden = !c.originalURL;
  $('split').disabled = !c.originalURL;
  await after.decode().catch(() => {});
  $('compare-dims').textContent = after.naturalWidth ? `result ${after.naturalWidth}×${after.naturalHeight} px` : '';
  $('compare').hidden = false;
  layoutCompare();
  $('compare').scrollIntoView({ behavior: 'smooth', block: 'start' });
  $('split').focus({ preventScroll: true });
}

function closeCompare(refocus) {
  $('compare').hidden = true;
  if (refocus && comparing) comparing.compareBtn.focus();
  comparing = null;
  if (compareURL) URL.revokeObjectURL(compareURL);
  compareURL = null;
  $('after-img').removeAttribute('src');
}

function layoutCompare() {
  if (!comparing) return;
  const after = $('after-img');
  const stage = $('stage');
  const zoom = $('zoom').value;
  const apply = () => {
    const w = after.naturalWidth, h = after.naturalHeight;
    if (zoom === 'fit') {
      // the whole image: as wide as the panel, as tall as 70% of the window
      const fit = Math.min($('viewport').clientWidth, (w * 0.7 * window.innerHeight) / h);
      stage.style.width = `${Math.floor(fit)}px`;
    } else {
      stage.style.width = `${w * Number(zoom)}px`;
    }
    $('viewport').classList.toggle('zoomed', zoom !== 'fit');
    $('before-img').style.width = `${stage.clientWidth}px`;
    const split = $('split').value;
    $('before-clip').style.width = `${split}%`;
    $('divider').style.left = `${split}%`;
  };
  if (after.complete && after.naturalWidth) apply(); else after.onload = apply;
}

function splitFromPointer(ev) {
  const r = $('stage').getBoundingClientRect();
  const pct = Math.max(0, Math.min(100, (100 * (ev.clientX - r.left)) / r.width));
  $('split').value = String(Math.round(pct));
  layoutCompare();
}

// ---------- wiring ----------

function init() {
  const key = $('apikey');
  key.value = localStorage.getItem(KEY_STORE) || '';
  if (key.value) $('key-box').open = true;
  key.addEventListener('change', () => {
    if (key.value.trim()) localStorage.setItem(KEY_STORE, key.value.trim());
    else localStorage.removeItem(KEY_STORE);
    clearError();
    loadModels();
  });
  $('forget-key').addEventListener('click', () => { key.value = ''; localStorage.removeItem(KEY_STORE); });

  $('files').addEventListener('change', (e) => { addFiles(e.target.files); e.target.value = ''; });
  const drop = $('drop');
  for (const t of ['dragenter', 'dragover']) drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add('over'); });
  for (const t of ['dragleave', 'drop']) drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove('over'); });
  drop.addEventListener('drop', (e) => addFiles(e.dataTransfer.files));

  $('family').addEventListener('change', fillScales);
  $('scale').addEventListener('change', fillDenoise);
  $('denoise').addEventListener('change', showModel);
  $('format').addEventListener('change', syncOutputControls);
  $('lossless').addEventListener('change', syncOutputControls);
  $('quality').addEventListener('input', syncOutputControls);
  $('form').addEventListener('submit', onSubmit);
  $('clear').addEventListener('click', () => { state.files = []; renderPicked(); clearError(); setStatus(''); });
  $('zip').addEventListener('click', downloadZip);
  $('cancel').addEventListener('click', cancelJob);

  $('split').addEventListener('input', layoutCompare);
  $('zoom').addEventListener('change', layoutCompare);
  $('compare-close').addEventListener('click', () => closeCompare(true));
  const stage = $('stage');
  stage.addEventListener('pointerdown', (e) => { stage.setPointerCapture(e.pointerId); splitFromPointer(e); });
  stage.addEventListener('pointermove', (e) => { if (stage.hasPointerCapture(e.pointerId)) splitFromPointer(e); });
  window.addEventListener('resize', layoutCompare);

  syncOutputControls();
  loadModels().then(resumeLastJob);
}

// resumeLastJob shows the job this browser submitted last, if the server
// still has it: its progress goes on, its results can be downloaded.
async function resumeLastJob() {
  const id = localStorage.getItem(JOB_STORE);
  if (!id || state.job) return;
  try {
    const res = await api(`/v1/jobs/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    const job = await res.json();
    if (state.job) return;
    startJob(job, null);
  } catch (err) {
    if (err instanceof ProblemError && (err.status === 404 || err.status === 410)) localStorage.removeItem(JOB_STORE);
  }
}

document.addEventListener('DOMContentLoaded', init);
