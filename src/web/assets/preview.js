/* The console's survey preview. Plain script, no build step. It draws the definition the
 * console (the parent window, same origin only) posts to it, in the language of this page,
 * and answers with the languages the definition uses. Nothing is submitted anywhere. */
(function () {
  'use strict';
  var root = document.getElementById('tv-survey');
  var lang = document.documentElement.lang || 'en';

  function tell(message) {
    if (window.parent !== window) window.parent.postMessage(message, window.location.origin);
  }

  function draw(definition) {
    var survey;
    try {
      survey = new Survey.Model(definition);
    } catch (e) {
      root.setAttribute('data-state', 'failed');
      tell({ type: 'tv-preview-failed', message: String((e && e.message) || e) });
      return;
    }
    survey.locale = lang;
    /* A preview: the completion page is shown, but no answers go anywhere. */
    SurveyUI.renderSurvey(survey, root);
    root.setAttribute('data-state', 'drawn');
    tell({ type: 'tv-preview-drawn', locale: lang, locales: survey.getUsedLocales() });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || event.source !== window.parent) return;
    var data = event.data;
    if (!data || data.type !== 'tv-preview-draw' || typeof data.definition !== 'object') return;
    draw(data.definition);
  });
  tell({ type: 'tv-preview-ready', locale: lang });
})();
