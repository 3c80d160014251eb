/* Browser drafts of long forms: what is typed is kept in localStorage, so that nothing is lost to
   a reload, a closed tab or an expired session, and is offered back when the form is opened again.

   HOW A FORM USES IT (base.html loads this script on every page):

     <form method="post" data-form-draft="tsunagu:draft:{{ user.pk }}:<name>" …>

   The attribute's value is the localStorage key. `<name>` is `<form>:new` for a new object and
   `<form>:<pk>` for an edit, e.g. `client:new`, `client:12`, `event-meeting:7`, `provider:3`.
   A template that is not based on base.html includes {% static 'js/form-draft.js' %} itself
   (loading it twice does nothing more).

   - Restored: when the form is opened and a draft differs from what the page shows, the draft's
     values are put in and the notice is shown. A form rendered after a POST (it shows what was
     posted) may carry `data-form-draft-posted` to never restore.
   - The notice: the page's first element with `data-draft-notice`, else one made by this script
     just before the form, with this markup (the log form has it in its template):

       <div class="notice" role="status" data-draft-notice hidden>
         <p>入力途中の内容を復元しました<span data-draft-saved-at></span>。</p>
         <button type="button" class="button button--secondary button--small" data-draft-discard>破棄</button>
       </div>

     破棄 puts the form back as it was served and forgets the draft.
   - Never stored: passwords, files, the CSRF token, formset counts, hidden inputs (unless marked
     `data-form-draft-keep`), and any field marked `data-form-draft-skip`. The optimistic-lock
     versions (hidden `version`, `*_version`) are not restored as values: the draft remembers the
     versions it was typed over, and if the object was saved by someone else since, the restored
     form carries those older versions, so that saving it shows the usual conflict page instead of
     silently overwriting the other person's change.
   - Forgotten: after a successful save (the view calls common.drafts.mark_draft_saved; the next
     page carries `<div hidden data-clear-drafts="key key…">`, rendered by base.html), after 14
     days, and on signing out (sign-out.js).

   A form with a script of its own (log-form.js) starts its draft with
   window.TsunaguFormDraft.start(form, { key, restore, extra }) once the script has built the form;
   `extra` = { collect(): value, apply(value) } keeps what the fields alone do not tell (its rows). */
