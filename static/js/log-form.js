/* The contact log form: pickers that search as you type (combobox.js, loaded before this script,
   has the combobox and the client picker), counterpart rows, the activity type filter, and a draft
   kept in localStorage so that nothing typed is lost to a reload or an expired session
   (form-draft.js, loaded before this script by base.html, keeps it; this script starts it once the
   form is built, with the counterpart rows). Progressive enhancement: without these scripts the form
   still works (a select of the chosen client and a typed client name resolved by the server, typed
   organization names, an "add" button that asks the server for a new row). */
(function () {
  "use strict";

  function fold(text) {
    // Width, hiragana/katakana and spaces do not matter when filtering.
    return (text || "").normalize("NFKC").replace(/[\u3041-\u3096]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) + 0x60);
    }).replace(/\s+/g, "").toLowerCase();
  }

  var shared = window.TsunaguCombobox; // combobox.js, loaded before this script
  var Combobox = shared.Combobox;
  var fetchJson = shared.fetchJson;
  var changed = shared.changed;

  function enhanceClientPicker(form) {
    var container = form.querySelector("[data-combobox=client]");
    if (container) { shared.enhanceClientPicker(container, { placeholder: "例：あおやま", keepInDraft: true }); }
  }

  /* ---- 個別支援 / 地域支援 follows the client until chosen by hand ------------------------------- */

  function followSupportKind(form) {
    var box = form.querySelector("[data-support-kind]");
    if (!box) { return; }
    var noClient = form.querySelector("[data-combobox=client]").getAttribute("data-no-client");
    function client() { return form.querySelector("[name=client]").value; }
    function defaultFor(value) { return value === "" ? "" : (value === noClient ? "community" : "individual"); }
    function checked() { var radio = box.querySelector("input:checked"); return radio ? radio.value : ""; }
    function apply() {
      var wanted = defaultFor(client());
      box.querySelectorAll("input[type=radio]").forEach(function (radio) { radio.checked = radio.value === wanted; });
    }
    // A kind that differs from the client's default was chosen on purpose: the client no longer moves it.
    var chosen = checked() !== "" && checked() !== defaultFor(client());
    if (!checked()) { apply(); }
    box.addEventListener("change", function (event) { if (event.isTrusted) { chosen = true; } });
    form.addEventListener("change", function (event) {
      if (event.target.name === "client" && !chosen) { apply(); }
    });
  }

  /* ---- counterpart rows and their provider pickers ----------------------------------------- */

  function enhanceProviderPicker(form, row) {
    var container = row.querySelector("[data-combobox=provider]");
    var input = container.querySelector("input[type=text]");
    var hidden = container.querySelector("input[type=hidden]");
    var category = row.querySelector("select");
    hidden.setAttribute("data-form-draft-keep", ""); // the chosen provider is part of the draft
    input.placeholder = "例：そよかぜ訪問看護";
    new Combobox(input, {
      listLabel: "機関・事業所の候補",
      search: function (query) {
        if (!query) { return []; }
        return fetchJson(form.getAttribute("data-provider-lookup"), query).then(function (results) {
          return results.map(function (provider) {
            return { value: String(provider.id), label: provider.name, detail: provider.category, category: provider.counterpart_category };
          });
        });
      },
      onPick: function (item) {
        hidden.value = item.value;
        input.value = item.label;
        if (!category.value && item.category && category.querySelector('option[value="' + item.category + '"]')) {
          category.value = String(item.category);
        }
        changed(hidden);
      },
      onEdit: function () {
        if (hidden.value) { hidden.value = ""; changed(hidden); }
      },
    });
  }

  function Counterparts(form) {
    this.form = form;
    this.rows = form.querySelector("[data-counterpart-rows]");
    this.template = form.querySelector("[data-counterpart-template]");
    this.total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var self = this;
    this.rows.querySelectorAll("[data-counterpart-row]").forEach(function (row) { self.enhance(row); });
    var add = form.querySelector("[data-add-counterpart]");
    // A plain button now: Enter in a text field should save, not add a row.
    add.type = "button";
    add.removeAttribute("name");
    add.addEventListener("click", function () {
      var row = self.add();
      row.querySelector("select").focus();
      changed(self.total);
    });
    this.renumber();
  }

  Counterparts.prototype.enhance = function (row) {
    var self = this;
    enhanceProviderPicker(this.form, row);
    var remove = row.querySelector("[data-remove-counterpart]");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var rows = self.rows.querySelectorAll("[data-counterpart-row]");
      if (rows.length === 1) {
        row.querySelectorAll("input, select").forEach(function (field) { field.value = ""; });
        row.querySelector("select").focus();
      } else {
        var next = row.nextElementSibling || row.previousElementSibling;
        // The formset keeps its row numbers: a removed row is simply not sent (an empty row is ignored).
        row.remove();
        self.renumber();
        next.querySelector("select").focus();
      }
      changed(self.total);
    });
  };

  Counterparts.prototype.add = function (index) {
    var number = index === undefined ? Number(this.total.value) : index;
    var html = this.template.innerHTML.replace(/__prefix__/g, String(number));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    this.rows.appendChild(row);
    this.total.value = String(Math.max(Number(this.total.value), number + 1));
    this.enhance(row);
    this.renumber();
    return row;
  };

  Counterparts.prototype.indices = function () {
    return Array.prototype.map.call(this.rows.querySelectorAll("[data-counterpart-row] select"), function (select) {
      return Number(select.name.split("-")[1]);
    });
  };

  Counterparts.prototype.ensure = function (indices) {
    // Makes the rows those of a draft: the same row numbers, in the same order.
    var self = this;
    this.rows.querySelectorAll("[data-counterpart-row]").forEach(function (row) {
      var index = Number(row.querySelector("select").name.split("-")[1]);
      if (indices.indexOf(index) === -1) { row.remove(); }
    });
    indices.forEach(function (index) {
      if (self.indices().indexOf(index) === -1) { self.add(index); }
    });
    this.renumber();
  };

  Counterparts.prototype.renumber = function () {
    this.rows.querySelectorAll("[data-counterpart-row]").forEach(function (row, position) {
      row.querySelector("[data-row-number]").textContent = String(position + 1);
    });
  };

  /* ---- activity type filter ------------------------------------------------------------------ */

  function enhanceActivityTypes(form) {
    var box = form.querySelector("[data-activity-filter]");
    if (!box) { return; }
    var filter = box.querySelector("input");
    var empty = form.querySelector("[data-activity-empty]");
    var checks = Array.prototype.slice.call(form.querySelectorAll(".activity-groups label.check"));
    box.hidden = false;
    var apply = function () {
      var query = fold(filter.value);
      var shown = 0;
      checks.forEach(function (label) {
        var group = label.closest(".activity-group");
        var legend = group.querySelector("legend");
        var text = fold((legend ? legend.textContent : "") + label.textContent);
        label.hidden = query !== "" && text.indexOf(query) === -1;
        if (!label.hidden) { shown += 1; }
      });
      form.querySelectorAll(".activity-group").forEach(function (group) {
        group.hidden = !group.querySelector("label.check:not([hidden])");
      });
      empty.hidden = shown > 0;
    };
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); } // Enter here should not save the form
    });
  }

  /* ---- the draft (form-draft.js) ------------------------------------------------------------ */

  function startDraft(form, counterparts) {
    if (!window.TsunaguFormDraft) { return; }
    window.TsunaguFormDraft.start(form, {
      key: form.getAttribute("data-draft-key"),
      restore: form.hasAttribute("data-draft-restore"),
      // The draft's counterpart rows: the same row numbers, made before the fields are put back.
      extra: counterparts ? {
        collect: function () { return counterparts.indices(); },
        apply: function (rows) { counterparts.ensure(rows); },
      } : null,
    });
  }

  function start() {
    var form = document.querySelector("[data-log-form]");
    if (!form) { return; }
    enhanceClientPicker(form);
    followSupportKind(form);
    var counterparts = form.querySelector("[data-counterpart-rows]") ? new Counterparts(form) : null;
    enhanceActivityTypes(form);
    startDraft(form, counterparts);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
