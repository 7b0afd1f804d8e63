// Browser test of the upload page: headless Chromium (Debian's) driven by
// playwright-core against a running upscaled server. Run by web/browser_test.go
// (go test ./web), which starts the real binary and sets:
//   UPSCALED_URL     the server's base URL
//   TESTIMAGES       testdata/testimages
//   SCREENSHOTS      where to save screenshots (gitignored)
//   KEYED_URL        a second server started with UPSCALED_API_KEYS=API_KEY
//   API_KEY          that key
// Exits non-zero with the failed check on any failure.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = process.env.UPSCALED_URL;
const images = process.env.TESTIMAGES;
const shots = process.env.SCREENSHOTS;
assert.ok(base && images && shots, 'UPSCALED_URL, TESTIMAGES and SCREENSHOTS must be set');
fs.mkdirSync(shots, { recursive: true });
const img = (name) => path.join(images, name);
const origin = new URL(base).origin;

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upscaled-chromium-'));
const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const foreign = [];
const apiCalls = [];
const consoleErrors = [];
let step = 'start';
let page = null;
const check = async (name, fn) => {
  step = name;
  const t0 = Date.now();
  await fn();
  console.log(`ok  ${name} (${Date.now() - t0} ms)`);
};

try {
  page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(120_000);
  page.on('request', (r) => {
    const u = r.url();
    const own = [origin, process.env.KEYED_URL && new URL(process.env.KEYED_URL).origin].filter(Boolean);
    if (!own.some((o) => u.startsWith(o)) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
    if (u.includes('/v1/')) apiCalls.push(`${r.method()} ${new URL(u).pathname}`);
  });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  await check('page loads with the model list', async () => {
    await page.goto(base + '/');
    await page.waitForFunction(() => document.getElementById('model-id').textContent.startsWith('real'));
    assert.equal(await page.textContent('#model-id'), 'realcugan-up2x-conservative');
    const styles = await page.$$eval('#family option', (os) => os.map((o) => o.textContent));
    assert.ok(styles.some((s) => s.includes('Real-CUGAN')), `styles: ${styles}`);
    const denoise = await page.$$eval('#denoise option', (os) => os.map((o) => o.textContent));
    assert.ok(denoise.includes('Conservative (keeps texture)'), `denoise words: ${denoise}`);
    await shot('01-start');
  });

  await check('model words map to the exact id', async () => {
    await page.selectOption('#denoise', { label: 'Strong (level 3)' });
    assert.equal(await page.textContent('#model-id'), 'realcugan-up2x-denoise3x');
    await page.selectOption('#denoise', { label: 'Conservative (keeps texture)' });
    assert.equal(await page.textContent('#model-id'), 'realcugan-up2x-conservative');
  });

  await check('two images upscaled through a job, dimensions shown', async () => {
    await page.selectOption('#format', 'png');
    assert.equal(await page.isDisabled('#quality'), true, 'quality is disabled for PNG');
    await page.setInputFiles('#files', [img('small-color-48x48.png'), img('small-gray-64x64.png')]);
    assert.equal(await page.locator('#picked li').count(), 2);
    assert.equal(await page.textContent('#submit'), 'Upscale 2 images');
    // record every state the page shows for the job and for the second image
    await page.evaluate(() => {
      window.seenJob = [];
      window.seenItem = [];
      new MutationObserver(() => {
        window.seenJob.push(document.getElementById('job-state').dataset.state);
        const li = document.querySelector('#items li[data-index="1"]');
        if (li) window.seenItem.push(li.dataset.state);
      }).observe(document.getElementById('results'), { attributes: true, subtree: true, attributeFilter: ['data-state'] });
    });
    await page.click('#submit');
    await page.waitForSelector('#results:not([hidden])');
    await shot('02a-in-progress');
    await page.waitForSelector('#items li[data-ready=true] >> nth=1');
    await page.waitForFunction(() => document.getElementById('job-state').dataset.state === 'succeeded');
    const dims = await page.$$eval('#items li .dims', (ds) => ds.map((d) => d.textContent));
    assert.deepEqual(dims, ['48×48 → 96×96', '64×64 → 128×128']);
    const bars = await page.$$eval('#items progress', (ps) => ps.map((p) => p.value));
    assert.deepEqual(bars, [100, 100]);
    // the page followed the job through its states, fed by events
    const seen = await page.evaluate(() => ({ job: [...new Set(window.seenJob)], item: [...new Set(window.seenItem)] }));
    assert.ok(seen.job.includes('running') && seen.job.at(-1) === 'succeeded', `job states shown: ${seen.job}`);
    assert.deepEqual(seen.item.filter((x) => x !== 'queued'), ['running', 'succeeded'], `second image states shown: ${seen.item}`);
    assert.match(await page.textContent('#status'), /Finished: 2 images upscaled/);
    // progress came from the job's event stream, not from polling
    const jobCalls = apiCalls.filter((c) => /\/v1\/jobs\/[0-9a-f]+(\/events)?$/.test(c));
    assert.equal(jobCalls.filter((c) => c.endsWith('/events')).length, 1, `one event stream: ${jobCalls}`);
    assert.ok(jobCalls.filter((c) => !c.endsWith('/events')).length <= 1, `no polling: ${jobCalls}`);
    await shot('02-results');
  });

  await check('dropping files adds them', async () => {
    const b64 = fs.readFileSync(img('small-rgba-40x56.png')).toString('base64');
    await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      dt.items.add(new File(['not an image'], 'notes.txt', { type: 'text/plain' }));
      const drop = document.getElementById('drop');
      drop.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      drop.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, b64);
    const names = await page.$$eval('#picked li .name', (ns) => ns.map((n) => n.textContent));
    assert.deepEqual(names, ['small-color-48x48.png', 'small-gray-64x64.png', 'dropped.png']);
    assert.match(await page.textContent('#error'), /notes\.txt is not an image/);
    await page.click('#picked li:nth-child(3) button');
    assert.equal(await page.locator('#picked li').count(), 2);
  });

  await check('each result downloads with its name', async () => {
    const a = page.locator('#items li[data-index="0"] a[download]');
    assert.match(await a.getAttribute('href'), /^\/v1\/jobs\/[0-9a-f]+\/items\/0$/);
    assert.equal(await a.getAttribute('download'), 'small-color-48x48.png');
    const [dl] = await Promise.all([page.waitForEvent('download'), a.click()]);
    const file = path.join(userDataDir, 'item.png');
    await dl.saveAs(file);
    const head = fs.readFileSync(file).subarray(0, 8);
    assert.equal(head.toString('hex'), '89504e470d0a1a0a', 'a PNG');
  });

  await check('all results download as a zip', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#zip')]);
    assert.match(dl.suggestedFilename(), /\.zip$/);
    const file = path.join(userDataDir, 'all.zip');
    await dl.saveAs(file);
    const b = fs.readFileSync(file);
    assert.equal(b.subarray(0, 2).toString(), 'PK', 'a zip');
    for (const name of ['small-color-48x48.png', 'small-gray-64x64.png']) {
      assert.ok(b.includes(Buffer.from(name)), `zip entry ${name}`);
    }
  });

  await check('before/after comparison at full resolution', async () => {
    await page.click('#items li[data-index="0"] button:has-text("Compare")');
    await page.waitForSelector('#compare:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'split', 'focus moves to the split slider');
    await page.keyboard.press('Home');
    await page.selectOption('#zoom', '4');
    const w = await page.$eval('#stage', (s) => s.getBoundingClientRect().width);
    assert.equal(Math.round(w), 96 * 4, 'stage is 4x the 96 px result');
    assert.equal(await page.$eval('#after-img', (i) => i.naturalWidth), 96);
    assert.equal(await page.textContent('#compare-dims'), 'result 96×96 px', 'the decoded result is 96x96');
    assert.equal(await page.$eval('#before-clip', (c) => c.style.width), '0%');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await page.$eval('#before-clip', (c) => c.style.width), '5%');
    await page.fill('#split', '40');
    await page.dispatchEvent('#split', 'input');
    await page.locator('#compare').scrollIntoViewIfNeeded();
    await shot('03-compare');
    await page.selectOption('#zoom', 'fit');
  });

  await check('after a reload the last job is shown again', async () => {
    await page.reload();
    await page.waitForSelector('#items li[data-ready=true] >> nth=1');
    const dims = await page.$$eval('#items li .dims', (ds) => ds.map((d) => d.textContent));
    assert.deepEqual(dims, ['48×48 → 96×96', '64×64 → 128×128']);
    assert.equal(await page.$eval('#job-state', (b) => b.dataset.state), 'succeeded');
    await page.click('#items li[data-index="1"] button:has-text("Compare")');
    await page.waitForSelector('#compare:not([hidden])');
    assert.equal(await page.textContent('#compare-dims'), 'result 128×128 px');
    assert.equal(await page.isHidden('#before-clip'), true, 'no original after a reload');
    await page.click('#compare-close');
  });

  await check('too large a batch shows the server limit', async () => {
    await page.click('#clear');
    await page.setInputFiles('#files', [img('page-color-1000x1400.jpg')]);
    await page.click('#submit');
    await page.waitForSelector('#error:not([hidden])');
    const msg = await page.textContent('#error');
    assert.match(msg, /too large/i, msg);
    assert.match(msg, /UPSCALED_JOB_MAX_BYTES|limit/i, `the message names the limit: ${msg}`);
    await page.locator('#error').scrollIntoViewIfNeeded();
    await shot('04-too-large');
  });

  await check('an image over the pixel limit fails alone, with its reason', async () => {
    await page.click('#clear');
    await page.setInputFiles('#files', [img('mid-gray-256x256.png'), img('small-rgba-40x56.png')]);
    await page.click('#submit');
    await page.waitForFunction(() => ['partially_succeeded', 'failed'].includes(document.getElementById('job-state').dataset.state));
    await page.waitForSelector('#items li[data-index="1"][data-ready=true]');
    const failed = page.locator('#items li[data-index="0"]');
    assert.equal(await failed.getAttribute('data-state'), 'failed');
    const reason = await failed.locator('.item-error').textContent();
    assert.match(reason, /pixel/i, reason);
    assert.equal(await page.textContent('#items li[data-index="1"] .dims'), '40×56 → 80×112');
    assert.match(await page.textContent('#status'), /1 of 2 images failed/);
    await shot('05-partial-failure');
  });

  await check('a running job can be canceled', async () => {
    await page.click('#clear');
    // eight images: several seconds of work, so the job is still running when canceled
    await page.setInputFiles('#files', Array.from({ length: 8 }, (_, i) => img(i % 2 ? 'small-color-61x37.png' : 'small-color-48x48.png')));
    await page.click('#submit');
    await page.waitForSelector('#cancel:not([hidden])');
    await page.click('#cancel');
    await page.waitForFunction(() => document.getElementById('job-state').dataset.state === 'canceled');
    assert.match(await page.textContent('#status'), /canceled/);
    assert.equal(await page.isHidden('#cancel'), true);
    const job = await page.evaluate(() => localStorage.getItem('upscaled.lastJob'));
    const res = await fetch(`${base}/v1/jobs/${job}`);
    assert.equal(res.status, 410, 'the server deleted the job');
  });

  await check('a failed item that is not an image shows no broken thumbnail', async () => {
    await page.click('#clear');
    await page.setInputFiles('#files', [
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('these are notes, not an image') },
      { name: 'small-rgba-40x56.png', mimeType: 'image/png', buffer: fs.readFileSync(img('small-rgba-40x56.png')) },
    ]);
    await page.click('#submit');
    await page.waitForFunction(() => ['partially_succeeded', 'failed'].includes(document.getElementById('job-state').dataset.state));
    await page.waitForSelector('#items li[data-index="1"][data-ready=true]');
    await page.waitForFunction(() => document.querySelector('#items li[data-index="0"] .thumb').hidden);
    const broken = await page.evaluate(() => [...document.querySelectorAll('#items .thumb:not([hidden]) img')]
      .filter((i) => i.complete && i.naturalWidth === 0).length);
    assert.equal(broken, 0, 'broken thumbnails shown');
  });

  await check('keyboard: every control is reachable with Tab', async () => {
    await page.goto(base + '/');
    await page.waitForFunction(() => document.getElementById('model-id').textContent.startsWith('real'));
    const seen = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => {
        const e = document.activeElement;
        return `${e.tagName.toLowerCase()}#${e.id}`;
      }));
    }
    for (const id of ['input#files', 'select#family', 'select#denoise', 'select#format', 'input#quality', 'button#clear']) {
      assert.ok(seen.includes(id), `${id} is not reachable by Tab: ${seen.join(' ')}`);
    }
    assert.ok(!seen.some((s) => s.startsWith('div')), `a div takes focus: ${seen}`);
    await page.focus('#files');
    const ring = await page.$eval('label[for=files]', (l) => getComputedStyle(l).outlineStyle);
    assert.equal(ring, 'solid', 'the focused file picker shows a focus ring on its button');
    await page.locator('#drop').screenshot({ path: path.join(shots, '09-file-picker-focus.png') });
  });

  await check('phone width: no horizontal scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.setInputFiles('#files', [img('small-color-61x37.png')]);
    await page.selectOption('#format', 'webp');
    const before = await page.evaluate(() => localStorage.getItem('upscaled.lastJob'));
    await page.click('#submit');
    await page.waitForFunction((b) => localStorage.getItem('upscaled.lastJob') !== b, before);
    await page.waitForFunction(() => document.getElementById('job-state').dataset.state === 'succeeded');
    await page.waitForSelector('#items li[data-ready=true]');
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= 390, `page is ${sw} px wide at a 390 px viewport`);
    await shot('06-phone');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('06b-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await check('docs page renders the spec and tries an operation', async () => {
    await page.goto(base + '/docs');
    await page.waitForSelector('#op-get-_v1_models');
    await page.click('#op-get-_v1_models > summary');
    await page.click('#op-get-_v1_models button[type=submit]');
    await page.waitForSelector('#op-get-_v1_models .try-out strong');
    assert.match(await page.textContent('#op-get-_v1_models .try-out strong'), /^200/);
    assert.ok(await page.locator('#schemas details').count() >= 5, 'schemas listed');
    // try a multipart upload from the docs page
    const op = '#op-post-_v1_upscale';
    await page.click(`${op} > summary`);
    await page.setInputFiles(`${op} input[type=file]`, [img('small-color-61x37.png')]);
    await page.selectOption(`${op} select[id$="formData-format"]`, 'png');
    await page.click(`${op} button[type=submit]`);
    await page.waitForSelector(`${op} .try-out img.preview`);
    assert.match(await page.textContent(`${op} .try-out strong`), /^200/);
    await page.waitForFunction((sel) => document.querySelector(sel).naturalWidth > 0, `${op} .try-out img.preview`);
    assert.equal(await page.$eval(`${op} .try-out img.preview`, (i) => `${i.naturalWidth}x${i.naturalHeight}`), '122x74');
    await page.locator(op).screenshot({ path: path.join(shots, '07b-docs-try-upscale.png') });
    await page.click(`${op} > summary`);
    await page.click('#op-get-_v1_models > summary');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, '07-docs.png') });
  });

  await check('with API keys: 401 explained, key entered, kept, and sent on every call', async () => {
    const keyed = process.env.KEYED_URL;
    assert.ok(keyed && process.env.API_KEY, 'KEYED_URL and API_KEY must be set');
    await page.goto(keyed + '/');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /API key required/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'apikey', 'focus goes to the key field');
    await page.fill('#apikey', process.env.API_KEY);
    await page.press('#apikey', 'Tab');
    await page.waitForFunction(() => document.getElementById('model-id').textContent.startsWith('real'));
    await page.reload();
    assert.equal(await page.inputValue('#apikey'), process.env.API_KEY, 'the key is kept in localStorage');
    await page.waitForFunction(() => document.getElementById('model-id').textContent.startsWith('real'));
    await page.setInputFiles('#files', [img('small-color-48x48.png')]);
    await page.click('#submit');
    await page.waitForSelector('#items li[data-ready=true]');
    assert.equal(await page.textContent('#items li .dims'), '48×48 → 96×96');
    // with a key, results are fetched with it: download and compare
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#items li a[download]')]);
    assert.equal(dl.suggestedFilename(), 'small-color-48x48.webp');
    const file = path.join(userDataDir, 'keyed.webp');
    await dl.saveAs(file);
    assert.equal(fs.readFileSync(file).subarray(8, 12).toString(), 'WEBP');
    await page.click('#items li button:has-text("Compare")');
    await page.waitForSelector('#compare:not([hidden])');
    assert.equal(await page.textContent('#compare-dims'), 'result 96×96 px');
    await shot('08-api-key');
  });

  await check('no request left the server, no script errors', async () => {
    assert.deepEqual(foreign, [], `requests to other hosts: ${foreign}`);
    assert.deepEqual(consoleErrors.filter((e) => !/status of 4\d\d/.test(e)), [], `console errors: ${consoleErrors}`);
  });
} catch (err) {
  console.error(`FAIL ${step}: ${err.stack || err}`);
  process.exitCode = 1;
  if (page) {
    // what the page showed when the check failed
    await page.screenshot({ path: path.join(shots, 'FAILED.png'), fullPage: true }).catch(() => {});
    const seen = await page.evaluate(() => ({
      url: location.href,
      status: document.getElementById('status')?.textContent,
      error: document.getElementById('error')?.textContent,
      job: document.getElementById('job-state')?.textContent,
      items: [...document.querySelectorAll('#items li')].map((li) => `${li.dataset.index}:${li.dataset.state}:${li.dataset.ready || ''}:${li.querySelector('.dims')?.textContent}`),
    })).catch((e) => String(e));
    console.error('page state:', JSON.stringify(seen));
  }
} finally {
  await ctx.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
