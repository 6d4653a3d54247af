/* The staff entry page: the tenant's survey, entered by staff from a paper form or during an
 * interview. Plain ES2017, no build step. The staff key stays in this tab (sessionStorage) and goes
 * only to this service's entry endpoints. The server validates the answers as it does a tenant's;
 * a double-entry form's second entry may come back with differences, which are settled here by
 * choosing, for each, what is written on the form. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('tv-config').textContent);
  var x = cfg.texts;
  var KEY = 'tv:staff-key';
  var notice = document.getElementById('tv-notice');
  var result = document.getElementById('tv-result');
  var keyInput = document.getElementById('tv-key');
  var modeInput = document.getElementById('tv-mode');
  var serialInput = document.getElementById('tv-serial');
  var serialRow = document.getElementById('tv-serial-row');
  var codeInput = document.getElementById('tv-code');
  var startedAt = new Date().toISOString();
  var submissionId = null;

  function say(text, kind) {
    notice.textContent = text;
    notice.setAttribute('data-kind', kind || 'info');
  }
  function fill(template, vars) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : whole;
    });
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map
      .call(b, function (v) {
        return (v + 0x100).toString(16).slice(1);
      })
      .join('');
    return (
      h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20)
    );
  }
  try {
    keyInput.value = window.sessionStorage.getItem(KEY) || '';
  } catch (e) {
    /* No storage: the key is typed each time. */
  }
  keyInput.addEventListener('change', function () {
    try {
      window.sessionStorage.setItem(KEY, keyInput.value.trim());
    } catch (e) {
      /* ignored */
    }
  });
  function showSerial() {
    serialRow.hidden = modeInput.value !== 'paper';
  }
  modeInput.addEventListener('change', showSerial);
  showSerial();

  function call(method, url, body) {
    return fetch(url, {
      method: method,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: 'Bearer ' + keyInput.value.trim(),
      },
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
    }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (b) {
          return { status: res.status, body: b };
        });
    });
  }

  var survey = new Survey.Model(cfg.definition);
  survey.locale = cfg.lang;

  function questionTitle(name) {
    var q = survey.getQuestionByValueName(name) || survey.getQuestionByName(name);
    return q ? q.processedTitle || q.title || name : name;
  }
  /* An answer as the form shows it: the choice's text in the page language where there is one. */
  function shown(name, value) {
    if (value === undefined || value === null) return x.noAnswer;
    var q = survey.getQuestionByValueName(name) || survey.getQuestionByName(name);
    var choices = (q && q.visibleChoices) || [];
    for (var i = 0; i < choices.length; i++) if (choices[i].value === value) return choices[i].text;
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  function nameOf(path) {
    return path
      .replace(/^\/answers\//, '')
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
  }
  function refused(body) {
    var details = (body && body.error && body.error.details) || [];
    details.forEach(function (d) {
      var m = /^\/answers\/([^/]+)/.exec(d.path || '');
      if (!m) return;
      var q = survey.getQuestionByValueName(nameOf('/answers/' + m[1]));
      if (q) q.addError(d.message);
    });
    var reason = details.length
      ? details
          .map(function (d) {
            return d.path + ': ' + d.message;
          })
          .join(' ')
      : (body && body.error && body.error.message) || '';
    say(fill(x.refused, { reason: reason }), 'error');
  }
  function nextForm() {
    result.textContent = '';
    serialInput.value = '';
    if (codeInput) codeInput.value = '';
    submissionId = null;
    startedAt = new Date().toISOString();
    survey.clear(true, true);
    say('');
    serialInput.focus();
  }
  function nextButton() {
    var b = document.createElement('button');
    b.type = 'button';
    b.id = 'tv-next';
    b.textContent = x.next;
    b.addEventListener('click', nextForm);
    result.appendChild(b);
  }

  /* The two entries differ: a fieldset per difference, the first entry's answers for the rest. */
  function resolveForm(serial) {
    call('GET', cfg.formsUrl + '/' + encodeURIComponent(serial)).then(function (r) {
      if (r.status !== 200) return refused(r.body);
      var form = r.body;
      var first = form.entries[0];
      var second = form.entries[1];
      result.textContent = '';
      var intro = document.createElement('p');
      intro.textContent = fill(x.differences, { serial: serial });
      result.appendChild(intro);
      var f = document.createElement('form');
      f.id = 'tv-resolution';
      var codeField = null;
      form.differences.forEach(function (path, i) {
        var fs = document.createElement('fieldset');
        var legend = document.createElement('legend');
        if (path === '/code') {
          legend.textContent = x.codeOnForm;
          fs.appendChild(legend);
          codeField = document.createElement('input');
          codeField.id = 'tv-resolve-code';
          codeField.setAttribute('aria-label', x.codeOnForm);
          fs.appendChild(codeField);
          f.appendChild(fs);
          return;
        }
        var name = nameOf(path);
        legend.textContent = questionTitle(name);
        fs.appendChild(legend);
        [
          ['first', first.answers[name]],
          ['second', second.answers[name]],
        ].forEach(function (choice, j) {
          var id = 'tv-d' + i + '-' + choice[0];
          var input = document.createElement('input');
          input.type = 'radio';
          input.name = 'd' + i;
          input.id = id;
          input.value = choice[0];
          input.setAttribute('data-question', name);
          if (j === 0) input.required = true;
          var label = document.createElement('label');
          label.htmlFor = id;
          label.textContent = x[choice[0]] + ': ' + shown(name, choice[1]);
          var row = document.createElement('div');
          row.appendChild(input);
          row.appendChild(label);
          fs.appendChild(row);
        });
        f.appendChild(fs);
      });
      var submit = document.createElement('button');
      submit.type = 'submit';
      submit.textContent = x.resolve;
      f.appendChild(submit);
      f.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var answers = JSON.parse(JSON.stringify(first.answers));
        Array.prototype.forEach.call(f.querySelectorAll('input[type=radio]:checked'), function (input) {
          var name = input.getAttribute('data-question');
          var value = (input.value === 'first' ? first : second).answers[name];
          if (value === undefined) delete answers[name];
          else answers[name] = value;
        });
        var body = { answers: answers, locale: first.locale };
        if (codeField) body.code = codeField.value.trim();
        say(x.sending);
        call('POST', cfg.formsUrl + '/' + encodeURIComponent(serial) + '/resolution', body).then(
          function (res) {
            if (res.status === 201) {
              result.textContent = '';
              say(x.stored, 'done');
              nextButton();
            } else refused(res.body);
          },
        );
      });
      result.appendChild(f);
      say('');
    });
  }

  survey.onCompleting.add(function (sender, options) {
    options.allow = false;
    options.allowComplete = false;
    if (!keyInput.value.trim()) {
      say(x.keyRequired, 'error');
      keyInput.focus();
      return;
    }
    var mode = modeInput.value;
    var serial = serialInput.value.trim();
    if (mode === 'paper' && !serial) {
      say(x.serialRequired, 'error');
      serialInput.focus();
      return;
    }
    if (sender.clearInvisibleQuestionValues) sender.clearInvisibleQuestionValues();
    var body = { mode: mode, answers: sender.data, locale: cfg.lang, startedAt: startedAt };
    if (mode === 'paper') body.serial = serial;
    else {
      if (!submissionId) submissionId = uuid();
      body.submissionId = submissionId;
    }
    if (codeInput && codeInput.value.trim()) body.code = codeInput.value.trim();
    say(x.sending);
    call('POST', cfg.entryUrl, body).then(
      function (r) {
        result.textContent = '';
        if (r.status === 200 || r.status === 201) {
          say(x.stored, 'done');
          nextButton();
        } else if (r.status === 202 && r.body.outcome === 'first-entry') {
          say(fill(x.firstEntry, { serial: serial }), 'done');
          nextButton();
        } else if (r.status === 202 && r.body.outcome === 'differences') {
          resolveForm(serial);
        } else refused(r.body);
      },
      function () {
        say(fill(x.refused, { reason: 'network' }), 'error');
      },
    );
  });
  SurveyUI.renderSurvey(survey, document.getElementById('tv-survey'));
})();
