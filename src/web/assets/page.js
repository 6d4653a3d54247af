/* The tenant's survey page. Plain ES2017 for old phone browsers; no build step.
 * Answers are kept in localStorage while filling (a reload resumes), and a finished
 * submission waits in an outbox until the server confirms it: a lost connection or a
 * closed tab never loses it, and the same submissionId makes retries harmless. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('tv-config').textContent);
  var PROGRESS_KEY = 'tv:progress:' + cfg.slug + ':v' + cfg.version;
  var OUTBOX_KEY = 'tv:outbox';
  var notice = document.getElementById('tv-notice');
  var retryTimer = null;
  var retryDelay = 2000;
  var sending = false;

  function say(text, kind) {
    notice.textContent = text;
    notice.setAttribute('data-kind', kind || 'info');
  }
  function read(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || 'null');
    } catch (e) {
      return null;
    }
  }
  function write(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (e) {
      return false;
    }
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map
      .call(b, function (x) {
        return (x + 0x100).toString(16).slice(1);
      })
      .join('');
    return (
      h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20)
    );
  }
  function outbox() {
    return read(OUTBOX_KEY) || [];
  }
  function drop(submissionId) {
    write(
      OUTBOX_KEY,
      outbox().filter(function (i) {
        return i.body.submissionId !== submissionId;
      }),
    );
  }
  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  /* Sends every waiting submission (this survey's and any other left on this phone). */
  function flush() {
    if (sending) return;
    var items = outbox();
    if (!items.length) return;
    sending = true;
    var item = items[0];
    var mine = item.slug === cfg.slug;
    if (mine) say(retryDelay > 2000 ? cfg.texts.retrying : cfg.texts.sending);
    fetch(item.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(item.body),
      credentials: 'omit',
    })
      .then(function (res) {
        return res
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { status: res.status, body: body };
          });
      })
      .then(
        function (r) {
          sending = false;
          if (r.status === 200 || r.status === 201) {
            drop(item.body.submissionId);
            retryDelay = 2000;
            if (mine) say(cfg.texts.thankYou, 'done');
            flush();
          } else if (r.status === 429 || r.status >= 500) {
            if (mine) say(cfg.texts.savedOffline);
            scheduleRetry();
          } else {
            /* The server refused these answers for good: keeping them would retry forever. */
            drop(item.body.submissionId);
            if (mine) {
              var code = r.body && r.body.error ? r.body.error.code : '';
              var reason =
                code === 'TOKEN_USED'
                  ? cfg.texts.tokenUsed
                  : code === 'CLOSED'
                    ? cfg.texts.closed
                    : code === 'FULL'
                      ? cfg.texts.full
                      : code === 'INVITATION_REQUIRED'
                        ? cfg.texts.inviteRequired
                        : (r.body && r.body.error && r.body.error.message) || String(r.status);
              say(cfg.texts.rejected.replace('{reason}', reason), 'error');
            }
            flush();
          }
        },
        function () {
          sending = false;
          if (mine) say(cfg.texts.savedOffline);
          scheduleRetry();
        },
      );
  }

  var survey = new Survey.Model(cfg.definition);
  survey.locale = cfg.lang;
  var startedAt = new Date().toISOString();
  var saved = read(PROGRESS_KEY);
  if (saved && saved.data) {
    survey.data = saved.data;
    if (typeof saved.page === 'number') survey.currentPageNo = saved.page;
    if (saved.startedAt) startedAt = saved.startedAt;
    say(cfg.texts.resumeNotice);
  }
  function keepProgress() {
    write(PROGRESS_KEY, { data: survey.data, page: survey.currentPageNo, startedAt: startedAt });
  }
  survey.onValueChanged.add(keepProgress);
  survey.onCurrentPageChanged.add(keepProgress);
  survey.onComplete.add(function (sender) {
    var item = {
      slug: cfg.slug,
      url: cfg.submitUrl,
      body: {
        submissionId: uuid(),
        answers: sender.data,
        locale: cfg.lang,
        channel: cfg.channel,
        startedAt: startedAt,
      },
    };
    if (cfg.token) item.body.token = cfg.token;
    /* Into the outbox first, then the progress can go: at no moment is there no copy. */
    var items = outbox();
    items.push(item);
    write(OUTBOX_KEY, items);
    write(PROGRESS_KEY, null);
    flush();
  });
  SurveyUI.renderSurvey(survey, document.getElementById('tv-survey'));
  window.addEventListener('online', function () {
    retryDelay = 2000;
    flush();
  });
  flush();
})();