(function () {
  "use strict";

  if (window.TsunaguFormDraft) { return; }

  var DRAFT_VERSION = 1;
  var DRAFT_PREFIX = "tsunagu:draft:";
  // A draft holds personal data in the browser: one left for two weeks is not coming back.
  var DRAFT_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
  var NOTICE_HTML =
    '<p>入力途中の内容を復元しました<span data-draft-saved-at></span>。</p>' +
    '<button type="button" class="button button--secondary button--small" data-draft-discard>破棄</button>';

  function forgetOldDrafts() {
    try {
      var now = Date.now();
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf(DRAFT_PREFIX) !== 0) { return; }
        var savedAt = 0;
        try { savedAt = Date.parse(JSON.parse(window.localStorage.getItem(key)).savedAt) || 0; } catch (e) { savedAt = 0; }
        if (now - savedAt > DRAFT_MAX_AGE_MS) { window.localStorage.removeItem(key); }
      });
    } catch (e) { /* storage unavailable */ }
  }

  function clearSavedDrafts() {
    document.querySelectorAll("[data-clear-drafts]").forEach(function (marker) {
      marker.getAttribute("data-clear-drafts").split(/\s+/).forEach(function (key) {
        if (key) {
          try { window.localStorage.removeItem(key); } catch (e) { /* storage unavailable */ }
        }
      });
    });
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fn.apply(self, args); }, wait);
    };
  }

  function isVersion(element) {
    return element.type === "hidden" && (element.name === "version" || /_version$/.test(element.name));
  }

  function isKept(element) {
    var name = element.name;
    if (!name || name === "csrfmiddlewaretoken" || /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(name)) { return false; }
    if (element.hasAttribute("data-form-draft-skip")) { return false; }
    var type = element.type;
    if (type === "password" || type === "file" || type === "submit" || type === "button" || type === "reset") { return false; }
    if (type === "hidden" && !element.hasAttribute("data-form-draft-keep")) { return false; }
    return element.tagName === "INPUT" || element.tagName === "SELECT" || element.tagName === "TEXTAREA";
  }

  function Draft(form, key, extra) {
    this.form = form;
    this.key = key;
    this.extra = extra || null;
  }

  Draft.prototype.collect = function () {
    var fields = {}, versions = {};
    Array.prototype.forEach.call(this.form.elements, function (element) {
      if (isVersion(element)) { versions[element.name] = element.value; return; }
      if (!isKept(element)) { return; }
      var name = element.name;
      if (element.type === "checkbox") {
        fields[name] = fields[name] || [];
        if (element.checked) { fields[name].push(element.value); }
      } else if (element.type === "radio") {
        if (!(name in fields)) { fields[name] = ""; }
        if (element.checked) { fields[name] = element.value; }
      } else if (element.tagName === "SELECT" && element.multiple) {
        fields[name] = Array.prototype.filter.call(element.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        fields[name] = element.value;
      }
    });
    var state = { version: DRAFT_VERSION, fields: fields, versions: versions };
    if (this.extra) { state.rows = this.extra.collect(); }
    return state;
  };

  Draft.prototype.apply = function (state) {
    if (this.extra && state.rows !== undefined) { this.extra.apply(state.rows); }
    var fields = state.fields || {};
    // Drafts written before versions were kept apart held the log form's version among the fields.
    var versions = state.versions || (fields.version !== undefined ? { version: fields.version } : {});
    Array.prototype.forEach.call(this.form.elements, function (element) {
      if (isVersion(element)) {
        if (element.name in versions) { element.value = versions[element.name]; }
        return;
      }
      if (!isKept(element) || !(element.name in fields)) { return; }
      var value = fields[element.name];
      if (element.type === "checkbox") {
        element.checked = Array.isArray(value) && value.indexOf(element.value) !== -1;
      } else if (element.type === "radio") {
        element.checked = value === element.value;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (o) { o.selected = Array.isArray(value) && value.indexOf(o.value) !== -1; });
      } else {
        element.value = value;
      }
    });
  };

  Draft.prototype.save = function () {
    var state = this.collect();
    state.savedAt = new Date().toISOString();
    try { window.localStorage.setItem(this.key, JSON.stringify(state)); } catch (e) { /* full or unavailable */ }
  };

  Draft.prototype.load = function () {
    try {
      var state = JSON.parse(window.localStorage.getItem(this.key) || "null");
      return state && state.version === DRAFT_VERSION && state.fields ? state : null;
    } catch (e) {
      return null;
    }
  };

  Draft.prototype.discard = function () {
    try { window.localStorage.removeItem(this.key); } catch (e) { /* unavailable */ }
  };

  function json(value) { return JSON.stringify(value === undefined ? null : value); }

  function same(a, b) {
    return json(a.fields) === json(b.fields) && json(a.rows) === json(b.rows);
  }

  // Whether restoring the draft would change what the page shows (a field the page lacks is ignored).
  function differs(stored, shown) {
    if (stored.rows !== undefined && shown.rows !== undefined && json(stored.rows) !== json(shown.rows)) { return true; }
    return Object.keys(stored.fields).some(function (name) {
      return name in shown.fields && json(stored.fields[name]) !== json(shown.fields[name]);
    });
  }

  function savedAtText(savedAt) {
    var when = new Date(savedAt);
    if (isNaN(when.getTime())) { return ""; }
    return "（" + (when.getMonth() + 1) + "月" + when.getDate() + "日 " + when.getHours() + ":" +
      String(when.getMinutes()).padStart(2, "0") + " の入力）";
  }

  function noticeFor(form) {
    var notice = document.querySelector("[data-draft-notice]");
    if (notice) { return notice; }
    notice = document.createElement("div");
    notice.className = "notice";
    notice.setAttribute("role", "status");
    notice.setAttribute("data-draft-notice", "");
    notice.hidden = true;
    notice.innerHTML = NOTICE_HTML;
    form.insertAdjacentElement("beforebegin", notice);
    return notice;
  }

  function firstField(form) {
    return form.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
  }

  /* Starts keeping the form's draft; restores a stored one if `options.restore` is not false. */
  function start(form, options) {
    options = options || {};
    var key = options.key || form.getAttribute("data-form-draft");
    if (!key || key.indexOf(DRAFT_PREFIX) !== 0 || form.tsunaguDraft) { return null; }
    var draft = new Draft(form, key, options.extra);
    form.tsunaguDraft = draft;
    var initial = draft.collect();
    var stored = draft.load();
    var restore = options.restore !== undefined ? options.restore : !form.hasAttribute("data-form-draft-posted");
    if (stored && restore && differs(stored, initial)) {
      draft.apply(stored);
      var notice = noticeFor(form);
      var savedAt = notice.querySelector("[data-draft-saved-at]");
      if (savedAt) { savedAt.textContent = savedAtText(stored.savedAt); }
      var outdated = notice.querySelector("[data-draft-outdated]");
      if (outdated) { outdated.remove(); }
      if (json(stored.versions || {}) !== "{}" && Object.keys(stored.versions).some(function (name) {
        return name in initial.versions && stored.versions[name] !== initial.versions[name];
      })) {
        // Saved by someone since: the form keeps the draft's versions, so saving shows the conflict page.
        outdated = document.createElement("p");
        outdated.setAttribute("data-draft-outdated", "");
        outdated.textContent = "この入力のあとで、ほかの人が内容を保存しています。保存すると、違いを確かめる画面が出ます。";
        notice.insertBefore(outdated, notice.querySelector("[data-draft-discard]"));
      }
      notice.hidden = false;
      var discard = notice.querySelector("[data-draft-discard]");
      if (discard) {
        discard.addEventListener("click", function () {
          draft.discard();
          draft.apply(initial);
          notice.hidden = true;
          if (outdated) { outdated.remove(); }
          var field = firstField(form);
          if (field) { field.focus(); }
        });
      }
    }
    var saveSoon = debounce(function () { draft.save(); }, 300);
    form.addEventListener("input", saveSoon);
    form.addEventListener("change", saveSoon);
    // The last keystrokes before a submit or a reload are kept too.
    window.addEventListener("pagehide", function () {
      if (document.documentElement.dataset.signingOut) { return; }  // see sign-out.js
      if (!same(draft.collect(), initial)) { draft.save(); }
    });
    form.addEventListener("submit", function () { draft.save(); });
    return draft;
  }

  window.TsunaguFormDraft = { start: start, prefix: DRAFT_PREFIX };

  function startAll() {
    clearSavedDrafts();
    forgetOldDrafts();
    document.querySelectorAll("form[data-form-draft]").forEach(function (form) { start(form); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
