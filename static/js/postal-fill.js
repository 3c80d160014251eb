/* The provider form's postal code: seven digits typed (any width, with or without the hyphen) look up
   the area in Japan Post's data on our server and fill in the address's prefecture, city and town when
   the address is empty (or still holds what this filled in), and 区市町村 when it is empty. The area is
   announced beside the field; an unknown code says so (the server refuses it on save). */
(function () {
  "use strict";

  function digits(text) {
    return text.normalize("NFKC").replace(/[^0-9]/g, "");
  }

  function start(box) {
    var lookup = box.getAttribute("data-postal-lookup");
    var code = box.querySelector("input[name=postal_code]");
    var address = box.querySelector("input[name=address], textarea[name=address]");
    var municipality = box.closest("form").querySelector("input[name=municipality]");
    if (!code || !address) { return; }
    var status = document.createElement("span");
    status.className = "help";
    status.setAttribute("role", "status");
    code.parentElement.appendChild(status);
    var filled = null;  // what the fill last wrote into the address
    var asked = "";

    function fill() {
      var number = digits(code.value);
      if (number.length !== 7 || number === asked) { return; }
      asked = number;
      window.fetch(lookup + "?code=" + number, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          if (digits(code.value) !== number) { return; }  // typed on since
          if (!answer.ok) {
            status.textContent = answer.data.error || "その郵便番号は見つかりません。";
            return;
          }
          var area = answer.data;
          var text = area.prefecture + area.city + area.town;
          status.textContent = "〒" + area.code + "：" + text;
          if (!address.value.trim() || address.value === filled) {
            address.value = text;
            filled = text;
            address.dispatchEvent(new Event("input", { bubbles: true }));
          }
          if (municipality && !municipality.value.trim()) {
            municipality.value = area.city;
            municipality.dispatchEvent(new Event("input", { bubbles: true }));
          }
        })
        .catch(function () { asked = ""; });
    }

    code.addEventListener("input", fill);
    code.addEventListener("change", fill);
  }

  function startAll() {
    document.querySelectorAll("[data-postal-fill]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
