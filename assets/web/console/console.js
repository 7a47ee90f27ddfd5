// The window staff console (docs/hall-api.md "Staff console"). Plain JS, no
// framework, nothing loaded from elsewhere. Every action is one call of the hall API with the
// session token from POST /api/v1/staff/sign-in; the live counts come from the event stream.
'use strict';

(() => {
  const API = '/api/v1';
  const TOKEN_KEY = 'hcp.console.token';
  const WINDOW_KEY = 'hcp.console.window';
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    session: null,   // GET /staff/session: window, staff, categories, held
    current: null,   // the window's current ticket (from GET /queue), or null
    busy: false,     // a request started by a button or key is running
    events: null,    // EventSource
    refreshSeq: 0,
    refreshTimer: 0,
    receipt: null,   // the last receipt sent to this window's printer: { caseNo, jobId }
    receiptEnds: new Map(),  // job id → how it ended; the event can beat the reply that queued it
  };
  const $ = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(message, status, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // One request of the hall API. Errors carry the API's own Chinese message.
  async function api(method, path, body) {
    const headers = {};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(API + path, {
        method, headers, cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError('无法连接叫号中心，请检查网线或网络后重试。', 0, 'network');
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = data && data.error ? data.error : {};
      const msg = err.message || `请求未能完成（状态 ${res.status}），请稍后重试。`;
      throw new ApiError(msg, res.status, err.code || '');
    }
    return data;
  }

  function say(text, kind, where) {
    const el = where || $('message');
    el.textContent = text;
    el.className = 'message' + (kind ? ' ' + kind : '');
  }

  // ---- signing in and out ----

  function showSignIn(message) {
    closeEvents();
    state.token = '';
    state.session = null;
    state.current = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('console').hidden = true;
    $('signin').hidden = false;
    $('signin-pin').value = '';
    say(message || '', message ? 'error' : '', $('signin-message'));
    const w = localStorage.getItem(WINDOW_KEY);
    if (w && !$('signin-window').value) $('signin-window').value = w;
    ($('signin-window').value ? $('signin-staff') : $('signin-window')).focus();
  }

  function showConsole(session) {
    state.session = session;
    $('signin').hidden = true;
    $('console').hidden = false;
    $('window-name').textContent = session.window_name;
    $('staff-name').textContent = `${session.staff.name}（工号 ${session.staff.number}）`;
    $('complete-print-row').hidden = !session.receipt_printer;
    openEvents();
    refresh();
    updateButtons();
  }

  async function signIn(ev) {
    ev.preventDefault();
    if (state.busy) return;
    const body = {
      window: Number($('signin-window').value),
      staff_no: $('signin-staff').value.trim(),
      pin: $('signin-pin').value,
    };
    setBusy(true);
    say('正在登录……', '', $('signin-message'));
    try {
      const s = await api('POST', '/staff/sign-in', body);
      state.token = s.token;
      sessionStorage.setItem(TOKEN_KEY, s.token);
      localStorage.setItem(WINDOW_KEY, String(s.window));
      say('', '', $('signin-message'));
      $('signin-pin').value = '';
      showConsole(s);
      say(`已登录 ${s.window_name}。按 F1 叫号。`, 'ok');
    } catch (e) {
      say(e.message, 'error', $('signin-message'));
      $('signin-pin').value = '';
      $('signin-pin').focus();
    } finally {
      setBusy(false);
    }
  }

  async function signOut() {
    await run(async () => {
      await api('POST', '/staff/sign-out');
      showSignIn();
      say('已退出登录。', 'ok', $('signin-message'));
    });
  }

  // ---- live data ----

  function openEvents() {
    closeEvents();
    // EventSource cannot send an Authorization header: the hub takes the session token as
    // ?access_token= on this one endpoint (docs/hall-api.md "Staff console").
    const es = new EventSource(`${API}/events?access_token=${encodeURIComponent(state.token)}`);
    state.events = es;
    const changed = () => scheduleRefresh();
    es.addEventListener('queue_changed', changed);
    es.addEventListener('queue_called', changed);
    es.addEventListener('gap', changed);
    es.addEventListener('receipt_printed', (m) => receiptPrinted(JSON.parse(m.data)));
    es.onopen = () => { $('live').classList.remove('off'); $('live').textContent = '● 实时'; scheduleRefresh(); };
    es.onerror = () => {
      $('live').classList.add('off');
      $('live').textContent = '● 连接中断，正在重连';
      if (es.readyState === EventSource.CLOSED) {
        // Refused (session ended) or the hub is gone: ask whether the session still lives.
        setTimeout(async () => {
          if (state.events !== es) return;
          try {
            await api('GET', '/staff/session');
            openEvents();
          } catch (e) {
            if (e.status === 401) showSignIn('登录已失效（已超时、已退出或其他人登录了本窗口），请重新登录。');
            else setTimeout(() => { if (state.events === es) openEvents(); }, 3000);
          }
        }, 1000);
      }
    };
  }

  function closeEvents() {
    if (state.events) state.events.close();
    state.events = null;
  }

  function scheduleRefresh() {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(refresh, 50);
  }

  // Reads the queue and the session; only the newest answer is shown.
  async function refresh() {
    if (!state.token) return;
    const seq = ++state.refreshSeq;
    try {
      const [queue, session] = await Promise.all([api('GET', '/queue'), api('GET', '/staff/session')]);
      if (seq !== state.refreshSeq || !state.token) return;
      state.session = session;
      const mine = (queue.windows || []).find((w) => w.window === session.window);
      state.current = mine && mine.current ? mine.current : null;
      drawCurrent();
      drawCounts(queue);
      updateButtons();
    } catch (e) {
      if (e.status === 401) showSignIn('登录已失效（已超时、已退出或其他人登录了本窗口），请重新登录。');
      else say(e.message, 'error');
    }
  }

  function drawCurrent() {
    const t = state.current;
    $('current-number').textContent = t ? t.number : '—';
    $('current-detail').textContent = t
      ? `${t.category_name} · ${t.state_zh}${t.priority ? ' · 绿色通道' : ''}${t.transfers ? ' · 转移而来' : ''}`
      : '暂无号码，请按“叫号”。';
  }

  function drawCounts(queue) {
    const body = $('counts').querySelector('tbody');
    body.textContent = '';
    for (const c of queue.categories || []) {
      const tr = document.createElement('tr');
      tr.dataset.category = c.code;
      for (const [text, cls] of [[c.name, ''], [c.waiting, 'n waiting'], [c.waiting_priority, 'priority'], [c.held, 'held']]) {
        const td = document.createElement('td');
        td.textContent = String(text);
        if (cls) td.className = cls;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    $('counts-at').textContent = '更新于 ' + new Date().toLocaleTimeString('zh-CN');
  }

  // ---- actions ----

  function setBusy(on) {
    state.busy = on;
    updateButtons();
  }

  function updateButtons() {
    for (const b of document.querySelectorAll('button')) {
      const needsTicket = b.hasAttribute('data-needs-ticket');
      b.disabled = state.busy || (needsTicket && !state.current);
    }
  }

  // Runs one request started by staff: buttons stay disabled until it answers (no double calls).
  async function run(fn) {
    if (state.busy) return;
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      if (e.status === 401) showSignIn('登录已失效（已超时、已退出或其他人登录了本窗口），请重新登录。');
      else say(e.message, 'error');
    } finally {
      setBusy(false);
    }
    await refresh();
  }

  const win = (action) => `/windows/${state.session.window}/${action}`;
  const expect = () => (state.current ? { expect: state.current.number } : {});

  function callText(r) {
    const what = { call: '叫号', call_given: '特呼', recall: '重呼', resume: '恢复' }[r.call.action] || '叫号';
    return `${what}：请 ${r.call.number} 号到 ${r.call.window_name} 办理。${r.call.explanation_zh ? '（' + r.call.explanation_zh + '）' : ''}`;
  }

  function closePanels() {
    for (const id of ['complete-form', 'call-form', 'resume-form', 'transfer-form']) $(id).hidden = true;
  }

  function openPanel(id, focusId) {
    closePanels();
    $(id).hidden = false;
    $(focusId).focus();
  }

  function fillSelect(select, options, empty) {
    select.textContent = '';
    for (const [value, text] of options) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      select.appendChild(o);
    }
    if (options.length === 0) {
      const o = document.createElement('option');
      o.value = '';
      o.textContent = empty;
      select.appendChild(o);
    }
  }

  const actions = {
    'reprint-receipt': () => reprintReceipt(),
    'call-next': () => run(async () => {
      closePanels();
      const r = await api('POST', win('call-next'));
      state.current = r.ticket;
      drawCurrent();
      say(callText(r), 'ok');
    }),
    recall: () => state.current && run(async () => say(callText(await api('POST', win('recall'), expect())), 'ok')),
    skip: () => state.current && run(async () => {
      closePanels();
      say((await api('POST', win('skip'), expect())).text_zh, 'ok');
    }),
    hold: () => state.current && run(async () => {
      closePanels();
      const r = await api('POST', win('hold'), expect());
      say(`${r.ticket.number} 已挂起；群众回来后用“恢复”再叫。`, 'ok');
    }),
    'open-complete': () => {
      if (!state.current || state.busy) return;
      const cats = state.session.categories || [];
      const own = cats.find((c) => c.code === state.current.category);
      let items = own ? own.items : [];
      if (items.length === 0) items = cats.filter((c) => c.serves).flatMap((c) => c.items);
      fillSelect($('complete-item'), items.map((i) => [i.code, i.name]), '（本业务未配置事项，请联系管理员）');
      openPanel('complete-form', 'complete-case');
    },
    'open-call': () => { if (!state.busy) openPanel('call-form', 'call-number'); },
    'open-resume': () => {
      if (state.busy) return;
      const held = (state.session && state.session.held) || [];
      fillSelect($('resume-number'), held.map((h) => [h.number, h.number]), '（本窗口没有挂起的号码）');
      openPanel('resume-form', 'resume-number');
    },
    'open-transfer': () => {
      if (!state.current || state.busy) return;
      const cats = (state.session.categories || []).filter((c) => c.code !== state.current.category);
      fillSelect($('transfer-category'), cats.map((c) => [c.code, c.name]), '（没有其他业务类别）');
      openPanel('transfer-form', 'transfer-category');
    },
  };

  function submitComplete(ev) {
    ev.preventDefault();
    const caseNo = $('complete-case').value.trim();
    const item = $('complete-item').value;
    if (!caseNo) return say('请输入办件编号。', 'error');
    if (!item) return say('请选择办理的事项。', 'error');
    run(async () => {
      const print = !$('complete-print-row').hidden && $('complete-print').checked;
      const r = await api('POST', win('complete'),
        { case_no: caseNo, item_code: item, print_receipt: print, ...expect() });
      closePanels();
      $('complete-case').value = '';
      say(r.rating && r.rating.opened
        ? `${r.ticket.number} 已办结（办件 ${r.case.case_no}），本窗口的评价器已打开，请群众评价。`
        : `${r.ticket.number} 已办结（办件 ${r.case.case_no}）。`, 'ok');
      if (print) receiptQueued(r.case.case_no, r.receipt_print);
    });
  }

  // ---- receipts (办件回执 on this window's printer) ----

  function showReceipt(text, kind, canReprint) {
    $('receipt').hidden = false;
    $('receipt').className = `receipt ${kind}`;
    $('receipt-text').textContent = text;
    $('receipt-reprint').hidden = !canReprint;
  }

  // The reply of 办结 or 重打: queued (the event tells how it ended) or refused at once.
  function receiptQueued(caseNo, p) {
    if (!p) return;
    if (p.status === 'queued') {
      state.receipt = { caseNo, jobId: p.job_id };
      showReceipt(`办件 ${caseNo} 的回执正在打印……`, '', false);
      const ended = state.receiptEnds.get(p.job_id);
      if (ended) receiptPrinted({ receipt: ended });
    } else {
      state.receipt = { caseNo, jobId: null };
      showReceipt(`回执未打印：${p.message_zh}`, 'error', p.status !== 'no_printer');
    }
  }

  function receiptPrinted(ev) {
    const r = ev.receipt;
    if (!r) return;
    state.receiptEnds.set(r.job_id, r);
    if (state.receiptEnds.size > 20) state.receiptEnds.delete(state.receiptEnds.keys().next().value);
    if (!state.receipt || r.job_id !== state.receipt.jobId) return;  // not the one shown
    if (r.printed) showReceipt(`办件 ${state.receipt.caseNo} 的回执已打印，请交给群众。`, 'ok', true);
    else showReceipt(`办件 ${state.receipt.caseNo} 的回执未打印：${r.reason_zh}`, 'error', true);
  }

  function reprintReceipt() {
    // Only while the 重打 button shows: not mid-job, not on a window without a printer.
    if (!state.receipt || state.busy || $('receipt').hidden || $('receipt-reprint').hidden) return;
    const caseNo = state.receipt.caseNo;
    run(async () => {
      try {
        const r = await api('POST', win('print-receipt'), { case_no: caseNo });
        receiptQueued(caseNo, r.receipt_print);
      } catch (e) {
        if (e.status === 401) throw e;  // run() returns to the sign-in form
        showReceipt(`回执未重打：${e.message}`, 'error', e.status !== 409);
      }
    });
  }

  function submitCall(ev) {
    ev.preventDefault();
    const number = $('call-number').value.trim();
    const reason = $('call-reason').value.trim();
    if (!number || !reason) return say('特呼请填写号码和原因。', 'error');
    run(async () => {
      const r = await api('POST', win('call'), { number, reason });
      closePanels();
      $('call-number').value = '';
      $('call-reason').value = '';
      say(callText(r), 'ok');
    });
  }

  function submitResume(ev) {
    ev.preventDefault();
    const number = $('resume-number').value;
    if (!number) return say('本窗口没有挂起的号码。', 'error');
    run(async () => {
      const r = await api('POST', win('resume'), { number });
      closePanels();
      say(callText(r), 'ok');
    });
  }

  function submitTransfer(ev) {
    ev.preventDefault();
    const to = $('transfer-category').value;
    if (!to) return say('请选择要转去的业务类别。', 'error');
    run(async () => {
      const r = await api('POST', win('transfer'), { to_category: to, ...expect() });
      closePanels();
      say(`${r.ticket.number} 已转到“${r.to_category_name}”${r.estimate ? '，' + r.estimate.eta_zh : ''}。`, 'ok');
    });
  }

  const keys = { F1: 'call-next', F2: 'recall', F3: 'skip', F4: 'open-complete', F6: 'hold', F7: 'open-call',
                 F8: 'open-resume', F9: 'open-transfer', F10: 'reprint-receipt' };

  function onKey(ev) {
    if ($('console').hidden) return;
    if (ev.key === 'Escape') { closePanels(); return; }
    const action = keys[ev.key];
    if (!action) return;
    ev.preventDefault();  // F1 would open the browser's help
    if (!state.busy) actions[action]();
  }

  document.addEventListener('DOMContentLoaded', async () => {
    $('signin-form').addEventListener('submit', signIn);
    $('signout-button').addEventListener('click', signOut);
    $('complete-form').addEventListener('submit', submitComplete);
    $('receipt-reprint').addEventListener('click', reprintReceipt);
    $('call-form').addEventListener('submit', submitCall);
    $('resume-form').addEventListener('submit', submitResume);
    $('transfer-form').addEventListener('submit', submitTransfer);
    for (const b of document.querySelectorAll('[data-close]')) b.addEventListener('click', closePanels);
    for (const b of document.querySelectorAll('[data-action]'))
      b.addEventListener('click', () => actions[b.dataset.action]());
    document.addEventListener('keydown', onKey);
    if (!state.token) return showSignIn();
    try {
      showConsole(await api('GET', '/staff/session'));
    } catch (e) {
      showSignIn(e.status === 401 ? '登录已失效，请重新登录。' : e.message);
    }
  });
})();
