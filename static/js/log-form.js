/* The contact log form: pickers that search as you type, counterpart rows, the activity type
   filter, and a draft kept in localStorage so that nothing typed is lost to a reload or an
   expired session (form-draft.js, loaded before this script by base.html, keeps it; this script
   starts it once the form is built, with the counterpart rows). Progressive enhancement: without
   this script the form still works (a select of clients, typed organization names, an "add"
   button that asks the server for a new row). */
(function () {
  "use strict";

  function fold(text) {
    // Width, hiragana/katakana and spaces do not matter when filtering.
    return (text || "").normalize("NFKC").replace(/[\u3041-\u3096]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) + 0x60);
    }).replace(/\s+/g, "").toLowerCase();
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fn.apply(self, args); }, wait);
    };
  }

  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /* ---- combobox (WAI-ARIA 1.2 pattern: a text input that owns a listbox) ---------------------- */

  var comboboxCount = 0;

  function Combobox(input, options) {
    comboboxCount += 1;
    this.input = input;
    this.search = options.search;
    this.onPick = options.onPick;
    this.onEdit = options.onEdit;
    this.items = [];
    this.active = -1;
    this.requestNumber = 0;
    this.lastQuery = null;
    this.stale = false;      // typed since the last search
    this.searching = false;  // a search is on its way
    this.pendingMove = 0;    // arrow keys pressed before the results came
    this.pendingPick = false; // Enter pressed before the results came
    this.list = document.createElement("ul");
    this.list.id = "combobox-list-" + comboboxCount;
    this.list.className = "combobox__list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", options.listLabel || "候補");
    this.list.hidden = true;
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", this.list);
    this.list.insertAdjacentElement("afterend", this.status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");
    input.parentElement.classList.add("combobox");

    var self = this;
    var searchSoon = debounce(function () { self.refresh(false); }, 150);
    input.addEventListener("input", function () {
      self.onEdit();
      self.stale = true;
      searchSoon();
    });
    input.addEventListener("keydown", function (event) { self.keydown(event); });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.pick(Number(option.getAttribute("data-index"))); }
    });
  }

  Combobox.prototype.refresh = function (force) {
    var query = this.input.value.trim();
    if (!force && !this.stale && query === this.lastQuery) { return; }
    var self = this;
    var number = ++this.requestNumber;
    this.lastQuery = query;
    this.stale = false;
    this.searching = true;
    Promise.resolve(this.search(query)).then(function (items) {
      if (number !== self.requestNumber) { return; } // an answer to an older query
      self.searching = false;
      self.show(items);
      self.applyPending();
    }).catch(function () {
      if (number !== self.requestNumber) { return; }
      self.searching = false;
      self.pendingMove = 0;
      self.pendingPick = false;
      self.show([]);
      self.status.textContent = "候補を読み込めませんでした。";
    });
  };

  Combobox.prototype.applyPending = function () {
    if (this.pendingMove) { this.move(this.pendingMove); }
    this.pendingMove = 0;
    if (this.pendingPick) {
      this.pendingPick = false;
      if (this.active >= 0) { this.pick(this.active); }
    }
  };

  Combobox.prototype.show = function (items) {
    var self = this;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.innerHTML = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.id = self.list.id + "-" + index;
      li.setAttribute("role", "option");
      li.setAttribute("data-index", String(index));
      li.setAttribute("aria-selected", "false");
      var label = document.createElement("span");
      label.textContent = item.label;
      li.appendChild(label);
      if (item.detail) {
        var detail = document.createElement("span");
        detail.className = "combobox__detail";
        detail.textContent = item.detail;
        li.appendChild(detail);
      }
      self.list.appendChild(li);
    });
    this.status.textContent = items.length ? items.length + "件の候補があります。上下の矢印キーで選び、Enter で決定します。" : "候補はありません。";
    if (items.length && document.activeElement === this.input) { this.open(); } else { this.close(); }
  };

  Combobox.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Combobox.prototype.isOpen = function () { return !this.list.hidden; };

  Combobox.prototype.move = function (step) {
    var count = this.items.length;
    if (!count || !this.isOpen()) { return; }
    if (this.active === -1) {
      this.active = step > 0 ? Math.min(step, count) - 1 : Math.max(count + step, 0);
    } else {
      this.active = (((this.active + step) % count) + count) % count;
    }
    var activeId = this.list.id + "-" + this.active;
    this.list.querySelectorAll("[role=option]").forEach(function (option) {
      option.setAttribute("aria-selected", option.id === activeId ? "true" : "false");
    });
    this.input.setAttribute("aria-activedescendant", activeId);
    var option = document.getElementById(activeId);
    if (option && option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
  };

  Combobox.prototype.keydown = function (event) {
    if (event.isComposing || event.keyCode === 229) { return; } // the IME is converting
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      // Fast typists press the arrow before the results arrive: the move waits for them.
      if (this.stale || this.searching || !this.isOpen()) {
        this.pendingMove += step;
        if (this.stale || !this.searching) { this.refresh(true); }
        return;
      }
      this.move(step);
    } else if (event.key === "Enter") {
      if ((this.stale || this.searching) && this.pendingMove) {
        event.preventDefault();
        this.pendingPick = true;
        if (this.stale) { this.refresh(true); }
      } else if (this.isOpen()) {
        event.preventDefault();
        if (this.active >= 0) { this.pick(this.active); } else { this.close(); }
      }
    } else if (event.key === "Escape") {
      if (this.isOpen()) { event.preventDefault(); this.close(); }
    }
  };

  Combobox.prototype.pick = function (index) {
    var item = this.items[index];
    if (!item) { return; }
    this.onPick(item);
    this.close();
    this.lastQuery = this.input.value.trim();
    this.stale = false;
    this.status.textContent = item.label + " を選びました。";
  };

  function fetchJson(url, query) {
    return window.fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) { return data.results; });
  }

  /* ---- the client picker --------------------------------------------------------------------- */

  function enhanceClientPicker(form) {
    var container = form.querySelector("[data-combobox=client]");
    if (!container) { return; }
    var select = container.querySelector("select");
    var noClient = { value: container.getAttribute("data-no-client"), label: container.getAttribute("data-no-client-label") };
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = select.name;
    hidden.value = select.value;
    hidden.setAttribute("data-form-draft-keep", ""); // the chosen client is part of the draft
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id;
    input.name = "client_label"; // only so that a draft keeps what the field showed
    input.setAttribute("aria-describedby", "client_help");
    input.placeholder = "例：あおやま";
    var selected = select.options[select.selectedIndex];
    input.value = select.value ? selected.textContent : "";
    var focus = select.hasAttribute("autofocus") &&
      (document.activeElement === select || document.activeElement === document.body || !document.activeElement);
    select.replaceWith(input);
    // The typed-name field is for pages without JavaScript: the combobox searches instead.
    var typed = container.querySelector("[data-client-typed]");
    if (typed) { typed.remove(); }
    input.insertAdjacentElement("afterend", hidden);
    if (focus) { input.focus(); }

    new Combobox(input, {
      listLabel: "相談対象者の候補",
      search: function (query) {
        if (!query) { return [noClient]; }
        return fetchJson(form.getAttribute("data-client-lookup"), query).then(function (results) {
          return results.map(function (client) {
            return {
              value: String(client.id),
              label: client.kana ? client.name + "（" + client.kana + "）" : client.name,
              detail: client.age_band,
            };
          }).concat([noClient]);
        });
      },
      onPick: function (item) {
        hidden.value = item.value;
        input.value = item.label;
        changed(hidden);
      },
      onEdit: function () {
        if (hidden.value) { hidden.value = ""; changed(hidden); }
      },
    });
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
