// Closes a follow-up where it is listed (the home page, the follow-up list) without leaving the page.
// Without this script the same form posts and comes back to the page it was sent from.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-follow-up-done]");
  if (!form) return;
  event.preventDefault();
  const errors = form.querySelector("[data-done-errors]");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (answer.done) {
      const row = form.closest("[data-follow-up-row]") || form;
      const status = document.createElement("p");
      status.className = "notice notice--success";
      status.setAttribute("role", "status");
      status.textContent = answer.message;
      row.replaceChildren(...(row.tagName === "TR" ? [cell(status, row)] : [status]));
      return;
    }
    errors.textContent = answer.errors.join(" ");
    errors.hidden = false;
    form.querySelector("input[name=outcome]").focus();
  } catch {
    // The network failed or the answer was no JSON: post the form as a plain form would.
    form.submit();
  } finally {
    button.disabled = false;
  }
});

function cell(content, row) {
  const td = document.createElement("td");
  td.colSpan = row.cells.length;
  td.append(content);
  return td;
}
