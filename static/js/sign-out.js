// Signing out on purpose removes the drafts of unsaved forms kept in this browser: they can hold
// personal data, and the next person at a shared PC must not find them. A session that merely
// expires keeps them, so nothing typed is lost.
document.addEventListener("submit", (event) => {
  if (!event.target.matches("form[data-clears-drafts]")) return;
  // Tells an open form not to save its draft again as the page goes away.
  document.documentElement.dataset.signingOut = "true";
  Object.keys(localStorage)
    .filter((key) => key.startsWith("tsunagu:draft:"))
    .forEach((key) => localStorage.removeItem(key));
});
