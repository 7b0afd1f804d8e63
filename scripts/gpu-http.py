#!/usr/bin/env python3
"""HTTP measurements against a running `upscaled serve` (the GPU machine has python3 but maybe no curl).
  gpu-http.py latency URL FILE N       POST FILE to /v1/upscale N times (JPEG out), one at a time, after one warm-up
  gpu-http.py job URL DIR N            one job of N pages (DIR's *.jpg repeated), JPEG out; time from POST to done"""
import glob, json, os, sys, time, urllib.request, uuid

def multipart(fields, files):
    b = uuid.uuid4().hex
    parts = []
    for k, v in fields:
        parts.append(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, name, data in files:
        parts.append(f'--{b}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + data + b'\r\n')
    return b''.join(parts) + f'--{b}--\r\n'.encode(), f'multipart/form-data; boundary={b}'

def post(url, body, ctype):
    req = urllib.request.Request(url, data=body, method='POST', headers={'Content-Type': ctype})
    return urllib.request.urlopen(req, timeout=600)

def latency(url, path, n, fmt='jpeg'):
    data = open(path, 'rb').read()
    body, ctype = multipart([('format', fmt)], [('image', os.path.basename(path), data)])
    for i in range(n + 1):
        t0 = time.perf_counter()
        with post(url + '/v1/upscale', body, ctype) as r:
            first = time.perf_counter()
            out = r.read()
            t1 = time.perf_counter()
            h = r.headers
        if i == 0:
            continue  # warm-up: model load and planning
        print(f'page {os.path.basename(path)} → {fmt}: {1000*(t1-t0):.0f} ms total (first byte {1000*(first-t0):.0f} ms, body {len(out)>>10} KiB in {1000*(t1-first):.0f} ms); '
              f'processing {h["X-Upscaled-Processing-Ms"]} ms; Server-Timing {h["Server-Timing"]}', flush=True)

def job(url, folder, n):
    paths = sorted(glob.glob(os.path.join(folder, '*.jpg')))
    files = [('images', f'{i:03d}-{os.path.basename(p)}', open(p, 'rb').read()) for i, p in zip(range(n), (paths * n)[:n])]
    body, ctype = multipart([('format', 'jpeg'), ('model', 'realcugan-up2x-conservative')], files)
    t0 = time.perf_counter()
    with post(url + '/v1/jobs', body, ctype) as r:
        d = json.load(r)
    up = time.perf_counter() - t0
    mp = 0
    while True:
        with urllib.request.urlopen(f'{url}/v1/jobs/{d["id"]}', timeout=60) as r:
            d = json.load(r)
        if d['state'] not in ('queued', 'running'):
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    for it in d['items']:
        w, h = it['input'].get('width', 0), it['input'].get('height', 0)
        mp += w * h / 1e6
    print(f'job of {n} pages: {d["state"]}, {wall:.2f} s from POST to done (upload {up:.2f} s), {mp:.1f} input MP, {mp/wall:.2f} input MP/s', flush=True)

def rss(url, path, pid, models, formats='jpeg,png,webp'):
    """Peak resident memory of the server process over one page per model and format (VmHWM reset before each)."""
    data = open(path, 'rb').read()
    for model in models.split(','):
        for fmt in formats.split(','):
            with open(f'/proc/{pid}/clear_refs', 'w') as f:
                f.write('5')
            body, ctype = multipart([('format', fmt), ('model', model)], [('image', os.path.basename(path), data)])
            with post(url + '/v1/upscale', body, ctype) as r:
                out = r.read()
            hwm = [l for l in open(f'/proc/{pid}/status') if l.startswith('VmHWM')][0].split()[1]
            print(f'server peak RSS {model} → {fmt}: {int(hwm) >> 10} MiB ({len(out) >> 10} KiB out)', flush=True)

if __name__ == '__main__':
    mode, url = sys.argv[1], sys.argv[2]
    if mode == 'rss':
        rss(url, sys.argv[3], int(sys.argv[4]), *sys.argv[5:7])
    elif mode == 'latency':
        latency(url, sys.argv[3], int(sys.argv[4]), *sys.argv[5:6])
    else:
        job(url, sys.argv[3], int(sys.argv[4]))
