/* A combobox that searches as you type (WAI-ARIA 1.2: a text input that owns a listbox), and the
   client and provider pickers built on it: the page lists only the chosen entry in a select, which
   this turns into a text field searching the client_lookup or provider_lookup JSON (the container's
   or an ancestor's data-client-lookup / data-provider-lookup). Without this script the select and a
   typed-name field still work (the server resolves the name). base.html loads it before form-draft.js, so that a picker marked
   data-combobox-auto (the log list's filter, the referral form) is built before a draft is restored;
   the log form (log-form.js) builds its own. */
(function () {
  "use strict";

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

  /* ---- pickers: a select listing only the chosen entry, turned into a searching text field ---- */

  // What each kind of picker searches and how it shows a result.
  var PICKERS = {
    client: {
      lookupAttribute: "data-client-lookup",
      typed: "[data-client-typed]",
      listLabel: "相談対象者の候補",
      placeholder: "氏名かフリガナの一部",
      item: function (client) {
        return {
          value: String(client.id),
          label: client.kana ? client.name + "（" + client.kana + "）" : client.name,
          detail: client.age_band,
        };
      },
    },
    provider: {
      lookupAttribute: "data-provider-lookup",
      typed: "[data-provider-typed]",
      listLabel: "つなぎ先の候補",
      placeholder: "例：そよかぜ訪問看護",
      // The kind in the label, as the server's option shows it: the kind decides the consent needed.
      item: function (provider) {
        return { value: String(provider.id), label: provider.name + "（" + provider.category + "）" };
      },
    },
  };

  function enhancePicker(container, kind, options) {
    var picker = PICKERS[kind];
    var form = container.closest("form");
    var lookup = container.closest("[" + picker.lookupAttribute + "]").getAttribute(picker.lookupAttribute);
    var select = container.querySelector("select");
    // 「対象者なし」 where the field offers it (the log form and the log list, not a referral).
    var none = container.hasAttribute("data-no-client")
      ? [{ value: container.getAttribute("data-no-client"), label: container.getAttribute("data-no-client-label") }]
      : [];
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = select.name;
    hidden.value = select.value;
    if (options.keepInDraft) { hidden.setAttribute("data-form-draft-keep", ""); } // the choice is part of the draft
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id;
    input.name = select.name + "_label"; // only so that a draft keeps what the field showed
    var help = container.querySelector(".help[id]");
    if (help) { input.setAttribute("aria-describedby", help.id); }
    input.placeholder = options.placeholder || picker.placeholder;
    var selected = select.options[select.selectedIndex];
    input.value = select.value ? selected.textContent : "";
    var focus = select.hasAttribute("autofocus") &&
      (document.activeElement === select || document.activeElement === document.body || !document.activeElement);
    select.replaceWith(input);
    // The typed-name field is for pages without JavaScript: the combobox searches instead.
    var typed = form.querySelector(picker.typed);
    if (typed) { typed.remove(); }
    input.insertAdjacentElement("afterend", hidden);
    if (focus) { input.focus(); }

    new Combobox(input, {
      listLabel: picker.listLabel,
      search: function (query) {
        if (!query) { return none; }
        return fetchJson(lookup, query).then(function (results) {
          return results.map(picker.item).concat(none);
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

  function enhanceClientPicker(container, options) {
    enhancePicker(container, "client", options);
  }

  window.TsunaguCombobox = {
    Combobox: Combobox,
    fetchJson: fetchJson,
    changed: changed,
    enhanceClientPicker: enhanceClientPicker,
  };

  // Pickers outside the log form (the log list's filter, the referral form) start themselves.
  function start() {
    document.querySelectorAll("[data-combobox][data-combobox-auto]").forEach(function (container) {
      enhancePicker(container, container.getAttribute("data-combobox"), {
        keepInDraft: container.hasAttribute("data-combobox-draft"),
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
