/* Spring City Cloud — the one browser script, loaded once by every page (views/kit/browser.py).
 *
 * scc.configure({serverMs, zone})  the server's clock (countdowns ignore a wrong phone clock) and the city's zone
 * One ticker rewrites, every 250 ms:
 *   .scc-clock                 the time of day in the city's zone (HH:MM:SS): a live code is not a screenshot
 *   [data-scc-ago]             "updated {n} s ago" from a moment in epoch seconds (data-fmt holds the words)
 *   [data-scc-until]           a countdown to a moment in epoch seconds: data-fmt with {t}, data-done, data-day
 *   [data-scc-local]           a moment (epoch ms) in the phone's own time zone, with the zone's name
 *   video[data-scc-src]        the HLS player (native where the browser has it, else the bundled hls.js)
 * scc.beep(kind)                'ok' short high, 'stop' long low buzz, 'call' one tone, 'urgent' three rising tones
 * scc.unlockAudio()             during a click: later beeps may play (browsers' autoplay rule)
 * scc.scanner.start/stop/keepFocus   the camera scanner (BarcodeDetector, else the bundled jsQR)
 * html.scc-offline              set while the page's socket is down (pages say their live values may be stale)
 */
(function () {
  if (window.scc) return;
  const scc = window.scc = {offset: 0, zone: undefined};
  const pad = (n) => String(n).padStart(2, '0');

  scc.configure = function (options) {
    if (options.serverMs) scc.offset = options.serverMs - Date.now();
    if (options.zone) scc.zone = options.zone;
  };
  scc.now = () => Date.now() + scc.offset;

  // Change Vue's own text node when there is one, so later updates from the server still land.
  scc.setText = function (el, text) {
    if (el.firstChild && el.firstChild.nodeType === 3) el.firstChild.nodeValue = text; else el.textContent = text;
  };

  function span(seconds, day) {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
    return (d ? d + (day || 'd') + ' ' : '') + pad(h) + ':' + pad(m) + ':' + pad(seconds % 60);
  }

  scc.attach = function (v) {
    const url = v.dataset.sccSrc || '';
    if (v._sccUrl === url) return;
    v._sccUrl = url;
    if (v._sccHls) { v._sccHls.destroy(); v._sccHls = null; }
    const box = v.parentElement;
    const fail = () => { box.classList.add('scc-stream-failed'); };
    box.classList.remove('scc-stream-failed');
    if (!url) { v.removeAttribute('src'); return; }
    if (v.canPlayType('application/vnd.apple.mpegurl')) {
      v.onerror = fail; v.src = url;
    } else if (window.Hls && window.Hls.isSupported()) {
      const h = v._sccHls = new window.Hls();
      h.on(window.Hls.Events.ERROR, (_e, d) => { if (d.fatal) { h.destroy(); v._sccHls = null; fail(); } });
      h.loadSource(url); h.attachMedia(v);
    } else { fail(); }
  };

  scc.tick = function () {
    const nowMs = scc.now(), now = nowMs / 1000;
    const clocks = document.querySelectorAll('.scc-clock');
    if (clocks.length) {
      const t = new Date(nowMs).toLocaleTimeString('zh-CN', {hour12: false, timeZone: scc.zone});
      clocks.forEach((el) => scc.setText(el, t));
    }
    document.querySelectorAll('[data-scc-ago]').forEach((el) => {
      const n = Math.max(0, Math.round(now - parseFloat(el.dataset.sccAgo)));
      scc.setText(el, (el.dataset.fmt || '{n}').replace('{n}', n));
    });
    document.querySelectorAll('[data-scc-until]').forEach((el) => {
      const left = Math.max(0, Math.floor(parseFloat(el.dataset.sccUntil) - now));
      if (left <= 0 && el.dataset.done !== undefined) { scc.setText(el, el.dataset.done); return; }
      scc.setText(el, (el.dataset.fmt || '{t}').replace('{t}', span(left, el.dataset.day)));
    });
    document.querySelectorAll('[data-scc-local]').forEach((el) => {
      if (el.dataset.sccDone === el.dataset.sccLocal) return;
      const t = new Date(Number(el.dataset.sccLocal));
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      el.textContent = t.toLocaleString(document.documentElement.lang || undefined,
        {month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit'}) + ' (' + zone + ')';
      el.dataset.sccDone = el.dataset.sccLocal;
    });
    document.querySelectorAll('video[data-scc-src]').forEach(scc.attach);
  };
  setInterval(scc.tick, 250);

  // -- the page's connection, as the phone sees it (NiceGUI's socket) -------------------------------------------
  (function watch() {
    const socket = window.socket;
    if (!socket) return setTimeout(watch, 200);
    const offline = (off) => document.documentElement.classList.toggle('scc-offline', off);
    socket.on('disconnect', () => offline(true));
    socket.on('connect', () => offline(false));
    offline(!socket.connected && !!window.did_handshake);
  })();

  // -- sound: WebAudio tones, no file, no CDN --------------------------------------------------------------------
  function audio() {
    const ctx = scc.audio || (scc.audio = new (window.AudioContext || window.webkitAudioContext)());
    if (ctx.state === 'suspended') ctx.resume();
    return ctx;
  }
  const SOUNDS = {
    ok: {type: 'sine', tones: [1320], length: 0.15},
    stop: {type: 'square', tones: [220], length: 0.6},
    call: {type: 'sine', tones: [880], length: 0.2},
    urgent: {type: 'sine', tones: [660, 880, 1100], length: 0.2},
  };
  scc.unlockAudio = function () { try { audio(); } catch (e) { /* no audio here */ } };
  scc.beep = function (kind) {
    try {
      const ctx = audio(), sound = SOUNDS[kind] || SOUNDS.call;
      sound.tones.forEach((freq, i) => {
        const osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.type = sound.type; osc.frequency.value = freq; osc.connect(gain); gain.connect(ctx.destination);
        const t = ctx.currentTime + i * (sound.length + 0.02);
        gain.gain.setValueAtTime(0.25, t); gain.gain.exponentialRampToValueAtTime(0.001, t + sound.length);
        osc.start(t); osc.stop(t + sound.length);
      });
    } catch (e) { /* no audio here */ }
  };

  // -- the camera scanner --------------------------------------------------------------------------------------
  scc.scanner = (function () {
    const running = {};
    let jsqrLoading = null;
    function loadJsQR() {
      if (window.jsQR) return Promise.resolve();
      if (!jsqrLoading) jsqrLoading = new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = '/assets/vendor/jsqr/jsQR.js'; s.onload = resolve; s.onerror = reject;
        document.head.appendChild(s);
      });
      return jsqrLoading;
    }
    async function makeDetector() {
      if ('BarcodeDetector' in window) {
        try {
          const formats = await BarcodeDetector.getSupportedFormats();
          if (formats.includes('qr_code')) {
            const d = new BarcodeDetector({formats: ['qr_code']});
            return async (video) => { const r = await d.detect(video); return r.length ? r[0].rawValue : null; };
          }
        } catch (e) { /* fall back to jsQR */ }
      }
      await loadJsQR();
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', {willReadFrequently: true});
      return async (video) => {
        const w = Math.min(640, video.videoWidth || 0); if (!w) return null;
        const h = Math.round(w * video.videoHeight / video.videoWidth);
        canvas.width = w; canvas.height = h; ctx.drawImage(video, 0, 0, w, h);
        const r = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, {inversionAttempts: 'dontInvert'});
        return r ? r.data : null;
      };
    }
    async function start(videoId, rootId) {
      const video = document.getElementById(videoId), root = document.getElementById(rootId);
      if (!video || !root || running[videoId]) return 'running';
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return 'unsupported';
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}, audio: false});
      } catch (e) { return 'denied'; }
      video.srcObject = stream; await video.play();
      const detect = await makeDetector();
      const state = running[videoId] = {stream, last: '', lastAt: 0};
      const loop = async () => {
        if (running[videoId] !== state || !document.body.contains(video)) { stop(videoId); return; }
        try {
          const text = await detect(video);
          const now = Date.now();
          if (text && (text !== state.last || now - state.lastAt > 3000)) {
            state.last = text; state.lastAt = now;
            root.dispatchEvent(new CustomEvent('scc_scan', {detail: text}));
          }
        } catch (e) { /* a frame that failed to decode */ }
        setTimeout(loop, 150);
      };
      loop();
      return 'started';
    }
    function stop(videoId) {
      const state = running[videoId];
      if (state) { state.stream.getTracks().forEach(t => t.stop()); delete running[videoId]; }
      const video = document.getElementById(videoId); if (video) video.srcObject = null;
    }
    function keepFocus(inputId) {
      const refocus = () => setTimeout(() => {
        const input = document.getElementById(inputId); if (!input) return;
        const a = document.activeElement;
        if (a && a !== document.body && ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(a.tagName)) return;
        input.focus();
      }, 150);
      document.addEventListener('focusout', refocus);
      document.addEventListener('click', refocus);
      refocus();
    }
    return {start, stop, keepFocus};
  })();
})();
