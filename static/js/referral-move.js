/* A referral move's contact: show the fields of the choice made (a new log, or the log to link)
   and hide the others. Without this script every field shows and the server reads only those of
   the choice. */
(function () {
  "use strict";

  function update(form) {
    var checked = form.querySelector('input[name="record"]:checked');
    var choice = checked ? checked.value : "";
    form.querySelectorAll("[data-record-part]").forEach(function (part) {
      part.hidden = part.getAttribute("data-record-part") !== choice;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[name="record"]').forEach(function (radio) {
      var form = radio.form;
      radio.addEventListener("change", function () { update(form); });
      update(form);
    });
  });
}());
