/* The tenant's survey page. Plain ES2017 for old phone browsers; no build step.
 * Answers are kept in localStorage while filling (a reload resumes), and a finished
 * submission waits in an outbox until the server confirms it: a lost connection or a
 * closed tab never loses it, and the same submissionId makes retries harmless. The
 * thank-you appears only after the server's confirmation; a refusal keeps the answers,
 * goes to the question the server named and shows its reason. */
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

  var survey = new Survey.Model(cfg.definition);
  survey.locale = cfg.lang;
  var startedAt = new Date().toISOString();
  var submissionId = null;
  /* Set once the server has stored this survey's answers: only then may survey-core complete. */
  var confirmed = false;
  var saved = read(PROGRESS_KEY);
  if (saved && saved.data) {
    survey.data = saved.data;
    if (typeof saved.page === 'number') survey.currentPageNo = saved.page;
    if (saved.startedAt) startedAt = saved.startedAt;
    if (saved.submissionId) submissionId = saved.submissionId;
    say(cfg.texts.resumeNotice);
  }
  function keepProgress() {
    write(PROGRESS_KEY, {
      data: survey.data,
      page: survey.currentPageNo,
      startedAt: startedAt,
      submissionId: submissionId,
    });
  }

  /* The server refused the answers: keep them, go to the question it named, say why. */
  function showRefusal(body) {
    var details = (body && body.error && body.error.details) || [];
    var focused = false;
    details.forEach(function (d) {
      var m = /^\/answers\/([^/]+)/.exec(d.path || '');
      if (!m) return;
      var name = m[1].replace(/~1/g, '/').replace(/~0/g, '~');
      var q = survey.getQuestionByValueName(name) || survey.getQuestionByName(name);
      if (!q) return;
      q.addError(d.message);
      if (!focused && q.page && q.page.isVisible) {
        survey.currentPage = q.page;
        q.focus(false);
        focused = true;
      }
    });
    var reason = details.length
      ? details
          .map(function (d) {
            return d.message;
          })
          .join(' ')
      : (body && body.error && body.error.message) || '';
    say(cfg.texts.rejected.replace('{reason}', reason), 'error');
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
            if (mine) {
              /* Confirmed: only now the draft goes and survey-core shows its thank-you. */
              write(PROGRESS_KEY, null);
              confirmed = true;
              if (survey.state !== 'completed') survey.doComplete();
              say(cfg.texts.thankYou, 'done');
            }
            flush();
          } else if (r.status === 429 || r.status >= 500) {
            if (mine) say(cfg.texts.savedOffline);
            scheduleRetry();
          } else {
            /* Refused for good: resending the same answers would fail again. The draft stays. */
            drop(item.body.submissionId);
            if (mine) {
              var code = r.body && r.body.error ? r.body.error.code : '';
              var fixed = {
                TOKEN_USED: cfg.texts.tokenUsed,
                CLOSED: cfg.texts.closed,
                FULL: cfg.texts.full,
                INVITATION_REQUIRED: cfg.texts.inviteRequired,
              }[code];
              if (fixed) say(cfg.texts.rejected.replace('{reason}', fixed), 'error');
              else showRefusal(r.body);
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

  survey.onValueChanged.add(keepProgress);
  survey.onCurrentPageChanged.add(keepProgress);
  survey.onCompleting.add(function (sender, options) {
    if (confirmed) return;
    /* No thank-you before the server has the answers: queue them and stay on the page. */
    options.allow = false;
    options.allowComplete = false;
    if (!submissionId) submissionId = uuid();
    /* What survey-core itself keeps on completion: answers that skip logic now hides go. */
    if (sender.clearInvisibleValues !== 'none' && sender.clearInvisibleQuestionValues) {
      sender.clearInvisibleQuestionValues();
    }
    keepProgress();
    var item = {
      slug: cfg.slug,
      url: cfg.submitUrl,
      body: {
        submissionId: submissionId,
        answers: sender.data,
        locale: cfg.lang,
        channel: cfg.channel,
        startedAt: startedAt,
      },
    };
    if (cfg.token) item.body.token = cfg.token;
    var items = outbox().filter(function (i) {
      return i.body.submissionId !== submissionId;
    });
    items.push(item);
    write(OUTBOX_KEY, items);
    retryDelay = 2000;
    flush();
  });
  SurveyUI.renderSurvey(survey, document.getElementById('tv-survey'));
  window.addEventListener('online', function () {
    retryDelay = 2000;
    flush();
  });
  flush();
})();
